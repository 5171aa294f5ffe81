"""Behind a reverse proxy: believe ``X-Forwarded-*`` only from the proxies the operator names.

For a request whose connection comes from one of ``trusted_proxies``, the client's address is
the last one in ``X-Forwarded-For`` that is not a trusted proxy, and the scheme and host are
the ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` it sent, so links on pages name the public
address (IRIs never change: they do not depend on the host at all). From anyone else the three
headers are dropped, so no client can claim another's address (and so another's query budget).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


def client_address(remote: str | None, forwarded: str | None, trusted: frozenset[str]) -> str:
    """The client's address, believing ``X-Forwarded-For`` only as far as trusted proxies reach."""
    address = remote or "-"
    if address not in trusted or not forwarded:
        return address
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if hop not in trusted:
            return hop
    return address


def trusted_set(text: str) -> frozenset[str]:
    """``trusted_proxies`` (comma-separated addresses) as a set."""
    return frozenset(p.strip() for p in text.split(",") if p.strip())


class TrustedProxy:
    """WSGI middleware applying the rule above before the app sees the request."""

    def __init__(self, app: Callable[..., Iterable[bytes]], trusted: frozenset[str]):
        self.app, self.trusted = app, trusted

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        remote = environ.get("REMOTE_ADDR")
        if remote in self.trusted:
            environ["REMOTE_ADDR"] = client_address(remote, environ.get("HTTP_X_FORWARDED_FOR"), self.trusted)
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
            host = environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
            if host:
                environ["HTTP_HOST"] = host
        for name in FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)
