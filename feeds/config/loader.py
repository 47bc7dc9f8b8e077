"""Read the TOML config into a frozen Config; every mistake names its file and key.

The file has three parts (see README, "Configuration"): ``[settings]``, ``[[sources]]`` and
``[[topics]]``. Relative paths are resolved against the folder of the config file. This module
reads one file and checks it; it does not touch the network, the store or public/.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from feeds.config import fulltext
from feeds.config import values as check
from feeds.config.about import ABOUT_KEYS, read_about
from feeds.config.cluster import of_node, store_setting
from feeds.config.context import Context as _Ctx
from feeds.config.notify import ALERT_SETTINGS, ALERTS, notify_settings, with_alerts
from feeds.config.page import KINDS, page_source, source_kind
from feeds.config.values import duration_seconds, parse_duration
from feeds.errors import ConfigError, QuerySyntaxError
from feeds.models import Config, OnDelete, Settings, Source, Topic

DEFAULT_PATH = Path("config/feeds.toml")
ENV_VAR = "FEEDS_CONFIG"

SETTINGS_KEYS = frozenset(
    ("base_url", "public_dir", "data_dir", "feed_size", "languages", "id_authority", "title")
    + ("interval", "rss", "json_feed", "archive_size", "websub_hubs", "dedupe")
    + ("feed_window", "feed_max", "full_text", "store", *ALERT_SETTINGS)
)
SOURCE_KEYS = frozenset(
    ("name", "kind", "url", "path", "interval", "title", "author", "language", "link_base")
    + ("enabled", "on_delete", "page", "full_text", "content_selector")
)
TOPIC_KEYS = ABOUT_KEYS | {"slug", "title", "query", "exclude", "languages", "description", *ALERTS}
TOP_KEYS = frozenset({"settings", "sources", "topics"})

# Always used with fullmatch: a pattern's `$` also matches before a final newline (#15 item 10).
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_RESERVED_SLUGS = frozenset({"index", "status"})
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")

T = TypeVar("T")


def default_path() -> Path:
    """``$FEEDS_CONFIG`` if set, else ``config/feeds.toml``."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def load_config(path: Path | str) -> Config:
    """Read and check the config at ``path``. Raises ConfigError naming file and key."""
    path = Path(path)
    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "no such file: create one with `feeds init`, or pass --config PATH", file=file
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read: {e}", file=file) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"not valid TOML: {e}", file=file) from None
    return parse_config(data, path=path.resolve())


def parse_config(data: Mapping[str, Any], *, path: Path) -> Config:
    """Check already-decoded TOML ``data`` as if read from ``path``."""
    ctx = _Ctx(str(path), path.parent)
    ctx.no_unknown(data, TOP_KEYS, "")
    settings = of_node(ctx.table(data, "settings"), os.environ, lambda t: _settings(ctx, t))
    sources = tuple(
        _source(ctx, s, f"sources[{i}]", settings)
        for i, s in enumerate(ctx.tables(data, "sources"))
    )
    topics = tuple(_topic(ctx, t, f"topics[{i}]") for i, t in enumerate(ctx.tables(data, "topics")))
    ctx.unique([s.name for s in sources], "sources", "name")
    ctx.unique([t.slug for t in topics], "topics", "slug")
    topics = with_alerts(ctx, data, topics, settings)  # #18
    return Config(file=path, settings=settings, sources=sources, topics=topics)


def _duration(ctx: _Ctx, t: Mapping[str, Any], where: str, default: timedelta) -> timedelta:
    if "interval" not in t:
        return default
    seconds = duration_seconds(t["interval"])
    ctx.check(
        seconds is not None,
        f"{where}.interval",
        f'must be a duration like "15m", "2h" or "1d", not {t["interval"]!r}',
    )
    assert seconds is not None
    problem = check.duration_problem(seconds)
    ctx.check(problem is None, f"{where}.interval", problem or "")
    return timedelta(seconds=seconds)


def _languages(
    ctx: _Ctx, t: Mapping[str, Any], where: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    values = ctx.get(t, "languages", list, where, list(default))
    for i, v in enumerate(values):
        ok = isinstance(v, str) and bool(_LANG.fullmatch(v))
        ctx.check(ok, f"{where}.languages[{i}]", f'must be a language tag like "fr", not {v!r}')
    return tuple(v.lower() for v in values)


def _http_url(ctx: _Ctx, value: str, key: str) -> str:
    problem = check.url_problem(value)
    ctx.check(problem is None, key, problem or "")
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a malformed IPv6 host
        ok = False
    ctx.check(ok, key, f"must be an http:// or https:// URL, not {value!r}")
    return value


def _settings(ctx: _Ctx, t: Mapping[str, Any]) -> Settings:
    w = "settings"
    ctx.no_unknown(t, SETTINGS_KEYS, w)
    base_url = _http_url(
        ctx, ctx.get(t, "base_url", str, w, "http://127.0.0.1:8080/"), f"{w}.base_url"
    )
    problem = check.base_url_problem(base_url)
    ctx.check(problem is None, f"{w}.base_url", problem or "")
    if not base_url.endswith("/"):
        base_url += "/"
    feed_size = ctx.get(t, "feed_size", int, w, 50)
    ctx.check(1 <= feed_size <= 10_000, f"{w}.feed_size", "must be between 1 and 10000")
    authority = ctx.get(t, "id_authority", str, w, "") or None
    ctx.check(
        authority is None or re.fullmatch(r"[A-Za-z0-9.@-]+", authority) is not None,
        f"{w}.id_authority",
        "must be a domain name or an email address",
    )
    languages = _languages(ctx, t, w, ("en", "fr"))
    ctx.check(bool(languages), f"{w}.languages", "must name at least one language")
    public_dir, data_dir = _folders(ctx, t, w)
    return Settings(
        base_url=base_url,
        public_dir=public_dir,
        data_dir=data_dir,
        store=store_setting(ctx.get(t, "store", str, w, ""), ctx.error),
        feed_size=feed_size,
        languages=languages,
        id_authority=authority,
        title=ctx.get(t, "title", str, w, "feeds"),
        interval=_duration(ctx, t, w, timedelta(minutes=30)),
        **_publishing(ctx, t, w),
        **_window(ctx, t, w, feed_size),
        **notify_settings(ctx, t, w),
        full_text=fulltext.full_text(ctx, t, w, False),
    )


def _folders(ctx: _Ctx, t: Mapping[str, Any], w: str) -> tuple[Path, Path]:
    """public_dir and data_dir: folders (or yet to be made), the store not among what is served."""
    public_dir = ctx.path(ctx.get(t, "public_dir", str, w, "../public"), f"{w}.public_dir")
    data_dir = ctx.path(ctx.get(t, "data_dir", str, w, "../data"), f"{w}.data_dir")
    for key, folder in (("public_dir", public_dir), ("data_dir", data_dir)):
        problem = check.folder_problem(folder)
        ctx.check(problem is None, f"{w}.{key}", problem or "")
    problem = check.layout_problem(public_dir, data_dir)
    ctx.check(problem is None, f"{w}.data_dir", problem or "")
    return public_dir, data_dir


def _publishing(ctx: _Ctx, t: Mapping[str, Any], w: str) -> dict[str, Any]:
    """The settings of issue 5: formats, archives, WebSub hubs, one story once."""
    archive_size = ctx.get(t, "archive_size", int, w, 100)
    ctx.check(
        archive_size == 0 or 10 <= archive_size <= 10_000,
        f"{w}.archive_size",
        "must be 0 (no archives) or between 10 and 10000",
    )
    hubs = ctx.get(t, "websub_hubs", list, w, [])
    for i, hub in enumerate(hubs):
        key = f"{w}.websub_hubs[{i}]"
        ctx.check(isinstance(hub, str), key, f"must be a hub URL, not {hub!r}")
        _http_url(ctx, hub, key)
    return {
        "rss": ctx.get(t, "rss", bool, w, True),
        "json_feed": ctx.get(t, "json_feed", bool, w, True),
        "archive_size": archive_size,
        "websub_hubs": tuple(dict.fromkeys(hubs)),
        "dedupe": ctx.get(t, "dedupe", bool, w, True),
    }


def _window(ctx: _Ctx, t: Mapping[str, Any], w: str, feed_size: int) -> dict[str, Any]:
    """``feed_window`` and ``feed_max`` (#15 item 14): what the current feed keeps past
    ``feed_size`` (feeds.publish.window)."""
    window = timedelta(days=2)
    if "feed_window" in t:
        value = t["feed_window"]
        off = value in (0, "0") and not isinstance(value, bool)
        try:
            found = timedelta(0) if off else parse_duration(value)
        except (OverflowError, ValueError):  # not finite, or past what timedelta holds
            found = None
        ctx.check(
            found is not None and found <= check.MAX_DURATION,
            f"{w}.feed_window",
            f'must be a duration up to 365d like "2d" or "36h", or 0 (off), not {value!r}',
        )
        assert found is not None
        window = found
    archive_size = t.get("archive_size", 100)  # checked by _publishing
    least = feed_size + (archive_size if isinstance(archive_size, int) else 0)
    feed_max = ctx.get(t, "feed_max", int, w, max(500, least))
    ctx.check(
        least <= feed_max <= 100_000,
        f"{w}.feed_max",
        f"must be between feed_size + archive_size ({least}) and 100000: the current feed "
        "always holds the newest feed_size stories and what no complete archive page holds",
    )
    return {"feed_window": window, "feed_max": feed_max}


def _source(ctx: _Ctx, t: Mapping[str, Any], w: str, settings: Settings) -> Source:
    ctx.no_unknown(t, SOURCE_KEYS, w)
    name = ctx.required(t, "name", w)
    ctx.check(
        bool(_NAME.fullmatch(name)),
        f"{w}.name",
        f"must be letters, digits, '-', '_' or '.', not {name!r}",
    )
    kind = ctx.get(t, "kind", str, w, "feed")
    ctx.check(kind in KINDS, f"{w}.kind", f'must be "feed", "articles" or "page", not {kind!r}')
    page = page_source(t, w, ctx.file, kind)
    url, path = _location(ctx, t, w, kind)
    language = ctx.get(t, "language", str, w, "") or None
    ctx.check(
        language is None or bool(_LANG.fullmatch(language)),
        f"{w}.language",
        f'must be a language tag like "fr", not {language!r}',
    )
    link_base = ctx.get(t, "link_base", str, w, "") or None
    if link_base is not None:
        link_base = _http_url(ctx, link_base, f"{w}.link_base").rstrip("/") + "/"
    return Source(
        name=name,
        kind=source_kind(kind),
        url=url,
        path=path,
        interval=_duration(ctx, t, w, settings.interval),
        title=ctx.get(t, "title", str, w, "") or None,
        author=ctx.get(t, "author", str, w, "") or None,
        language=language.lower() if language else None,
        link_base=link_base,
        enabled=ctx.get(t, "enabled", bool, w, True),
        on_delete=_on_delete(ctx, t, w, kind),
        page=page,
        **fulltext.source_full_text(ctx, t, w, kind, settings.full_text),
    )


def _on_delete(ctx: _Ctx, t: Mapping[str, Any], w: str, kind: str) -> OnDelete:
    """What a deleted article file does to its entry (#15 item 17): "retract" or "keep"."""
    value = ctx.get(t, "on_delete", str, w, "retract")
    ctx.check(
        value in ("retract", "keep"), f"{w}.on_delete",
        f'must be "retract" (the default) or "keep", not {value!r}',
    )  # fmt: skip
    ctx.check(
        kind == "articles" or "on_delete" not in t, f"{w}.on_delete",
        "applies to articles sources only (a feed's entries are not files)",
    )  # fmt: skip
    return "keep" if value == "keep" else "retract"


def _location(ctx: _Ctx, t: Mapping[str, Any], w: str, kind: str) -> tuple[str | None, Path | None]:
    url = ctx.get(t, "url", str, w, "") or None
    raw_path = ctx.get(t, "path", str, w, "") or None
    if kind == "articles":
        ctx.check(url is None, f"{w}.url", "articles sources take a folder `path`, not a `url`")
        ctx.check(raw_path is not None, f"{w}.path", "is required: the folder of article files")
        assert raw_path is not None
        path = ctx.path(raw_path, f"{w}.path")
        ctx.check(path.is_dir(), f"{w}.path", f"folder not found: {path}")
        return None, path
    ctx.check(
        (url is None) != (raw_path is None),
        w,
        "a feed source needs exactly one of `url` (http/https) or `path` (a local file)",
    )
    if url is not None:
        return _http_url(ctx, url, f"{w}.url"), None
    assert raw_path is not None
    path = ctx.path(raw_path, f"{w}.path")
    problem = check.feed_file_problem(path)
    ctx.check(problem is None, f"{w}.path", problem or "")
    return None, path


def _topic(ctx: _Ctx, t: Mapping[str, Any], w: str) -> Topic:
    ctx.no_unknown(t, TOPIC_KEYS, w)
    slug = ctx.required(t, "slug", w)
    ctx.check(
        bool(_SLUG.fullmatch(slug)),
        f"{w}.slug",
        f"must be lower-case letters, digits and '-', not {slug!r}",
    )
    # public/<slug>.html is the topic's page: these are the site's own (#20).
    ctx.check(slug not in _RESERVED_SLUGS, f"{w}.slug", f"{slug!r} is the name of a site page")
    about, min_similarity = read_about(t, w, ctx.file)  # with about, no query is needed
    query = ctx.get(t, "query", str, w, "") if about else ctx.required(t, "query", w)
    exclude = ctx.get(t, "exclude", str, w, "") or None
    for key, text in (("query", query), ("exclude", exclude)):
        if text is not None and text.strip():
            _check_query(ctx, text, f"{w}.{key}")
    return Topic(
        slug=slug,
        title=ctx.required(t, "title", w),
        query=query,
        exclude=exclude,
        languages=_languages(ctx, t, w, ()),
        description=ctx.get(t, "description", str, w, "") or None,
        about=about, min_similarity=min_similarity,
    )  # fmt: skip


def _check_query(ctx: _Ctx, text: str, key: str) -> None:
    from feeds.topics.query import parse_query

    try:
        parse_query(text)
    except QuerySyntaxError as e:
        # The CLI shows the query with a caret under the fault, as for `feeds search`.
        raise ConfigError(str(e), file=ctx.file, key=key, query_error=e) from None
