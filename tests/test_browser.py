"""The web face in a real browser (#20): Debian's Chromium, driven by Playwright, loads the
index, a topic page, the status page and the search page from a real ``feeds run`` on
127.0.0.1, at a phone's width and a desktop's, light and dark; reads what a person sees
from the DOM, checks that nothing scrolls sideways, and runs axe-core (the copy bundled
by axe-playwright-python) for serious and critical violations.

Skipped, with the reason, where Chromium or Playwright is missing (``.ci/run`` installs
Chromium). Playwright never downloads a browser here: it launches the system's.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import scratch_site

CHROMIUM = Path(os.environ.get("FEEDS_CHROMIUM", "/usr/bin/chromium"))
WIDTHS = {"phone": 375, "desktop": 1280}
SHOTS = os.environ.get("FEEDS_SHOTS")
PAGES = {
    "index": "/",
    "topic": "/sahel-security.html",
    "status": "/status.html",
    "search": "/search?q=mali+OR+niger&topic=sahel-security",
    "search-error": "/search?q=mali+(OR+niger",
}

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright", reason="no axe-core")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``feeds run`` on the bundled sample config (remote sources pointed at a dead port)."""
    port = _free_port()
    toml = scratch_site(tmp_path_factory.mktemp("browser"))
    base = f"http://127.0.0.1:{port}/"
    toml.write_text(re.sub(r'(?m)^base_url = "[^"]*"', f'base_url = "{base}"', toml.read_text()))
    env = {**os.environ, "FEEDS_PUBLISH_DELAY": "0.2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "feeds", "--config", str(toml), "run", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        _wait_published(base, proc)
        yield base.rstrip("/")
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def _wait_published(base: str, proc: subprocess.Popen[str]) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"feeds run exited: {proc.communicate()[1]}")
        try:
            if httpx.get(base + "status.html", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("feeds run published nothing within 60 s")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def _context(browser, width: str, scheme: str = "light"):
    return browser.new_context(
        viewport={"width": WIDTHS[width], "height": 800}, color_scheme=scheme,
        java_script_enabled=True,
    )  # fmt: skip


def _no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{where} scrolls sideways: {widths}"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_pages_read_at_phone_and_desktop_widths(server: str, browser, width: str) -> None:
    context = _context(browser, width)
    page = context.new_page()
    try:
        page.goto(server + PAGES["index"])
        assert page.locator("h1").inner_text() == "feeds: sample monitoring"
        topic = page.locator("#topic-sahel-security")
        assert topic.locator("h2").inner_text() == "Sahel security"
        assert topic.locator("ol.newest li").count() == 3
        assert page.get_by_role("search").is_visible()  # the daemon's box
        _no_sideways_scroll(page, f"index at {width}")
        topic.locator("h2 a").click()
        assert page.url == server + PAGES["topic"]
        titles = page.locator("ol.entries h3").all_inner_texts()
        assert "Mali: army says it retook a base near Kidal" in titles
        assert page.locator("article[lang=fr]").count() >= 1
        assert (
            page.get_by_role("textbox", name="Atom", exact=True).input_value()
            == server + "/sahel-security.atom"
        )
        _no_sideways_scroll(page, f"topic page at {width}")
        page.goto(server + PAGES["status"])
        cards = page.locator("section[aria-labelledby=sources] li.card")
        assert cards.count() == 8
        assert "ok" in cards.filter(has_text="sahel-wire").locator(".badge").inner_text()
        assert "error" in cards.filter(has_text="rfi-afrique").locator(".badge").inner_text()
        _no_sideways_scroll(page, f"status page at {width}")
        page.goto(server + PAGES["search"])
        assert page.locator("mark").first.inner_text() in ("Mali", "Niger")
        assert page.locator("p.verdict").first.inner_text().startswith("matched:")
        _no_sideways_scroll(page, f"search page at {width}")
        page.goto(server + PAGES["search-error"])
        assert page.get_by_role("alert").locator("pre").inner_text() == "mali (OR niger\n      ^"
        _no_sideways_scroll(page, f"a query error at {width}")
    finally:
        context.close()


def test_search_from_the_box_and_copy_a_feed_url(server: str, browser) -> None:
    # Only the copy needs JavaScript; the rest reads without it.
    context = _context(browser, "phone")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    try:
        page.goto(server + PAGES["topic"])
        page.get_by_role("button", name="Copy").first.click()
        copied = f"Copied {server}/sahel-security.atom"
        playwright_api.expect(page.locator("p.copied")).to_have_text(copied)  # waits for it
        page.get_by_role("searchbox").fill("wagner")
        page.get_by_role("button", name="Search").click()
        assert "topic=sahel-security" in page.url and "q=wagner" in page.url
        assert page.locator("ol.results h3").count() >= 1
        assert page.locator("mark").first.inner_text().lower() == "wagner"
    finally:
        context.close()


def test_pages_read_without_javascript(server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + PAGES["topic"])
        assert page.locator("ol.entries h3").count() >= 3
        assert page.locator("input[readonly]").first.is_visible()  # the URL, to select
        assert not page.get_by_role("button", name="Copy").first.is_visible()  # needs JS
        page.goto(server + PAGES["search"])
        assert page.locator("ol.results h3").count() >= 1
    finally:
        context.close()


def test_no_serious_accessibility_violation(server: str, browser) -> None:
    axe = axe_api.Axe()
    found = []
    for scheme in ("light", "dark"):
        for width in WIDTHS:
            context = _context(browser, width, scheme)
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(server + path)
                if SHOTS:  # screenshots to look at: FEEDS_SHOTS=/tmp/web-shots
                    page.screenshot(path=f"{SHOTS}/{name}-{width}-{scheme}.png", full_page=True)
                if (width, scheme) == ("desktop", "dark") and not SHOTS:
                    continue  # its colours are checked at the phone's width, its layout in light
                results = axe.run(page)
                for v in results.response["violations"]:
                    if v["impact"] in ("serious", "critical"):
                        nodes = [n["target"] for n in v["nodes"]][:3]
                        found.append(f"{name} {width} {scheme}: {v['id']} {nodes}")
            context.close()
    assert not found, "\n".join(found)
