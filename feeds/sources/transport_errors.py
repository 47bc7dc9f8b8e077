"""What went wrong in an HTTP exchange, said in the project's words (not aiohttp's).

aiohttp describes a broken response with its internals: a parser fault is a
``ClientResponseError`` whose text begins "400, message=" although the server never sent a
400, a short body is "<ContentLengthError: 400, ...>", a dropped connection may print a
``RawResponseMessage``. Operators read these lines in ``feeds status`` and the health feed,
so feeds.sources.transport asks ``describe`` for one short phrase instead (#15 item 13). Pure: an
exception in, a string out; no I/O.
"""

from __future__ import annotations

import os
import re

import aiohttp
from aiohttp import http_exceptions

#: aiohttp's parser faults (the first line of its message) → what the server did wrong.
_PARSER_FAULTS = (
    ("bad status line", "its status line is not HTTP/1.x"),
    ("invalid response status", "its status code is not a number from 100 to 599"),
    ("duplicate content-length", "it sent two Content-Length headers"),
    ("content-length", "its Content-Length header is not a number"),
    ("chunk", "its chunked body is malformed"),
    ("got more than", "a header line is longer than the limit"),
    ("line too long", "a header line is longer than the limit"),
    ("header", "a header line is malformed"),
)
_RECEIVED = re.compile(r"received (\d+) of (\d+) bytes")


def describe(error: BaseException) -> str:
    """One line: the fault in the server's answer, or the network's, for a log or status."""
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        reason = getattr(error.certificate_error, "verify_message", "") or "not verified"
        return f"its TLS certificate is not trusted ({reason})"
    if isinstance(error, aiohttp.ClientConnectorSSLError):
        return f"the TLS handshake failed ({_ssl_reason(error.os_error)})"
    if isinstance(error, aiohttp.ClientPayloadError):
        return _cut_body(error)
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the server closed the connection before its response was complete"
    if isinstance(error, aiohttp.ClientResponseError):  # aiohttp's parser refused the answer
        return _parser_fault(error.message)
    if isinstance(error, aiohttp.ClientOSError) and error.errno and error.errno > 0:
        return os.strerror(error.errno)
    return " ".join(str(error).split()) or type(error).__name__


def _cut_body(error: aiohttp.ClientPayloadError) -> str:
    cause = error.__cause__ or error.__context__
    if isinstance(cause, http_exceptions.ContentLengthError):
        if match := _RECEIVED.search(str(cause)):
            got, announced = match.groups()
            return (
                f"the body ended after {got} of the {announced} bytes its Content-Length announced"
            )
        return "the body ended before the length its Content-Length announced"
    if isinstance(cause, http_exceptions.TransferEncodingError):
        return "its chunked body ended before the last chunk"
    if isinstance(cause, http_exceptions.ContentEncodingError):
        return "its body does not decode as its Content-Encoding says"
    return "the body was cut off before its end"


def _parser_fault(message: str) -> str:
    first = message.strip().splitlines()[0].lower() if message.strip() else ""
    for words, meaning in _PARSER_FAULTS:
        if words in first:
            return meaning
    return "it is not a valid HTTP/1.1 response"


def _ssl_reason(error: OSError) -> str:
    return str(getattr(error, "reason", "") or "") or error.strerror or type(error).__name__
