"""The alert flow (#18), after a publish: collect what is new for each topic's targets into
the store's outbox, then send what is due. Wiring only: ``feeds.decide.notify`` decides
what is new, when a delivery is due, what goes next and how long a failing target waits.

1. Collect. For each target of each topic: the first time, its baseline (the store's mark:
   what the topic holds then is never alerted) and one "now watching N entries" message.
   Then each story the topic's feed shows (``feeds.publish.flow.topic_stories``: one story
   once) that is new for the target goes into its open delivery, and is recorded as seen,
   in one transaction, before anything is sent.
2. Deliver. Each target's next delivery is frozen (its entries fixed) and sent, every
   target at once, each within ``settings.notify_timeout``; sent ones are marked sent, failed
   ones count against their target, which waits (backoff) before its next try. A delivery
   is sent again until it is sent, always with the same id, the same entries; so a run
   killed during sending loses nothing, and a receiver drops a repeat by its id.

``leader`` says whether this process sends at all (a cluster's leader; one process: yes).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from feeds.agent import user_agent
from feeds.clock import utcnow
from feeds.decide import notify as decide
from feeds.decide.notify import Delivery, TargetState
from feeds.models import Config, Topic
from feeds.notify.message import Message, alert_entry, compose
from feeds.notify.send import Answer, Sender, Targets, as_answered, label
from feeds.publish.flow import topic_stories
from feeds.store.protocols import StoreType
from feeds.topics.selection import topic_selection
from feeds.words import count

log = logging.getLogger("feeds.notify")


def _always() -> bool:
    return True


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Target:
    """One configured target of one topic."""

    topic: Topic
    #: 1-based, in the topic's ``notify`` list (metrics and status name it so).
    number: int
    url: str
    key: str


@dataclass(frozen=True, slots=True)
class TargetReport:
    """What one target's round did, and how it stands."""

    topic: str
    number: int
    #: The URL as messages may show it (no password, no token).
    label: str
    sent: int = 0
    failed: int = 0
    #: Deliveries not sent yet.
    pending: int = 0
    #: Failures in a row, before and after this round.
    failures_before: int = 0
    failures: int = 0
    #: The last answer this round (None: nothing was sent).
    answer: str | None = None
    last_error: str | None = None


def targets(config: Config) -> list[Target]:
    return [
        Target(topic, i + 1, url, decide.target_key(url))
        for topic in config.topics
        for i, url in enumerate(topic.notify)
    ]


def feed_url(config: Config, topic: Topic) -> str:
    return f"{config.settings.base_url}{topic.slug}.atom"


def notify(
    config: Config, store: StoreType, *, now: datetime | None = None,
    send: Sender | None = None, leader: Callable[[], bool] = _always,
    new_id: Callable[[], str] = _new_id,
) -> list[TargetReport]:  # fmt: skip
    """Collect and deliver (see the module docstring); a report per configured target."""
    every = targets(config)
    if not every or not leader():
        return []
    now = now or utcnow()
    for topic in config.topics:
        if topic.notify:
            collect(config, store, topic, now=now, new_id=new_id)
    sender = send or Targets(config.settings.notify_secret, user_agent(config.settings.base_url))
    return deliver(config, store, every, now=now, send=sender)


def collect(
    config: Config, store: StoreType, topic: Topic, *, now: datetime, new_id: Callable[[], str]
) -> None:
    """Put what is new for each of ``topic``'s targets into its open delivery."""
    stories = topic_stories(config, store, topic)
    groups = [[s.entry.id, *(o.id for o in s.others)] for s in stories]
    ids = [i for g in groups for i in g]
    positions = store.arrival_order(ids)
    for url in topic.notify:
        key = decide.target_key(url)
        state = store.notify_target(topic.slug, key)
        if state is None:
            _baseline(store, topic, key, now, new_id())
            continue
        seen = store.notify_seen(topic.slug, key, ids)
        fresh, quiet = decide.new_stories(groups, positions, baseline=state.baseline, seen=seen)
        if not fresh and not quiet:
            continue
        entries = [alert_entry(stories[i].entry) for i in fresh]
        copies = [o for i in fresh for o in groups[i][1:]] + quiet
        due = decide.due_at(topic.notify_every, state.since, now)
        store.notify_collect(topic.slug, key, entries, copies, new_id=new_id(), now=now, due=due)
        if entries:
            log.info("alerts: %s: %d new for target %d", topic.slug, len(entries),
                     topic.notify.index(url) + 1)  # fmt: skip


def _baseline(store: StoreType, topic: Topic, key: str, now: datetime, delivery_id: str) -> None:
    """A new target: what the topic holds now is its baseline; one "now watching" message."""
    held = store.count(topic_selection(topic))
    first = Delivery(delivery_id, topic.slug, key, "watching", now, now, watching=held)
    store.notify_add_target(TargetState(topic.slug, key, store.mark().rowid, now), first)
    log.info("alerts: %s: a new target; its baseline: the %s the topic holds", topic.slug,
             count(held, "entry"))  # fmt: skip


def deliver(
    config: Config, store: StoreType, every: Sequence[Target], *, now: datetime, send: Sender
) -> list[TargetReport]:
    """Send each target's due deliveries, all targets at once, a few rounds at most."""
    timeout = config.settings.notify_timeout
    labels = {t.key: label(t.url) for t in every}
    before = {t.key: _state(store, t).failures for t in every}
    counts = {t.key: [0, 0] for t in every}
    answers: dict[str, str] = {}
    active = list(every)
    for _ in range(decide.PER_ROUND):
        batch = [(t, d) for t in active if (d := _next(store, t, now)) is not None]
        if not batch:
            break
        calls = [partial(send, t.url, _message(config, t, d), timeout=timeout) for t, d in batch]
        active = []
        for index, answer in as_answered(calls, timeout=timeout):  # recorded as each answers
            target, delivery = batch[index]
            ok = _record(store, target, delivery, answer, now, labels[target.key])
            counts[target.key][0 if ok else 1] += 1
            answers[target.key] = answer.text
            active += [target] if ok else []
    return [_report(store, t, labels[t.key], before[t.key], counts[t.key], answers.get(t.key))
            for t in every]  # fmt: skip


def _state(store: StoreType, target: Target) -> TargetState:
    found = store.notify_target(target.topic.slug, target.key)
    return found or TargetState(target.topic.slug, target.key, 0, utcnow())


def _next(store: StoreType, target: Target, now: datetime) -> Delivery | None:
    pending = store.notify_pending(target.topic.slug, target.key)
    delivery = decide.next_delivery(pending, _state(store, target), now)
    if delivery is not None and not delivery.frozen:
        store.notify_freeze(delivery.id)
    return delivery


def _message(config: Config, target: Target, delivery: Delivery) -> Message:
    topic = target.topic
    return compose(delivery, slug=topic.slug, title=topic.title, feed=feed_url(config, topic))


def _record(
    store: StoreType, target: Target, delivery: Delivery, answer: Answer, now: datetime,
    shown: str,
) -> bool:  # fmt: skip
    slug, number = target.topic.slug, target.number
    if answer.ok:
        store.notify_sent(delivery.id, now=now)
        log.info("alerts: %s: target %d (%s): delivery %s sent (%s)", slug, number, shown,
                 delivery.id, answer.text)  # fmt: skip
        return True
    failures = _state(store, target).failures + 1
    retry = decide.retry_at(failures, now)
    store.notify_failed(delivery.id, answer.text, now=now, next_try=retry)
    log.warning("alerts: %s: target %d (%s): delivery %s failed (%s); retried after %s",
                slug, number, shown, delivery.id, answer.text,
                retry.strftime("%H:%M:%SZ"))  # fmt: skip
    return False


def _report(
    store: StoreType, target: Target, shown: str, before: int, counts: list[int],
    answer: str | None,
) -> TargetReport:  # fmt: skip
    state = _state(store, target)
    pending = len(store.notify_pending(target.topic.slug, target.key))
    return TargetReport(
        target.topic.slug, target.number, shown, counts[0], counts[1], pending, before,
        state.failures, answer, state.last_error,
    )  # fmt: skip
