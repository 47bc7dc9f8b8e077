"""The `feeds` command through its real entry point (feeds.cli.main.main): each command, each
documented error, exit codes, logs, progress and shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import ROOT, feeds, scratch_site
from loopback import feed, respond

from feeds.cli.main import cli, main
from feeds.config.loader import load_config

COMMANDS = sorted(cli.commands)


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Run `feeds ARGS` in-process; (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A scratch copy of config/, updated once (the remote sources fail: exit 1)."""
    config = scratch_site(tmp_path_factory.mktemp("cli"))
    assert feeds(config, "update").returncode == 1
    return config


# -- help, usage, exit codes -------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert "Usage: feeds" in out and command in out


def test_group_help_lists_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "Exit codes: 0 ok, 1 some sources failed, 2 usage or config error." in out


def test_unknown_option_is_one_line_exit_2(capsys):
    code, out, err = run(capsys, "status", "--frobnicate")
    assert code == 2 and out == ""
    assert err.startswith("feeds: error: No such option") and "--frobnicate" in err
    assert "feeds status --help" in err and err.count("\n") == 1


def test_missing_config_says_how_to_make_one(capsys, tmp_path):
    code, _, err = run(capsys, "--config", str(tmp_path / "nope.toml"), "check")
    assert code == 2
    assert "nope.toml" in err and "feeds init" in err and err.count("\n") == 1


def test_unknown_source_suggests_the_closest(capsys, site):
    code, _, err = run(capsys, "--config", str(site), "ingest", "--source", "dsk")
    assert code == 2
    assert "no source 'dsk'" in err and "did you mean 'desk'?" in err
    assert "sahel-wire" in err  # and lists the valid ones


def test_unknown_topic_suggests_the_closest(capsys, site):
    code, _, err = run(capsys, "--config", str(site), "regenerate", "--topic", "sahel")
    assert code == 2
    assert "no topic 'sahel'" in err and "did you mean 'sahel-security'?" in err


def test_failing_sources_exit_1_and_point_to_status(capsys, site):
    code, out, err = run(capsys, "--config", str(site), "ingest", "--source", "rfi-afrique")
    assert code == 1
    assert "1 failed" in out
    assert "rfi-afrique" in err and "feeds status" in err


# -- init --------------------------------------------------------------------------------------


def test_init_writes_a_site_that_publishes(capsys, tmp_path):
    code, out, _ = run(capsys, "init", str(tmp_path / "mysite"))
    assert code == 0 and "created" in out
    config = tmp_path / "mysite" / "config" / "feeds.toml"
    assert (config.parent / "articles" / "welcome.md").exists()
    text = config.read_text()
    assert text.count("#") > 20  # commented
    load_config(config)
    code, out, _ = run(capsys, "--config", str(config), "update")
    assert code == 0, out
    assert (tmp_path / "mysite" / "public" / "welcome.atom").exists()


def test_init_never_overwrites(capsys, tmp_path):
    assert run(capsys, "init", str(tmp_path))[0] == 0
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 1 and "already exists" in err


# -- add ---------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Le Sahel en bref</title><link>{site}</link>
<description>x</description>{items}</channel></rss>"""
ITEM = "<item><title>Item {n}</title><link>{site}{n}</link><guid>{site}{n}</guid>" \
    "<pubDate>Mon, 0{n} Jan 2024 10:00:00 GMT</pubDate></item>"  # fmt: skip
PAGE = """<!doctype html><html><head><title>Blog</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>hi</body></html>"""


def serve_blog(loopback) -> str:
    site = loopback.url("/")
    items = "".join(ITEM.format(n=n, site=site) for n in range(1, 8))
    loopback.route("/feed.xml", feed(RSS.format(site=site, items=items).encode()))
    return loopback.route("/blog/", respond(200, PAGE.encode(), content_type="text/html"))


def test_add_finds_the_feed_behind_a_page_and_keeps_comments(capsys, tmp_path, loopback):
    config = scratch_site(tmp_path)
    before = config.read_text()
    code, out, err = run(capsys, "--config", str(config), "add", serve_blog(loopback))
    assert code == 0, err
    assert "Le Sahel en bref" in out
    assert "Item 7" in out and "Item 3" in out and "Item 2" not in out  # the newest 5
    after = config.read_text()
    # every original line is still there, in order: comments and layout kept
    kept = iter(after.splitlines())
    assert all(line in kept for line in before.splitlines())
    added = tomllib.loads(after)["sources"][-1]
    assert added == {"name": "le-sahel-en-bref", "kind": "feed", "url": loopback.url("/feed.xml")}
    # the new table sits among the sources, before the topics' heading comment
    assert after.index("le-sahel-en-bref") < after.index("# --- Topics")
    assert load_config(config).source("le-sahel-en-bref") is not None


def test_add_refuses_a_duplicate(capsys, tmp_path, loopback):
    config = scratch_site(tmp_path)
    url = serve_blog(loopback)
    assert run(capsys, "--config", str(config), "add", url)[0] == 0
    before = config.read_text()
    code, _, err = run(capsys, "--config", str(config), "add", loopback.url("/feed.xml"))
    assert code == 2
    assert "already reads" in err and "sources[8].url" in err
    assert config.read_text() == before


def test_add_dry_run_writes_nothing(capsys, tmp_path, loopback):
    config = scratch_site(tmp_path)
    before = config.read_text()
    args = ("--config", str(config), "add", serve_blog(loopback), "--name", "blog", "--dry-run")
    code, out, _ = run(capsys, *args)
    assert code == 0 and "would add source 'blog'" in out
    assert config.read_text() == before


def test_add_a_page_without_a_feed_fails_clearly(capsys, tmp_path, loopback):
    config = scratch_site(tmp_path)
    url = loopback.route("/plain", respond(200, b"<html><body>no feed</body></html>",
                                           content_type="text/html"))  # fmt: skip
    code, _, err = run(capsys, "--config", str(config), "add", url)
    assert code == 1
    assert "links to no feed" in err and url in err


def test_add_articles_folder_relative_to_the_config(capsys, tmp_path, monkeypatch):
    config = scratch_site(tmp_path)
    folder = tmp_path / "press"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--config", str(config), "add", "--articles", "press")
    assert code == 0, err
    added = tomllib.loads(config.read_text())["sources"][-1]
    assert added == {"name": "press", "kind": "articles", "path": "../../press"}
    assert load_config(config).source("press").path == folder.resolve()


def test_add_articles_needs_an_existing_folder(capsys, tmp_path):
    config = scratch_site(tmp_path)
    code, _, err = run(capsys, "--config", str(config), "add", "--articles", str(tmp_path / "x"))
    assert code == 2 and "is not a folder" in err and "mkdir" in err


def test_add_name_taken(capsys, tmp_path):
    config = scratch_site(tmp_path)
    folder = tmp_path / "more"
    folder.mkdir()
    args = ("--config", str(config), "add", "--articles", str(folder), "--name", "desk")
    code, _, err = run(capsys, *args)
    assert code == 2 and "already exists" in err and "'desk-2'" in err


# -- search, explain ---------------------------------------------------------------------------


def test_search_highlights_and_counts(capsys, site):
    code, out, _ = run(capsys, "--config", str(site), "search", "junte OR junta", "--limit", "2")
    assert code == 0
    assert "[junte]" in out or "[junta]" in out
    assert "showing the newest 2" in out


def test_search_language_and_exclude(capsys, site):
    args = ("--config", str(site), "search", "mali", "--lang", "fr", "--exclude", "football")
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert "[Mali]" in out and "Coupe d’Afrique" not in out


def test_search_a_topic(capsys, site):
    code, out, _ = run(capsys, "--config", str(site), "search", "--topic", "space")
    assert code == 0 and "match" in out


def test_search_syntax_error_points_at_it(capsys, site):
    code, _, err = run(capsys, "--config", str(site), "search", "niger (coup OR")
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("feeds: error:") and "position" in lines[0]
    assert lines[1].strip() == "niger (coup OR" and lines[2].strip() == "^"


@pytest.mark.parametrize(
    ("args", "warning"),
    [
        (("source:dsk mali",), "source:dsk names no source (sources: "),
        (("mali -source:nowhere",), None),  # under NOT: excludes nothing, harmless
        (("mali", "--lang", "xx"), "lang:xx matches no stored entry (languages: en, fr)"),
        (("lang:de mali",), "lang:de matches no stored entry (languages: en, fr)"),
        (("source:desk lang:fr mali", "--lang", "fr"), None),
        (("source:des* mali",), None),  # a prefix may name several
    ],
)
def test_search_warns_of_a_source_or_language_that_names_nothing(capsys, site, args, warning):
    """A typo in a filter silently matched nothing; now it says so (#15 item 13)."""
    code, _, err = run(capsys, "--config", str(site), "search", *args)
    assert code == 0
    warnings = [line for line in err.splitlines() if line.startswith("feeds: warning: ")]
    if warning is None:
        assert warnings == [], err
        return
    assert len(warnings) == 1 and warning in warnings[0], err
    if "source" in warning:  # lists every source it could have meant
        names = {s.name for s in load_config(site).sources}
        assert all(name in warnings[0] for name in names), warnings[0]


def test_explain_highlights_the_matched_words(capsys, site):
    article = site.parent / "articles" / "mali-football-can.fr.txt"
    code, out, _ = run(capsys, "--config", str(site), "explain", "--file", str(article))
    assert code == 0
    assert "MATCH african-football" in out and "[Mali]" in out and "[Coupe d’Afrique]" in out


def test_explain_unknown_entry(capsys, site):
    code, _, err = run(capsys, "--config", str(site), "explain", "tag:nope")
    # A usage error, as the README's exit codes say (#15 item 13); one line.
    assert code == 2 and "no entry with id 'tag:nope'" in err and err.count("\n") == 1


# -- status ------------------------------------------------------------------------------------


def test_status_is_a_table(capsys, site):
    code, out, _ = run(capsys, "--config", str(site), "status")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header[:3] == ["SOURCE", "KIND", "STATUS"] and "ERROR" in header
    assert any(line.startswith("rfi-afrique") and "error" in line for line in out.splitlines())
    assert "sahel-security" in out


def test_status_json_is_stable(capsys, site):
    code, out, _ = run(capsys, "--config", str(site), "status", "--json")
    assert code == 0
    doc = json.loads(out)
    desk = next(s for s in doc["sources"] if s["name"] == "desk")
    assert desk["status"] == "ok" and desk["entries"] > 0 and desk["last_success"].endswith("Z")
    rfi = next(s for s in doc["sources"] if s["name"] == "rfi-afrique")
    assert rfi["status"] == "error" and rfi["last_error"]
    sahel = next(t for t in doc["topics"] if t["slug"] == "sahel-security")
    assert sahel["entries"] >= 6 and sahel["url"].endswith("/sahel-security.atom")


# -- logs, progress, completion ----------------------------------------------------------------


def test_progress_is_log_lines_off_a_terminal(capsys, site):
    code, _, err = run(capsys, "--config", str(site), "ingest", "--source", "desk")
    assert code == 0
    assert "INFO source desk: 0 new, 0 changed (1/1)" in err


def test_quiet_hides_progress(capsys, site):
    code, _, err = run(capsys, "--config", str(site), "-q", "ingest", "--source", "desk")
    assert code == 0 and err == ""


def test_json_logs_carry_the_source(capsys, site):
    args = ("--config", str(site), "--log-format", "json", "-v", "ingest", "--source", "desk")
    code, _, err = run(capsys, *args)
    assert code == 0
    events = [json.loads(line) for line in err.splitlines()]
    assert events and all({"ts", "level", "message"} <= e.keys() for e in events)
    assert any(e.get("source") == "desk" for e in events)


def test_bash_completion_script_is_produced():
    env = {**os.environ, "_FEEDS_COMPLETE": "bash_source"}
    result = subprocess.run(
        [sys.executable, "-m", "feeds"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert "_feeds_completion" in result.stdout and "complete " in result.stdout
