"""The alert keys of the config (#18): a topic's ``notify`` targets and ``notify_every``, and
the settings ``notify_secret`` (or ``$FEEDS_NOTIFY_SECRET``) and ``notify_timeout``.

Each check answers with what is wrong (a phrase for a ConfigError naming the file and the
key) or None; ``feeds.config.loader`` raises. A target is an http(s) URL (a signed webhook)
or a URL Apprise knows (``mailto://``, ``ntfy://``, ``tgram://``…: Apprise parses it, no
I/O). A target URL may hold a password or a token: no message here repeats it, only
``redacted(url)``. Nothing here reads the config file, the store or the network.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from feeds.config.values import duration_problem, duration_seconds, text_problem, url_problem
from feeds.models import Settings, Topic

if TYPE_CHECKING:
    from feeds.config.context import Context as _Ctx

#: The environment variable that sets (and overrides) ``settings.notify_secret``.
SECRET_ENV = "FEEDS_NOTIFY_SECRET"
#: ``notify_every``'s value for an alert right after each publish (the default).
INSTANT = "instant"
#: Bounds of ``settings.notify_timeout`` (seconds).
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 300.0


def redacted(url: str) -> str:
    """What a message may show of a target URL: its scheme and host, nothing else."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host += f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(a URL that does not parse)"
    return f"{parts.scheme}://{host}/…" if parts.scheme else "(not a URL)"


def is_webhook(url: str) -> bool:
    """A plain http(s) URL: our own signed webhook (else an Apprise URL)."""
    return url.lower().startswith(("http://", "https://"))


def target_problem(url: object, *, secret: str | None) -> str | None:
    """What is wrong with one ``notify`` entry, or None."""
    if not isinstance(url, str) or not url.strip():
        return f"must be a target URL (a string), not {type(url).__name__}"
    shown = redacted(url)
    if url_problem(url) is not None:
        return f"must be a URL without spaces, quotes or control characters ({shown})"
    if is_webhook(url):
        try:
            ok = bool(urlsplit(url).hostname)
        except ValueError:
            ok = False
        if not ok:
            return f"must be a webhook URL with a host, not {shown}"
        if not secret:
            return f"a webhook ({shown}) is signed: set settings.notify_secret, or ${SECRET_ENV}"
        return None
    return None if _apprise_knows(url) else (
        f"is not a URL Apprise knows ({shown}): see https://github.com/caronc/apprise/wiki "
        "for each service's URL, or use an http(s) URL for a signed webhook"
    )  # fmt: skip


def _apprise_knows(url: str) -> bool:
    import apprise  # loaded only when a config has Apprise targets

    # Apprise logs why a URL does not parse, with parts of the URL: not into our log.
    logger = logging.getLogger("apprise")
    was, logger.disabled = logger.disabled, True
    try:
        return apprise.Apprise.instantiate(url) is not None
    finally:
        logger.disabled = was


def every_problem(value: object) -> str | None:
    """``notify_every``: "instant", or a digest period from a minute to a year."""
    if value == INSTANT:
        return None
    seconds = duration_seconds(value)
    if seconds is None:
        return f'must be "instant" or a duration like "1h" or "1d", not {value!r}'
    if math.isfinite(seconds) and seconds < 60:
        return 'must be at least 1m (a digest period), or "instant"'
    return duration_problem(seconds)


def every_value(value: object) -> timedelta | None:
    """The period ``notify_every`` names (checked by ``every_problem``); None: instant."""
    seconds = duration_seconds(value)
    return None if value == INSTANT or seconds is None else timedelta(seconds=seconds)


def secret(configured: str | None) -> str | None:
    """``$FEEDS_NOTIFY_SECRET`` if set, else the configured ``notify_secret``."""
    return os.environ.get(SECRET_ENV) or configured or None


def timeout_problem(value: object) -> str | None:
    seconds = duration_seconds(value)
    if seconds is None or not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:
        return f'must be a duration from 0.1s to 300s like "10s", not {value!r}'
    return None


# -- reading the keys (for feeds.config.loader) ----------------------------------------------

#: The alert keys of ``[settings]``, and of each ``[[topics]]`` table.
ALERT_SETTINGS = ("notify_secret", "notify_timeout")
ALERTS = ("notify", "notify_every")


def notify_settings(ctx: _Ctx, t: Mapping[str, Any], w: str) -> dict[str, Any]:
    """``notify_secret`` (never repeated in a message) and ``notify_timeout``."""
    value = t.get("notify_secret")
    ok = value is None or (isinstance(value, str) and text_problem(value) is None)
    ctx.check(ok, f"{w}.notify_secret", "must be a string without control characters")
    timeout = t.get("notify_timeout", 10)
    problem = timeout_problem(timeout)
    ctx.check(problem is None, f"{w}.notify_timeout", problem or "")
    return {"notify_secret": secret(value), "notify_timeout": duration_seconds(timeout)}


def with_alerts(
    ctx: _Ctx, data: Mapping[str, Any], topics: tuple[Topic, ...], settings: Settings
) -> tuple[Topic, ...]:
    """``topics`` with their ``notify`` targets and ``notify_every`` (each table in ``data``
    was checked by the loader already, in this order)."""
    done = []
    for i, (table, topic) in enumerate(zip(ctx.tables(data, "topics"), topics, strict=True)):
        w = f"topics[{i}]"
        targets = table.get("notify", [])
        # Not ctx.get: its message would repeat the value, and a URL may hold a password.
        ctx.check(isinstance(targets, list), f"{w}.notify", "must be an array of target URLs")
        for j, url in enumerate(targets):
            problem = target_problem(url, secret=settings.notify_secret)
            ctx.check(problem is None, f"{w}.notify[{j}]", problem or "")
        every = table.get("notify_every", INSTANT)
        problem = every_problem(every)
        ctx.check(problem is None, f"{w}.notify_every", problem or "")
        found = tuple(dict.fromkeys(targets))
        done.append(replace(topic, notify=found, notify_every=every_value(every)))
    return tuple(done)
