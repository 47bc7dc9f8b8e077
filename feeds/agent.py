"""Who feeds says it is in its own requests (feed fetches, WebSub pings): the User-Agent.

Must not import anything of feeds but its version (sources and publish both import it).
"""

from __future__ import annotations

from feeds import __version__


def user_agent(contact_url: str | None = None) -> str:
    """``feeds/0.1.0 (+https://operator.example/)``: who we are and how to reach the operator."""
    name = f"feeds/{__version__}"
    return f"{name} (+{contact_url})" if contact_url else name
