"""Alerts (#18) through the real ``feeds`` command: ``feeds update`` from cron, a ``kill -9``
during sending, ``feeds run``, ``feeds notify test``, ``feeds status``, config mistakes and
the secret that never shows. Receivers are real servers on 127.0.0.1; no test waits on a
clock (a wait for a process or a request has a generous bound, and asserts nothing timed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from helpers import feeds
from loopback import Exchange

SECRET = "k3y-Th4t-mUst-n0t-l3ak"
PASSWORD = "p4ss-n0t-t0-sh0w"
WAIT = 60.0


class Hook:
    """A webhook receiver: checks signatures, keeps bodies; ``hold`` keeps a request
    unanswered (the sender is killed meanwhile)."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.bad_signatures = 0
        self.hold = False
        self.status = 200
        self.arrived = threading.Condition()

    def __call__(self, exchange: Exchange) -> None:
        body = exchange.body()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        with self.arrived:
            if exchange.request.header("X-Feeds-Signature") != expected:
                self.bad_signatures += 1
            self.bodies.append(json.loads(body))
            self.arrived.notify_all()
        if self.hold:
            exchange.wait(WAIT)  # never answers: the sender dies first
            return
        exchange.send(self.status, f"refused, key {SECRET}".encode() if self.status >= 300 else b"")

    def wait_for(self, n: int) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.bodies) >= n, timeout=WAIT)

    def alerts(self) -> list[dict]:
        return [b for b in self.bodies if b["entries"]]


def article(folder: Path, name: str, title: str) -> None:
    text = f"<section><h2>{title}</h2><p>{title}: troops in Niger.</p></section>\n"
    (folder / f"{name}.html").write_text(f"# {title}\n\n{text}", encoding="utf-8")


def make_site(tmp_path: Path, targets: list[str], *, interval: str = "30m") -> Path:
    config = tmp_path / "config"
    (config / "articles").mkdir(parents=True)
    article(config / "articles", "one", "Niger report one")
    toml = config / "feeds.toml"
    toml.write_text(
        f'[settings]\nnotify_secret = "{SECRET}"\nnotify_timeout = "5s"\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\n'
        f'interval = "{interval}"\n'
        '[[topics]]\nslug = "niger"\ntitle = "Niger watch"\nquery = "niger"\n'
        f"notify = [{', '.join(json.dumps(t) for t in targets)}]\n"
    )
    return toml


def test_a_kill_during_sending_loses_nothing_and_the_repeat_has_the_same_id(tmp_path, loopback):
    hook = Hook()
    toml = make_site(tmp_path, [loopback.route("/hook", hook)])
    assert feeds(toml, "update").returncode == 0  # the baseline: one "now watching"
    article(toml.parent / "articles", "two", "Niger report two")
    hook.hold = True
    run = subprocess.Popen(
        [sys.executable, "-m", "feeds", "--config", str(toml), "update"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        hook.wait_for(2)  # the alert is being received: kill the sender now
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait(WAIT)
    assert run.returncode == -signal.SIGKILL
    hook.hold = False
    done = feeds(toml, "update")
    assert done.returncode == 0, done.stderr
    killed, repeat = hook.bodies[1:]
    assert repeat == killed  # the same delivery: same id, same entries
    assert [e["title"] for e in repeat["entries"]] == ["Niger report two"]
    assert feeds(toml, "update").returncode == 0
    assert len(hook.bodies) == 3 and hook.bad_signatures == 0


def test_the_daemon_alerts_after_its_publishes(tmp_path, loopback):
    hook = Hook()
    toml = make_site(tmp_path, [loopback.route("/hook", hook)], interval="1s")
    env = {**os.environ, "FEEDS_PUBLISH_DELAY": "0.05"}
    admin = free_port()
    daemon = subprocess.Popen(
        [sys.executable, "-m", "feeds", "--config", str(toml), "run", "--no-serve",
         "--admin-port", str(admin)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        hook.wait_for(1)  # after the first publish: "now watching 1 entry"
        assert hook.bodies[0]["entries"] == []
        article(toml.parent / "articles", "two", "Niger report two")
        hook.wait_for(2)
        sent = 'feeds_alerts_sent_total{topic="niger"} 2.0'
        assert sent in metrics_when(f"http://127.0.0.1:{admin}/metrics", sent)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=WAIT)
    assert daemon.returncode == 0, err
    assert [e["title"] for e in hook.alerts()[0]["entries"]] == ["Niger report two"]
    assert SECRET not in err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def metrics_when(url: str, wanted: str) -> str:
    """The daemon's /metrics once it holds ``wanted`` (the round records after sending)."""
    text = ""
    for _ in range(int(WAIT / 0.1)):
        try:
            text = httpx.get(url, timeout=5).text
        except httpx.HTTPError:
            text = ""
        if wanted in text:
            break
        time.sleep(0.1)
    return text


def test_failures_show_in_status_and_never_the_secret(tmp_path, loopback):
    hook = Hook()
    hook.status = 500
    mail = f"mailto://desk:{PASSWORD}@127.0.0.1:9?from=feeds@example.org&to=d@example.org"
    toml = make_site(tmp_path, [loopback.route("/hook", hook), mail])
    update = feeds(toml, "-v", "update")
    assert update.returncode == 1
    assert "alerts: niger target 1 (http://127.0.0.1:" in update.stderr
    status = feeds(toml, "status")
    document = json.loads(feeds(toml, "status", "--json").stdout)
    rows = {r["target"]: r for r in document["alerts"]}
    assert rows[1]["last_error"] == "HTTP 500: refused, key ****" and rows[1]["pending"] == 1
    assert rows[2]["label"].startswith("mailto://desk:") and rows[2]["failures"] == 1
    assert rows[1]["status"] == "retrying"  # two failures in a row are "failing"
    everything = update.stdout + update.stderr + status.stdout + status.stderr
    everything += json.dumps(document)
    for stored in (tmp_path / "data").glob("feeds.sqlite3*"):  # the WAL too
        everything += stored.read_bytes().decode("latin-1")
    for secret in (SECRET, PASSWORD):
        assert secret not in everything


def test_notify_test_says_what_each_target_answered(tmp_path, loopback):
    hook = Hook()
    toml = make_site(tmp_path, [loopback.route("/hook", hook), "json://127.0.0.1:9/x"])
    result = feeds(toml, "notify", "test", "niger")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("niger target 1 (http://127.0.0.1:") and "ok: HTTP 200" in lines[0]
    assert lines[1].startswith("niger target 2 (json://127.0.0.1:9/x): FAILED")
    (body,) = hook.bodies
    assert body["id"].startswith("test-") and body["entries"][0]["source"] == "feeds"
    assert hook.bad_signatures == 0
    assert feeds(toml, "notify", "test", "nope").returncode == 2


def test_a_bad_target_is_a_config_error_naming_file_and_key(tmp_path):
    toml = make_site(tmp_path, ["bogus://user:hunter2@example.org"])
    result = feeds(toml, "check")
    assert result.returncode == 2
    assert f"{toml}: topics[0].notify[0]: is not a URL Apprise knows" in result.stderr
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
    text = toml.read_text().replace(f'notify_secret = "{SECRET}"\n', "")
    toml.write_text(text.replace("bogus://user:hunter2@example.org", "https://hooks.example.org/x"))
    result = feeds(toml, "check")
    assert result.returncode == 2 and "topics[0].notify[0]: a webhook" in result.stderr
    assert check_with_secret(toml).returncode == 0
    toml.write_text(toml.read_text() + 'notify_every = "fortnightly"\n')
    result = check_with_secret(toml)
    assert result.returncode == 2 and "topics[0].notify_every: must be" in result.stderr


def check_with_secret(toml: Path) -> subprocess.CompletedProcess[str]:
    """``feeds check`` with the secret in ``$FEEDS_NOTIFY_SECRET``."""
    return subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(toml), "check"],
        capture_output=True, text=True, env={**os.environ, "FEEDS_NOTIFY_SECRET": SECRET},
    )  # fmt: skip


def test_a_target_list_that_is_not_a_list_is_refused_without_repeating_it(tmp_path):
    toml = make_site(tmp_path, [])
    toml.write_text(toml.read_text().replace("notify = []", f'notify = "mailto://u:{PASSWORD}@x"'))
    result = feeds(toml, "check")
    assert result.returncode == 2 and "topics[0].notify: must be an array" in result.stderr
    assert PASSWORD not in result.stderr
