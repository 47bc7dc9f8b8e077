"""``feeds search`` and ``feeds explain`` output: queries over the store, matches highlighted.

``search`` compiles a query (and an optional exclude and languages) the way a topic's is
compiled, asks the store for the newest matches and their count; ``render_result`` and
``render_explain`` format results with the matched words highlighted (``feeds.cli.terminal``).
Reads the store; never writes it nor public/.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from feeds.cli.terminal import highlight, snippet
from feeds.models import Config, Entry
from feeds.normalize.text import body_text
from feeds.store.protocols import StoreType
from feeds.topics.about import About
from feeds.topics.highlight import query_leaves
from feeds.topics.query import Query, Term, explain_topic, parse_query, tokens
from feeds.topics.selection import select


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: Query
    exclude: Query | None
    #: The newest matches, newest first.
    entries: tuple[Entry, ...]
    #: How many entries match in all.
    total: int


def search(
    store: StoreType,
    query: str,
    *,
    exclude: str | None = None,
    languages: tuple[str, ...] = (),
    limit: int = 20,
    about: About | None = None,
) -> SearchResult:
    """The newest ``limit`` stored entries a topic with this query (and ``about``: a saved
    topic's) would hold, and the total.

    Raises QuerySyntaxError (with the position) when ``query`` or ``exclude`` does not parse.
    """
    selection = select(query, exclude, languages, about)
    entries = store.search(selection, limit=limit)
    return SearchResult(selection.query, selection.exclude, tuple(entries), store.count(selection))


def unknown_filters(
    config: Config, store: StoreType, query: str, languages: tuple[str, ...] = ()
) -> list[str]:
    """Warnings for ``source:`` and ``lang:`` terms and ``--lang`` values that name nothing
    known: no source of the config or the store, no language of the config that any stored
    entry has. A typo there silently matches nothing; the warning lists what would match."""
    leaves = [leaf for leaf in query_leaves(parse_query(query)) if not leaf.prefix]
    leaves += [Term(lang, tokens(lang), field="lang") for lang in languages]
    sources = sorted({s.name for s in config.sources} | set(store.count_entries()))
    langs = sorted(_config_languages(config))
    warnings: list[str] = []
    for leaf in leaves:
        if leaf.field == "source" and all(tokens(n) != leaf.tokens for n in sources):
            known = ", ".join(sources) or "none"
            warnings.append(f"source:{leaf.text} names no source (sources: {known})")
        elif leaf.field == "lang" and all(tokens(n)[:1] != leaf.tokens[:1] for n in langs):
            if not leaf.tokens or store.count(select(str(leaf))) == 0:
                known = ", ".join(langs) or "none"
                warnings.append(f"lang:{leaf.text} matches no stored entry (languages: {known})")
    return list(dict.fromkeys(warnings))


def _about_line(meaning: tuple[float, float] | None) -> str:
    if meaning is None:
        return ""
    score, threshold = meaning
    return f"about: similarity {score:.3f} {'≥' if score >= threshold else '<'} {threshold}"


def _config_languages(config: Config) -> set[str]:
    found = set(config.settings.languages)
    found.update(s.language for s in config.sources if s.language)
    for topic in config.topics:
        found.update(topic.languages)
    return found


def render_result(result: SearchResult, *, color: bool, limit: int) -> Iterator[str]:
    """Lines: one per entry (date, source, highlighted title), a snippet, then the count."""
    leaves = query_leaves(result.query)
    for entry in result.entries:
        title = highlight(entry.title, leaves, color=color)
        yield f"{entry.published:%Y-%m-%d}  {entry.source:<16} {title}"
        body = body_text(entry.summary, entry.content)
        if excerpt := snippet(body, leaves, color=color):
            yield f"{'':28}{excerpt}"
        yield f"{'':28}{entry.id}"
    shown = len(result.entries)
    if result.total == 0:
        yield "no stored entry matches (see `feeds status` for what is stored)"
    elif result.total > shown:
        yield f"{result.total} entries match; showing the newest {shown} (--limit {limit})"
    else:
        yield f"{result.total} {'entry matches' if result.total == 1 else 'entries match'}"


def render_explain(
    config: Config,
    entry: Entry,
    *,
    color: bool,
    about: Mapping[str, tuple[float, float]] | None = None,
) -> Iterator[str]:
    """For each topic: MATCH or no, the terms, and the entry's text with them highlighted;
    for a topic with ``about``, the line ``about`` gives (its similarity and threshold)."""
    from feeds.cli.explain import document  # normalize & co.: only for explain

    doc = document(entry)
    yield entry.title
    yield f"  id {entry.id}\n  lang {entry.language}, source {entry.source}"
    for topic in config.topics:
        meaning = (about or {}).get(topic.slug)
        near = meaning is None or meaning[0] >= meaning[1]
        line = _about_line(meaning)
        if not topic.query.strip():  # `about` alone: its similarity says
            yield f"{'MATCH' if near else 'no   '} {topic.slug} ({topic.title})\n      {line}"
            continue
        result = explain_topic(topic.query, topic.exclude, topic.languages, doc)
        yield f"{'MATCH' if result.matched and near else 'no   '} {topic.slug} ({topic.title})"
        yield from (f"      {line}" for line in result.render().splitlines())
        if meaning is not None:
            yield f"      {line}"
        if result.query.terms:
            leaves = query_leaves(parse_query(topic.query))
            yield f"      {highlight(entry.title, leaves, color=color)}"
            if excerpt := snippet(doc.body, leaves, color=color, width=90):
                yield f"      {excerpt}"
