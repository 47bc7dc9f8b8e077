"""The values that flow through the pipeline: frozen dataclasses, no I/O.

Config side: Settings, Source, Topic, Config. Pipeline side: RawItem and ParsedFeed (what
parsers return), Entry (what normalize returns and the store keeps), SourceState (what the
store remembers about a source between runs). All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

SourceKind = Literal["feed", "articles", "page"]
#: What deleting an article file does to its entry: retract it, or keep it (an archive).
OnDelete = Literal["retract", "keep"]
#: Whether entries get their article page's text (docs/full-text.md): never, always, or when
#: the feed's text looks truncated (feeds.decide.fulltext).
FullText = Literal[False, True, "auto"]


@dataclass(frozen=True, slots=True)
class Settings:
    #: Where public/ is served; self links and article page links use it. Ends with "/".
    base_url: str
    #: Folder the published files are written to.
    public_dir: Path
    #: Folder of the SQLite store, the lock and other state.
    data_dir: Path
    #: Entries per topic feed.
    feed_size: int = 50
    #: Languages that detection may answer (BCP 47 primary tags).
    languages: tuple[str, ...] = ("en", "fr")
    #: Authority of ``tag:`` ids; fixed in the store the first time it is used.
    id_authority: str | None = None
    #: Title of the site (index page, OPML).
    title: str = "feeds"
    #: Default interval between two runs of a source.
    interval: timedelta = timedelta(minutes=30)
    #: Also publish public/<slug>.rss (RSS 2.0).
    rss: bool = True
    #: Also publish public/<slug>.json (JSON Feed 1.1).
    json_feed: bool = True
    #: Entries per RFC 5005 archive page (0: no archives).
    archive_size: int = 100
    #: WebSub hubs: announced in every feed, pinged after a feed changed.
    websub_hubs: tuple[str, ...] = ()
    #: Show one story once per topic feed (near-duplicates become related links).
    dedupe: bool = True
    #: The current feed also keeps every entry that arrived (was first stored) within this
    #: time of the topic's newest arrival, past ``feed_size`` (0: off). See feeds.publish.window.
    feed_window: timedelta = timedelta(days=2)
    #: The most stories a current feed shows, whatever arrived within ``feed_window``.
    feed_max: int = 500
    #: Key of the signed webhooks' HMAC (``X-Feeds-Signature``); never shown (#18).
    notify_secret: str | None = field(default=None, repr=False)
    #: Seconds one alert target may take to answer before it counts as failed.
    notify_timeout: float = 10.0
    #: The default of each source's ``full_text``.
    full_text: FullText = False
    #: The store's URL (``postgresql://…`` or ``sqlite:///…``); None: SQLite in data_dir.
    store: str | None = None


@dataclass(frozen=True, slots=True)
class PageRules:
    """How a web page without a feed becomes items (kind "page"; feeds.parse.page).

    CSS selectors: ``items`` finds one element per entry on the page; the others apply inside
    each item (None: the field is left empty, or its default, see feeds.parse.page).
    """

    items: str
    title: str | None = None
    #: Its element's ``href``, resolved against the page (default: the item's first link).
    link: str | None = None
    #: Its element's ``datetime`` attribute, else its text.
    date: str | None = None
    #: ``strptime`` format of the date text; None: parsed leniently.
    date_format: str | None = None
    #: Inner HTML.
    summary: str | None = None
    #: Inner HTML.
    content: str | None = None
    author: str | None = None
    #: The link to the next page of the listing (its ``href``), followed up to ``max_pages``.
    next: str | None = None
    #: Pages read per run, the first included.
    max_pages: int = 1


@dataclass(frozen=True, slots=True)
class Source:
    #: Unique name; used in status, ids and ``source:`` queries.
    name: str
    kind: SourceKind
    #: Remote feed URL (http/https), for kind "feed".
    url: str | None = None
    #: Local path: a feed file for "feed", a folder for "articles". Absolute.
    path: Path | None = None
    interval: timedelta = timedelta(minutes=30)
    #: Human title (defaults to the name).
    title: str | None = None
    #: Author given to entries that name none.
    author: str | None = None
    #: Language given to entries that declare none (else it is detected).
    language: str | None = None
    #: Base URL of article files that have no URL of their own (articles only).
    link_base: str | None = None
    enabled: bool = True
    #: Articles: a deleted file retracts its entry (a tombstone, its page 410), or "keep".
    on_delete: OnDelete = "retract"
    #: Pages (kind "page"): the CSS selectors that turn the page into items.
    page: PageRules | None = None
    #: Feeds: fetch each entry's article page and keep its text as the content (or "auto").
    full_text: FullText = False
    #: CSS selector of the article's body on its page; None: trafilatura finds it.
    content_selector: str | None = None

    @property
    def location(self) -> str:
        """The URL or path, for messages."""
        return self.url if self.url else str(self.path)


@dataclass(frozen=True, slots=True)
class Topic:
    #: public/<slug>.atom
    slug: str
    title: str
    #: Saved query (see feeds.topics.query).
    query: str
    #: Entries matching this query are left out.
    exclude: str | None = None
    #: Only entries in these languages (primary tags); empty means any.
    languages: tuple[str, ...] = ()
    description: str | None = None
    #: Alert targets (#18): Apprise URLs, or http(s) URLs of signed webhooks. Not in repr:
    #: a URL may hold a password or a token.
    notify: tuple[str, ...] = field(default=(), repr=False)
    #: None: an alert right after the publish that added entries; else one digest per period.
    notify_every: timedelta | None = None
    #: What the topic is about, in sentences of any language, matched by meaning
    #: (feeds.topics.about; the optional extra). Empty: none.
    about: tuple[str, ...] = ()
    #: The cosine similarity an entry needs to an ``about`` sentence (None: the default).
    min_similarity: float | None = None


@dataclass(frozen=True, slots=True)
class Config:
    #: The file it was read from.
    file: Path
    settings: Settings
    sources: tuple[Source, ...] = ()
    topics: tuple[Topic, ...] = ()

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    def topic(self, slug: str) -> Topic | None:
        return next((t for t in self.topics if t.slug == slug), None)


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item as a parser found it, before normalization. Text fields may hold HTML."""

    #: The source's own identifier (RSS guid, Atom id, JSON Feed id), if any.
    guid: str | None = None
    #: Title; may contain markup or entities.
    title: str | None = None
    link: str | None = None
    #: HTML.
    summary: str | None = None
    #: HTML.
    content: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()
    #: Base URL for resolving relative links in this item.
    base: str | None = None
    #: Article files: path relative to the source folder (stable id key, page name).
    path: str | None = None
    #: Article files: the file's modification time.
    file_time: datetime | None = None
    #: A guid that is not a URI as feedparser resolved it against the feed's http(s) URL
    #: before #15 (item 4): the id an entry stored then may have (feeds.normalize.claims keeps it).
    resolved_guid: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a parser returns for one body or folder."""

    items: tuple[RawItem, ...] = ()
    title: str | None = None
    link: str | None = None
    language: str | None = None
    #: RSS <ttl> / sy:updatePeriod hint, in seconds.
    ttl: float | None = None
    #: Per-item problems that did not stop the others (e.g. one unreadable article file).
    problems: tuple[str, ...] = ()
    #: The feed's own authors (Atom feed author, RSS managingEditor, dc:creator…): they are
    #: the authors of its entries that name none (RFC 4287 §4.2.1).
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    """One normalized entry, as stored and published."""

    #: Stable for life: the source's guid when it is a usable URI, else a tag: URI.
    id: str
    #: Name of the source it came from.
    source: str
    #: Plain text.
    title: str
    #: Absolute URL, tracking parameters removed.
    link: str
    #: Sanitized HTML.
    summary: str
    #: Sanitized HTML ("" when the source gave only a summary).
    content: str
    authors: tuple[str, ...]
    published: datetime
    updated: datetime
    #: BCP 47 tag, e.g. "fr" or "en".
    language: str
    categories: tuple[str, ...] = ()
    #: For articles without a URL: the page under public/ the link points to.
    page: str | None = None
    #: Hash of the fields that matter (not dates): equal hash, nothing to do.
    hash: str = field(default="")
    #: The id this entry had before #15 item 4 when that differs (not stored): it keeps it
    #: if it is stored under it (feeds.normalize.claims).
    former_id: str | None = None
    #: The id that entries of one fetch with distinct guids that are not URIs shared, their
    #: common link making it (not stored): ``id`` is then the guid's own; the one stored
    #: under the shared id keeps it (feeds.normalize.claims, #15 item 4).
    shared_id: str | None = None

    def __reduce__(self) -> tuple[type[Entry], tuple[Any, ...]]:
        """Pickled as the tuple of its fields (worker processes send entries by the
        thousand): half the time of the dataclass default, both ways."""
        return (Entry, _entry_fields(self))


_entry_fields = attrgetter(*(f.name for f in fields(Entry)))


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store remembers about a source between runs."""

    name: str
    #: Current URL (after permanent redirects), or None for local sources.
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    #: Hash of the last body parsed, to skip an unchanged 200.
    body_hash: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    #: "ok", "error", "gone", "new".
    status: str = "new"
    message: str | None = None
    failures: int = 0
    #: Not before this time (server asked us to wait, or backoff).
    next_due: datetime | None = None
    #: Server asked us to wait until then (Retry-After).
    retry_after: datetime | None = None
    entries: int = 0


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The outcome of running one source through the pipeline."""

    source: str
    ok: bool
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    message: str | None = None
    #: Entry ids that were added or changed (to know which topics to republish).
    changed_ids: tuple[str, ...] = ()
