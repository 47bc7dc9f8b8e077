"""An entry's article page, fetched politely and its text extracted (full text; page
sources use it too): ``Articles(fetcher).fetch(link, options)``.

The page is fetched with the process's Fetcher (conditional GET with the validators of the
last fetch, per-host and global limits, timeouts, the body limit, redirects), after the
host's robots.txt allows it (feeds.sources.robots). The text is extracted by
feeds.parse.article and sanitized by feeds.normalize.fulltext (``page_content``: pure CPU,
which a caller may run in a worker process by passing its own ``extract``). Every failure is
an ArticleError saying whether trying again can help; nothing here touches the store or
decides when to fetch (feeds.decide.fulltext does).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from feeds.errors import ArticleError, FetchError
from feeds.models import Source
from feeds.normalize.fulltext import article_content
from feeds.parse.article import extract_article
from feeds.sources.http import Fetcher
from feeds.sources.robots import robots_of

__all__ = ["Article", "ArticleOptions", "Articles", "Extract", "page_content"]

#: Extracts sanitized content from a page's bytes: (body, url, selector) → HTML.
Extract = Callable[[bytes, str, str | None], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class ArticleOptions:
    """What a source says about its article pages."""

    #: CSS selector of the body (None: trafilatura finds it).
    content_selector: str | None = None

    @classmethod
    def of(cls, source: Source) -> ArticleOptions:
        return cls(content_selector=source.content_selector)


@dataclass(frozen=True, slots=True)
class Article:
    """An article page's text, or the news that it did not change."""

    #: Where the page came from, after redirects.
    url: str
    #: Sanitized HTML ("" when ``not_modified``).
    content: str
    #: The page answered 304 to the validators given: the text kept before stands.
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None


def page_content(body: bytes, url: str, selector: str | None) -> str:
    """The sanitized article text of the page ``body`` (pure CPU; ArticleError)."""
    return article_content(extract_article(body, url, selector), url)


async def _here(body: bytes, url: str, selector: str | None) -> str:
    return page_content(body, url, selector)


class Articles:
    """Article pages through ``fetcher``, robots.txt checked (cached with the fetcher)."""

    def __init__(self, fetcher: Fetcher, extract: Extract | None = None) -> None:
        self._fetcher = fetcher
        self._robots = robots_of(fetcher)
        self._extract = extract or _here

    async def fetch(
        self,
        link: str,
        options: ArticleOptions | None = None,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Article:
        """The article at ``link``: fetched (conditionally, given validators) and extracted.

        Raises ArticleError: robots.txt disallows it, the fetch failed, or no text found."""
        refusal = await self._robots.check(link)
        if refusal is not None:
            message = f"{link}: not fetched: {refusal.reason}"
            raise ArticleError(message, url=link, permanent=refusal.permanent)
        try:
            result = await self._fetcher.fetch(
                link, etag=etag, last_modified=last_modified, discover=False
            )
        except FetchError as e:
            raise ArticleError(e.message, url=link, permanent=_permanent(e)) from e
        if result.not_modified or result.body is None:
            return Article(result.final_url, "", True, result.etag, result.last_modified)
        kind = (result.content_type or "text/html").split(";")[0].strip().lower()
        if "html" not in kind:
            raise ArticleError(f"{link}: not an HTML page ({kind})", url=link, permanent=True)
        selector = options.content_selector if options is not None else None
        content = await self._extract(result.body, result.final_url, selector)
        return Article(result.final_url, content, False, result.etag, result.last_modified)


def _permanent(error: FetchError) -> bool:
    """A 4xx (but 408 and 429) or a 410 will answer the same next time."""
    status = error.status_code or 0
    return error.gone or (400 <= status < 500 and status not in (408, 429))
