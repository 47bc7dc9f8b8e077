"""``feeds notify test SLUG``, and the alerts of ``feeds update`` (#18).

``notify test`` sends a sample message to each of a topic's targets now (nothing is
recorded in the store) and prints what each answered; exit 1 if one failed. After ``feeds
update``'s publish, ``after_update`` runs the alert flow (``feeds.notify.flow``), keeps the
health feed, and says on stderr which targets failed. No logic here.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from feeds.models import Config
from feeds.words import count

if TYPE_CHECKING:
    from feeds.notify.flow import TargetReport
    from feeds.store.protocols import StoreType


@click.group(name="notify")
def notify_group() -> None:
    """Alerts: send a test message to a topic's targets."""


@notify_group.command(name="test")
@click.argument("slug")
@click.pass_obj
def test_command(obj: object, slug: str) -> None:
    """Send a sample alert to each target of topic SLUG and say what each answered."""
    from feeds.agent import user_agent
    from feeds.notify.flow import feed_url
    from feeds.notify.message import sample
    from feeds.notify.send import Targets, label, send_all

    config: Config = obj.config  # type: ignore[attr-defined]
    topic = config.topic(slug)
    if topic is None:
        known = ", ".join(t.slug for t in config.topics) or "none"
        raise click.UsageError(f"no topic {slug!r} in {config.file}; topics: {known}")
    if not topic.notify:
        raise click.UsageError(f"topic {slug!r} has no `notify` targets in {config.file}")
    settings = config.settings
    sender = Targets(settings.notify_secret, user_agent(settings.base_url))
    message = sample(slug, topic.title, feed_url(config, topic),
                     delivery_id=f"test-{uuid.uuid4().hex}", now=datetime.now(UTC))  # fmt: skip
    calls = [
        lambda url=url: sender(url, message, timeout=settings.notify_timeout)
        for url in topic.notify
    ]
    answers = send_all(calls, timeout=settings.notify_timeout)
    for number, (url, answer) in enumerate(zip(topic.notify, answers, strict=True), 1):
        verdict = "ok" if answer.ok else "FAILED"
        click.echo(f"{slug} target {number} ({label(url)}): {verdict}: {answer.text}")
    sys.exit(0 if all(a.ok for a in answers) else 1)


def after_update(config: Config, store: StoreType) -> bool:
    """The alerts after ``feeds update``'s publish; True if a target failed."""
    from feeds.notify.flow import notify, targets
    from feeds.notify.health import keep_alert_health

    if not targets(config):
        return False
    reports = notify(config, store)
    keep_alert_health(config, reports, datetime.now(UTC))
    for line in failures(reports):
        click.echo(f"feeds: warning: {line}", err=True)
    sent = sum(r.sent for r in reports)
    if sent:
        click.echo(f"alerts: {count(sent, 'message')} sent")
    return any(r.failed for r in reports)


def failures(reports: Sequence[TargetReport]) -> Iterator[str]:
    for r in reports:
        if r.failed:
            yield (
                f"alerts: {r.topic} target {r.number} ({r.label}) failed: {r.last_error}; "
                f"{count(r.pending, 'delivery', 'deliveries')} kept for the next try "
                "(see `feeds status`)"
            )
