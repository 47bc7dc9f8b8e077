"""The sending edge: a message to one target URL, and what the target answered.

A plain http(s) URL gets our own signed webhook (httpx; a ``POST`` of the JSON body with
``X-Feeds-Signature``; any 2xx is success, redirects are not followed). Every other URL goes
through Apprise, which knows every service (e-mail, ntfy, Telegram, Slack, Matrix…): the
HTML body to a service that takes HTML (e-mail sends it with its plain-text alternative),
the plain text to the others.

``as_answered`` sends to several targets at once, each in a daemon thread of its own, gives
each answer as it comes, and waits at most the timeout (and a little): a slow target holds
up no other, and a hung one does not keep the process alive. Apprise's own log lines go to
no log: a target's answer is kept per thread, scrubbed of the URL's password and of the
webhook secret, and returned. E-mail (and the HTTP services Apprise lets us add a header
to) carry the delivery id in ``X-Feeds-Delivery``. Nothing here reads the store or decides
what to send.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import httpx

from feeds.config.notify import is_webhook, redacted
from feeds.notify.message import SIGNATURE_HEADER, Message, signature

log = logging.getLogger("feeds.notify")

#: Seconds past the timeout that ``send_all`` waits for a target's thread.
GRACE = 1.0
#: The header that carries the delivery id where Apprise lets us add one (e-mail too).
DELIVERY_HEADER = "X-Feeds-Delivery"


@dataclass(frozen=True, slots=True)
class Answer:
    ok: bool
    #: What the target said, in a few words ("HTTP 200", "connection refused").
    text: str


class Sender(Protocol):
    """Sends ``message`` to ``url`` within ``timeout`` seconds; never raises."""

    def __call__(self, url: str, message: Message, *, timeout: float) -> Answer: ...


@dataclass(frozen=True, slots=True)
class Targets:
    """The default sender: webhooks signed with ``secret``, Apprise for the rest."""

    secret: str | None
    user_agent: str

    def __call__(self, url: str, message: Message, *, timeout: float) -> Answer:
        secrets = [s for s in (self.secret, _password(url)) if s]
        try:
            if is_webhook(url):
                answer = self.webhook(url, message, timeout)
            else:
                answer = apprise_send(url, message, timeout)
        except Exception as e:  # a target's failure is its answer, never the run's end
            answer = Answer(False, f"{type(e).__name__}: {e}")
        return Answer(answer.ok, scrub(answer.text, secrets))

    def webhook(self, url: str, message: Message, timeout: float) -> Answer:
        headers = {"Content-Type": "application/json", "User-Agent": self.user_agent}
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(self.secret, message.body)
        try:
            response = httpx.post(url, content=message.body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return Answer(False, f"no answer within {timeout:g}s")
        except httpx.HTTPError as e:
            return Answer(False, _reason(e))
        ok = 200 <= response.status_code < 300
        said = f"HTTP {response.status_code}"
        return Answer(ok, said if ok else f"{said}: {response.text[:200].strip()}".rstrip(": "))


def _reason(error: httpx.HTTPError) -> str:
    text = str(error) or type(error).__name__
    return "connection refused" if "refused" in text.lower() else text


def _password(url: str) -> str | None:
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` without any of ``secrets`` (the one line of an answer)."""
    for secret in secrets:
        text = text.replace(secret, "****")
    return " ".join(text.split())[:300]


# -- Apprise ---------------------------------------------------------------------------------


class _PerThread(logging.Handler):
    """Apprise's log lines, kept per thread (each target sends in its own)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: dict[int, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.setdefault(threading.get_ident(), []).append(record.getMessage())

    def take(self) -> list[str]:
        return self.lines.pop(threading.get_ident(), [])


_HANDLER = _PerThread()
_SETUP = threading.Lock()


def _apprise() -> Any:
    """The apprise module, its log kept out of ours (loaded on first use: it is large)."""
    import apprise

    with _SETUP:
        logger = logging.getLogger("apprise")
        if _HANDLER not in logger.handlers:
            logger.addHandler(_HANDLER)
            logger.setLevel(logging.INFO)
            logger.propagate = False
    return apprise


def label(url: str) -> str:
    """What status, logs and errors show of a target: Apprise's own private form of an
    Apprise URL (passwords and tokens masked), the scheme and host of a webhook."""
    if is_webhook(url):
        return redacted(url)
    plugin = _apprise().Apprise.instantiate(url)
    _HANDLER.take()
    return str(plugin.url(privacy=True)).split("?")[0] if plugin is not None else redacted(url)


def apprise_send(url: str, message: Message, timeout: float) -> Answer:
    apprise = _apprise()
    asset = apprise.AppriseAsset(app_id="feeds", app_desc="feeds alerts")
    plugin = apprise.Apprise.instantiate(url, asset=asset)
    if plugin is None:
        _HANDLER.take()
        return Answer(False, "Apprise cannot use this URL")
    plugin.socket_connect_timeout = plugin.socket_read_timeout = timeout
    if isinstance(getattr(plugin, "headers", None), dict):  # e-mail, and HTTP services
        plugin.headers[DELIVERY_HEADER] = message.id  # a receiver can drop a repeat by it
    html = plugin.notify_format == apprise.NotifyFormat.HTML
    ok = plugin.notify(
        body=message.html if html else message.text,
        title=message.title,
        body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT,
    )
    lines = [line for line in _HANDLER.take() if line]
    if ok:
        return Answer(True, "sent")
    return Answer(False, "; ".join(lines[-2:]) or "Apprise could not send it")


# -- several at once -------------------------------------------------------------------------


def as_answered(
    calls: Sequence[Callable[[], Answer]], *, timeout: float
) -> Iterator[tuple[int, Answer]]:
    """Each call in a daemon thread; (its index, its answer) as each answers, so that the
    caller records a sent delivery at once (a process killed meanwhile sends again only
    what it had not recorded); "no answer" for those still running after ``timeout`` (+
    GRACE)."""
    answered: queue.Queue[tuple[int, Answer]] = queue.Queue()

    def run(index: int) -> None:
        answered.put((index, calls[index]()))

    for i in range(len(calls)):
        threading.Thread(target=run, args=(i,), name="feeds-notify", daemon=True).start()
    deadline = time.monotonic() + timeout + GRACE
    waiting = set(range(len(calls)))
    while waiting:
        try:
            index, answer = answered.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        waiting.discard(index)
        yield index, answer
    for index in sorted(waiting):
        yield index, Answer(False, f"no answer within {timeout:g}s")


def send_all(calls: Sequence[Callable[[], Answer]], *, timeout: float) -> list[Answer]:
    """The answers of ``as_answered``, in the calls' order."""
    answers = dict(as_answered(calls, timeout=timeout))
    return [answers[i] for i in range(len(calls))]
