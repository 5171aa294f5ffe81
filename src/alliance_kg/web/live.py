"""Live data: ``GET /status`` (what is served, the last reload) and the token-protected
``POST /admin/reload``. The reload itself is ``reload.Live``: the next store and its query pool
are built beside the current ones and swapped in as a new ``Service``; a request keeps the
``Service`` it started with, so it finishes on the graph it began on."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from ..executor import Executor
from ..reload import Live, token_matches
from ..settings import Settings, project_root
from .service import EXTENSION, Service

bp = Blueprint("live", __name__)
LIVE = "alliance_kg.live"


def attach(app: Flask) -> Live:
    """Wrap the app's current ``Service`` in a ``Live`` whose reload swaps in a new one."""
    from . import load_store

    first: Service = app.extensions[EXTENSION]
    settings = first.settings

    def start(store: Any) -> Service:
        if store is first.store:
            return first
        executor = Executor(store, workers=settings.query_workers, timeout=settings.query_timeout)
        # A fresh cache of dumps and VoID; the result cache is shared (its keys carry the version).
        service = dataclasses.replace(first, store=store, executor=executor, _cache={}, _lock=threading.Lock())
        app.extensions[EXTENSION] = service  # the swap: new requests see the new graph
        return service

    live = Live.started(first.store, build=lambda: load_store(settings), start=start,
                        stop=lambda service: service.executor.close(), grace=settings.query_timeout + 5)
    app.extensions[LIVE] = live
    app.register_blueprint(bp)
    return live


@bp.get("/status")
def status():
    live: Live = _live()
    body = live.status()
    body["store"] = _live_settings().store
    return jsonify(body)


@bp.post("/admin/reload")
def reload():
    token = _live_settings().reload_token
    if not token:
        return jsonify({"error": "reloading over HTTP is off (set ALLIANCE_KG_RELOAD_TOKEN)"}), 404
    header = request.headers.get("Authorization", "")
    given = header[len("Bearer "):] if header.startswith("Bearer ") else None
    if not token_matches(given, token):
        response = jsonify({"error": "a valid bearer token is required"})
        response.headers["WWW-Authenticate"] = 'Bearer realm="alliance-kg admin"'
        return response, 401
    outcome = _live().reload()
    response = jsonify(outcome.as_dict())
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if outcome.ok else 422


def _live() -> Live:
    return current_app.extensions[LIVE]


def _live_settings() -> Settings:
    return current_app.extensions[EXTENSION].settings


def watched_paths(settings: Settings) -> list[Path]:
    """What to watch for changes: the data files (memory) or the store's description (oxigraph)."""
    kind, _, where = settings.store.partition(":")
    if kind == "oxigraph":
        return [Path(where) / "alliance-kg.json"]
    if kind == "memory":
        root = project_root()
        return [*(settings.data_paths or [root / "ontology", root / "data"]), root / "shapes"]
    return []
