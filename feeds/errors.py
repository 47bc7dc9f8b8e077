"""The one exception tree of feeds.

Every error the package raises on purpose derives from FeedsError::

    FeedsError
     ├── ConfigError (also ValueError)      a bad config: names file and key
     ├── QuerySyntaxError (also ValueError) a bad topic query: names the position
     ├── SourceError                        one source failed; recorded, never aborts a run
     │    ├── FetchError                    network, HTTP status, limits
     │    ├── ParseError                    the body or file could not be read as entries
     │    └── ArticleError                  an entry's article page could not be had (full
     │                                      text): recorded, the entry keeps the feed's text
     ├── StoreError                         the store could not be opened or written
     │    ├── QueryTooCostly                a read-only search went past its budget
     │    ├── StoreUnreachable              PostgreSQL: a bad URL, a server down, a login refused
     │    ├── StoreSchemaError              the store's schema is newer than this feeds
     │    └── LeaseLost                     a node's lease on a source is no longer its own
     ├── PublishError                       a topic could not be published
     └── LockError                          another process holds the data folder

Wrap third-party exceptions only at the edges, chained (``raise X(...) from e``), and only
those that are not programming errors.
"""

from __future__ import annotations


class FeedsError(Exception):
    """Base of every error raised by feeds on purpose."""

    _default_message = "feeds error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self._default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class ConfigError(FeedsError, ValueError):
    """The configuration is invalid. ``file`` and ``key`` say where."""

    _default_message = "invalid configuration"

    def __init__(
        self,
        message: str = "",
        *,
        file: str | None = None,
        key: str | None = None,
        query_error: QuerySyntaxError | None = None,
    ):
        super().__init__(message)
        self.file = file
        self.key = key
        #: When the key is a topic's query that does not parse: where (for a caret).
        self.query_error = query_error

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.key) if p)
        return f"{where}: {self.message}" if where else self.message


class QuerySyntaxError(FeedsError, ValueError):
    """A topic query does not parse. ``position`` is the 0-based offset of the problem."""

    _default_message = "invalid query"

    def __init__(self, message: str = "", *, query: str = "", position: int = 0) -> None:
        super().__init__(message)
        self.query = query
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} at position {self.position + 1}"

    def pointer(self) -> str:
        """The query with a caret under the offending character."""
        # A query from a TOML multi-line string: one line, so the caret stays under it.
        shown = self.query.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        return f"{shown}\n{' ' * self.position}^"


class SourceError(FeedsError):
    """One source failed. Recorded on the source; the others go on."""

    _default_message = "source failed"

    def __init__(self, message: str = "", *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class FetchError(SourceError):
    """A fetch failed: connection, timeout, HTTP status, a limit."""

    _default_message = "fetch failed"

    def __init__(
        self,
        message: str = "",
        *,
        source: str | None = None,
        url: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
        gone: bool = False,
    ) -> None:
        super().__init__(message, source=source)
        self.url = url
        self.status_code = status_code
        #: Seconds the server asked us to wait (429/503 ``Retry-After``).
        self.retry_after = retry_after
        #: 410 Gone: the source should be disabled.
        self.gone = gone


class ParseError(SourceError):
    """A body or article file could not be read as entries."""

    _default_message = "could not parse"


class ArticleError(SourceError):
    """An entry's article page could not be fetched or its text extracted (full text).

    ``permanent``: trying again cannot help (robots.txt disallows it, a 4xx, no text)."""

    _default_message = "article not available"

    def __init__(self, message: str = "", *, url: str | None = None, permanent: bool = False):
        super().__init__(message)
        self.url = url
        self.permanent = permanent


class StoreError(FeedsError):
    """The store (SQLite or PostgreSQL) could not be opened, read or written."""

    _default_message = "store error"


class StoreUnreachable(StoreError):
    """A PostgreSQL store could not be reached: a bad URL, a server down, a refused login."""

    _default_message = "cannot reach the store"


class StoreSchemaError(StoreError):
    """The store was made by a newer feeds (its schema is newer than this one's)."""

    _default_message = "the store's schema is newer than this feeds"


class LeaseLost(StoreError):
    """A write of a source's run was refused: the node's lease on the source expired or was
    taken by another node (the result of a stalled node never overwrites a newer one)."""

    _default_message = "the lease on the source was lost"


class PublishError(FeedsError):
    """A topic's files could not be written."""

    _default_message = "publish failed"

    def __init__(self, message: str = "", *, topic: str | None = None) -> None:
        super().__init__(message)
        self.topic = topic


class LockError(FeedsError):
    """Another feeds process holds the lock on the data folder."""

    _default_message = "another feeds process is running"


class QueryTooCostly(StoreError):
    """A search on the read-only store went past its budget and was interrupted."""

    _default_message = "the query was interrupted: it cost more than allowed"
