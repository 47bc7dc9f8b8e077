"""Alerts (#18) against real receivers on 127.0.0.1: a webhook receiver that checks the
signature (tests/loopback.py), an SMTP server (aiosmtpd) that receives the e-mail digest
through Apprise's ``mailto://``, a target that fails and then recovers, a slow one, and a
real store of each backend (SQLite; PostgreSQL, tests/pgserver.py). Times are passed in
(``now=``): no test waits for a clock.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from loopback import Exchange, slow

from feeds.config.loader import load_config
from feeds.models import Config, Entry
from feeds.notify.flow import notify
from feeds.notify.health import alert_events, keep_alert_health
from feeds.run.metrics import Metrics
from feeds.store.sqlite.store import Store

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SECRET = "k3y-Th4t-mUst-n0t-l3ak"


# -- receivers ---------------------------------------------------------------------------------


class Hook:
    """A webhook receiver: checks each POST's signature, keeps the bodies; answers with the
    statuses in ``statuses`` in turn (the last repeats)."""

    def __init__(self, statuses: tuple[int, ...] = (200,)) -> None:
        self.statuses = list(statuses)
        self.bodies: list[dict] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        body = exchange.body()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        got = exchange.request.header("X-Feeds-Signature") or ""
        with self.lock:
            if not hmac.compare_digest(expected, got):
                self.bad_signatures += 1
            self.bodies.append(json.loads(body))
            status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        exchange.send(status, b"ok" if status < 300 else b"try later")

    def alerts(self) -> list[dict]:
        """The bodies that carried entries (not the "now watching" hello)."""
        return [b for b in self.bodies if b["entries"]]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, box
    finally:
        controller.stop()


# -- a site --------------------------------------------------------------------------------------


def site(tmp_path: Path, targets: list[str], *, every: str = "instant", timeout: str = "5s"):
    (tmp_path / "config").mkdir(exist_ok=True)
    toml = tmp_path / "config" / "feeds.toml"
    notify_list = ", ".join(json.dumps(t) for t in targets)
    toml.write_text(
        f'[settings]\nnotify_secret = "{SECRET}"\nnotify_timeout = "{timeout}"\n'
        'base_url = "http://127.0.0.1:8080/"\n'
        '[[topics]]\nslug = "niger"\ntitle = "Niger watch"\nquery = "niger"\n'
        f'notify = [{notify_list}]\nnotify_every = "{every}"\n'
    )
    return load_config(toml)


def entry(n: int, **kw) -> Entry:
    base = dict(
        id=f"https://wire.test/{n}", source="wire", title=f"Niger report {n}",
        link=f"https://wire.test/{n}", summary=f"<p>Report {n} about Niger &amp; the Sahel</p>",
        content="", authors=("A",), published=T0 + timedelta(minutes=n),
        updated=T0 + timedelta(minutes=n), language="en", categories=(), hash=f"h{n}",
    )  # fmt: skip
    base.update(kw)
    return Entry(**base)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "postgresql":
        from feeds.store.postgres.store import PostgresStore

        with PostgresStore(request.getfixturevalue("pg_url")) as s:
            yield s
        return
    with Store(tmp_path / "data" / "feeds.sqlite3") as s:
        yield s


def add(store: Store, *entries: Entry) -> None:
    store.upsert(entries, now=T0)


# -- webhooks --------------------------------------------------------------------------------------


def test_a_webhook_gets_each_new_entry_once_signed_and_a_baseline_without_flood(
    tmp_path, store, loopback
):
    hook = Hook()
    config = site(tmp_path, [loopback.route("/hook", hook)])
    add(store, *(entry(n) for n in range(1, 31)))  # what the topic holds before its target

    reports = notify(config, store, now=T0)
    assert [b["entries"] for b in hook.bodies] == [[]]  # one "now watching", no flood
    assert reports[0].sent == 1 and reports[0].failures == 0

    add(store, entry(40), entry(41))
    notify(config, store, now=T0 + timedelta(minutes=1))
    (body,) = hook.alerts()
    assert list(body) == ["id", "topic", "title", "feed", "entries"]
    assert (body["topic"], body["title"]) == ("niger", "Niger watch")
    assert body["feed"] == "http://127.0.0.1:8080/niger.atom"
    assert [e["id"] for e in body["entries"]] == ["https://wire.test/41", "https://wire.test/40"]
    first = body["entries"][0]
    assert list(first) == ["id", "title", "link", "published", "source", "summary"]
    assert first["published"] == "2026-12-01T12:41:00Z" and first["source"] == "wire"
    assert first["summary"] == "Report 41 about Niger & the Sahel"
    assert hook.bad_signatures == 0

    # An edit, a re-ingest, another run: nothing new.
    store.upsert([entry(41, title="Niger report 41 (updated)", hash="h41b"), entry(40)], now=T0)
    notify(config, store, now=T0 + timedelta(minutes=2))
    notify(config, store, now=T0 + timedelta(minutes=3))
    assert len(hook.alerts()) == 1


def test_another_sources_copy_of_a_story_does_not_alert_again(tmp_path, store, loopback):
    hook = Hook()
    config = site(tmp_path, [loopback.route("/hook", hook)])
    notify(config, store, now=T0)
    add(store, entry(1, link="https://news.test/attack"))
    notify(config, store, now=T0 + timedelta(minutes=1))
    copy = entry(2, id="https://other.test/9", source="other", link="https://www.news.test/attack/")
    add(store, copy)
    notify(config, store, now=T0 + timedelta(minutes=2))
    assert [[e["id"] for e in b["entries"]] for b in hook.alerts()] == [["https://wire.test/1"]]
    # The copy is recorded as seen: it never alerts alone, whatever grouping does later.
    assert store.notify_seen("niger", store_key(config), ["https://other.test/9"])


def store_key(config: Config) -> str:
    from feeds.decide.notify import target_key

    return target_key(config.topics[0].notify[0])


def test_a_failing_target_is_retried_with_backoff_then_gets_everything_once(
    tmp_path, store, loopback
):
    hook = Hook(statuses=(200, 500, 503, 200))
    config = site(tmp_path, [loopback.route("/hook", hook)])
    notify(config, store, now=T0)  # the hello: 200
    add(store, entry(1))
    (failed,) = notify(config, store, now=T0)
    assert (failed.failed, failed.failures, failed.pending) == (1, 1, 1)
    assert failed.last_error == "HTTP 500: try later"

    notify(config, store, now=T0 + timedelta(seconds=30))  # backing off: not tried
    assert len(hook.bodies) == 2
    add(store, entry(2), entry(3))  # arrive while the target is down
    (again,) = notify(config, store, now=T0 + timedelta(minutes=1))
    assert again.failures == 2 and len(hook.bodies) == 3
    assert [e.kind for e in alert_events([again], T0)] == ["failing"]

    keep_alert_health(config, [again], T0 + timedelta(minutes=1))
    status = (tmp_path / "public" / "_status.atom").read_text()
    assert "alert target 1 of niger (http://127.0.0.1:" in status and "started failing" in status
    assert SECRET not in status

    (back,) = notify(config, store, now=T0 + timedelta(minutes=3))
    assert (back.sent, back.failures, back.pending) == (2, 0, 0)
    assert [e.kind for e in alert_events([back], T0)] == ["recovered"]
    tries = hook.bodies[1:4]
    assert len({b["id"] for b in tries}) == 1  # one delivery, the same id at every try
    assert [e["id"] for e in tries[0]["entries"]] == ["https://wire.test/1"]
    digest = hook.bodies[4]  # what arrived while it was down: one message
    assert digest["id"] != tries[0]["id"]
    assert [e["id"] for e in digest["entries"]] == ["https://wire.test/3", "https://wire.test/2"]
    notify(config, store, now=T0 + timedelta(minutes=4))
    assert len(hook.bodies) == 5 and hook.bad_signatures == 0


def test_a_slow_target_holds_up_no_other(tmp_path, store, loopback):
    hook = Hook()
    fast = loopback.route("/fast", hook)
    late = loopback.route("/slow", slow(30, Hook()))
    config = site(tmp_path, [late, fast], timeout="0.3s")
    reports = notify(config, store, now=T0)
    by_number = {r.number: r for r in reports}
    assert by_number[2].sent == 1 and len(hook.bodies) == 1
    assert by_number[1].failed == 1 and by_number[1].last_error == "no answer within 0.3s"


# -- e-mail through Apprise ---------------------------------------------------------------------


def test_an_email_digest_reaches_smtp_with_plain_text_and_html(tmp_path, store, smtp):
    port, box = smtp
    box.messages.clear()
    url = f"mailto://127.0.0.1:{port}?from=feeds@example.org&to=desk@example.org&mode=insecure"
    config = site(tmp_path, [url], every="1h")
    add(store, entry(1))
    notify(config, store, now=T0)
    (hello,) = box.messages
    assert hello["Subject"] == "Niger watch: now watching 1 entry"

    add(store, entry(2), entry(3, title="Niger <attack> report"))
    notify(config, store, now=T0 + timedelta(minutes=10))
    assert len(box.messages) == 1  # the digest waits for the end of its hour
    notify(config, store, now=T0 + timedelta(hours=1))
    digest = box.messages[1]
    assert digest["Subject"] == "Niger watch: 2 new entries"
    assert digest["To"] == "desk@example.org"
    ids = {m["X-Feeds-Delivery"] for m in box.messages}  # a client may drop repeats by it
    assert len(ids) == 2 and all(len(i) == 32 for i in ids)
    assert digest.get_content_type() == "multipart/alternative"
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    assert "Niger <attack> report" in text and "https://wire.test/2" in text
    assert "Niger &lt;attack&gt; report" in html and '<a href="https://wire.test/2">' in html
    notify(config, store, now=T0 + timedelta(hours=2))
    assert len(box.messages) == 2


# -- what operators see ---------------------------------------------------------------------------


def test_metrics_count_sent_and_failed_deliveries(tmp_path, store, loopback):
    config = site(tmp_path, [loopback.route("/hook", Hook(statuses=(500,)))])
    metrics = Metrics()
    metrics.alerts(notify(config, store, now=T0))
    text = metrics.render().decode()
    assert 'feeds_alerts_failed_total{topic="niger"} 1.0' in text
    assert 'feeds_alert_target_up{target="1",topic="niger"} 0.0' in text
    assert 'feeds_alerts_pending{target="1",topic="niger"} 1.0' in text


def test_a_changed_target_url_is_a_new_target_with_its_own_baseline(tmp_path, store, loopback):
    one, two = Hook(), Hook()
    config = site(tmp_path, [loopback.route("/one", one)])
    add(store, entry(1))
    notify(config, store, now=T0)
    topic = replace(config.topics[0], notify=(loopback.route("/two", two),))
    moved = replace(config, topics=(topic,))
    notify(moved, store, now=T0 + timedelta(minutes=1))
    assert [b["entries"] for b in two.bodies] == [[]] and len(one.bodies) == 1


def test_only_the_leader_sends_and_the_config_never_shows_the_secret(tmp_path, store, loopback):
    hook = Hook()
    config = site(tmp_path, [loopback.route("/hook", hook)])
    assert notify(config, store, now=T0, leader=lambda: False) == []
    assert hook.bodies == [] and store.notify_target("niger", store_key(config)) is None
    assert SECRET not in repr(config) and "/hook" not in repr(config)
