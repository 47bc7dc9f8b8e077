"""Where the daemon listens: bound sockets, their addresses, and whether ``base_url`` sends
readers to them.

Binding here (not in uvicorn) turns a busy port into our error instead of uvicorn's
``sys.exit``, before the daemon starts anything. No serving here (``feeds.run.serve``).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from feeds.errors import FeedsError


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (our error, not uvicorn's ``sys.exit``, if it cannot be)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise FeedsError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    return sock


def _local(host: str) -> bool:
    return host == "localhost" or host == "::1" or host.startswith("127.")


def _same_host(named: str, listening: str) -> bool:
    """Whether a URL's host ``named`` reaches a server listening on ``listening``."""
    if named == listening or (_local(named) and _local(listening)):
        return True
    if listening in ("0.0.0.0", "::", ""):  # every interface of this machine
        return _local(named) or named in (socket.gethostname().lower(), socket.getfqdn().lower())
    return False


def port_elsewhere(base_url: str, host: str, port: int) -> str | None:
    """A warning when ``base_url`` sends readers to this host but another port than the one
    served (readers would not reach these feeds); None when it does not."""
    parts = urlsplit(base_url)
    try:
        named_port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    named = (parts.hostname or "").lower()
    if named_port == port or not _same_host(named, host.lower().strip("[]")):
        return None
    return (
        f"base_url {base_url} points readers at port {named_port}, but this daemon serves "
        f"port {port}: readers will not reach the feeds unless something on port "
        f"{named_port} forwards to it (set base_url to http://{host}:{port}/ or use --port "
        f"{named_port})"
    )


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
