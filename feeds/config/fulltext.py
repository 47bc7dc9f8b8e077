"""The full-text keys (docs/full-text.md): ``full_text`` (settings default and per source) and
``content_selector`` (per source). Checks of single values; feeds.config.loader calls them
and turns each answer into a ConfigError naming the file and key. Reads nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import cssselect

from feeds.errors import ConfigError
from feeds.models import FullText

__all__ = ["full_text", "selector_problem", "source_full_text"]

#: What ``full_text`` may be, in messages.
_VALUES = 'true, false or "auto"'


class _Errors(Protocol):
    def error(self, key: str, message: str) -> ConfigError: ...


def full_text(ctx: _Errors, t: Mapping[str, Any], w: str, default: FullText) -> FullText:
    """``t["full_text"]``: true, false or "auto" (``default`` when absent)."""
    if "full_text" not in t:
        return default
    value = t["full_text"]
    if value is True or value is False:
        return value
    if value == "auto":
        return "auto"
    raise ctx.error(f"{w}.full_text", f"must be {_VALUES}, not {value!r}")


def source_full_text(
    ctx: _Errors, t: Mapping[str, Any], w: str, kind: str, default: FullText
) -> dict[str, Any]:
    """A source's ``full_text`` and ``content_selector``: feeds only (an article file holds
    its whole text already)."""
    for key in ("full_text", "content_selector"):
        if key in t and kind == "articles":
            raise ctx.error(f"{w}.{key}", "applies to feed sources only (an article file is whole)")
    selector = t.get("content_selector")
    if selector is not None:
        if not isinstance(selector, str) or not selector.strip():
            raise ctx.error(f"{w}.content_selector", f"must be a CSS selector, not {selector!r}")
        problem = selector_problem(selector)
        if problem is not None:
            raise ctx.error(f"{w}.content_selector", problem)
    return {
        "full_text": False if kind == "articles" else full_text(ctx, t, w, default),
        "content_selector": selector.strip() if selector else None,
    }


def selector_problem(selector: str) -> str | None:
    """What is wrong with a CSS ``selector`` of elements (None: nothing)."""
    try:
        parsed = cssselect.parse(selector)
    except cssselect.SelectorError as e:
        return f"is not a CSS selector ({e}): {selector!r}"
    if any(s.pseudo_element for s in parsed):
        return f"must select elements, without a pseudo-element such as ::text: {selector!r}"
    return None
