"""Health and readiness, for load balancers and orchestrators: ``/healthz`` (the process is
up) and ``/readyz`` (it answers queries)."""

from __future__ import annotations

from flask import Blueprint, Response

from .state import state

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Response:
    """The process is up (it only starts answering once the graph has loaded and validated)."""
    return _plain("ok")


@bp.route("/readyz")
def readyz() -> Response:
    """Ready to answer queries: the graph is loaded and the query workers are alive."""
    current = state()
    if not current.executor.ready():
        return _plain("query workers unavailable", 503)
    return _plain(f"ready: {current.store.triple_count()} triples, version {current.store.version}")


def _plain(text: str, status: int = 200) -> Response:
    response = Response(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response
