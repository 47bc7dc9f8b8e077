"""A bounded Content-Encoding decoder: gzip and deflate, chunk by chunk, never past a limit.

Used by feeds.sources.http for every body it reads. Pure (bytes in, bytes out): it must not
fetch, touch the store or know about feeds.
"""

from __future__ import annotations

import zlib

from feeds.errors import FetchError

__all__ = ["Inflater"]


class Inflater:
    """Decodes a Content-Encoding chunk by chunk, never producing more than it is allowed.

    httpx's own decoders inflate a whole network chunk at once (a 64 KiB chunk of a gzip
    bomb is 64 MiB); zlib's ``max_length`` lets us stop at the limit instead.
    """

    __slots__ = ("_url", "_encoding", "_zlib")

    def __init__(self, encoding: str, url: str) -> None:
        self._url = url
        self._encoding = encoding
        # gzip: 16 + MAX_WBITS; deflate: zlib-wrapped, or raw (-MAX_WBITS) for broken servers.
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None

    @classmethod
    def for_encoding(cls, header: str | None, url: str) -> Inflater:
        encoding = (header or "identity").strip().lower()
        encoding = {"x-gzip": "gzip", "": "identity"}.get(encoding, encoding)
        if encoding not in ("gzip", "deflate", "identity"):
            raise FetchError(f"{url} sent an unsupported Content-Encoding {header!r}", url=url)
        return cls(encoding, url)

    def feed(self, raw: bytes, room: int) -> bytes | None:
        """Decoded bytes of ``raw``, or None if they would be more than ``room``."""
        if self._encoding == "identity":
            return raw if len(raw) <= room else None
        if self._zlib is None:  # deflate: decide on the first bytes whether zlib or raw
            wrapped = len(raw) >= 2 and (raw[0] & 0x0F) == 8 and (raw[0] << 8 | raw[1]) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out = b""
        try:
            while raw:
                data = self._zlib.decompress(raw, room - len(out) + 1)
                out += data
                if len(out) > room or self._zlib.unconsumed_tail:
                    return None
                raw = self._zlib.unused_data if self._zlib.eof else b""
                if not raw.startswith(b"\x1f\x8b"):
                    break  # ignore trailing garbage, as browsers do
                # another gzip member follows (concatenated gzip is valid)
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error as e:
            message = f"corrupt {self._encoding} body from {self._url}"
            raise FetchError(message, url=self._url) from e
        return out
