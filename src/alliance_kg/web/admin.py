"""Operating the live server: ``GET /status`` (what is served, the last reload) and the
token-protected ``POST /admin/reload``. The reload itself is a ``Reloader``: the next store
and its query pool are built beside the current ones and swapped in as a new ``AppState``; a
request keeps the state it started with, so it finishes on the graph it began on."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from ..errors import QueryError
from ..query.executor import Executor
from ..settings import Settings, project_root
from ..stores import oxigraph
from .reloading import Reloader, token_matches
from .state import EXTENSION, AppState

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__)
RELOADER = "alliance_kg.reloader"


def attach(app: Flask) -> Reloader:
    """Wrap the app's current ``AppState`` in a ``Reloader`` whose reload swaps in a new one."""
    first: AppState = app.extensions[EXTENSION]
    settings, open_store = first.settings, first.open_store

    # Neither function holds ``first``: a generation's state (its store above all) must be
    # collectable once the generation is stopped.
    def start(store: Any) -> AppState:
        current: AppState = app.extensions[EXTENSION]
        if store is current.store:
            return current
        executor = Executor.from_settings(store, settings)
        # A fresh cache of dumps and VoID; the result cache is shared (its keys carry the version).
        state = dataclasses.replace(current, store=store, executor=executor, _cache={})
        try:
            state.labels()  # the new generation's label index, before it serves a suggestion
        except QueryError as exc:  # the graph is served all the same; suggestions say why they are missing
            log.warning("label index of version %s not built: %s", getattr(store, "version", None), exc)
        app.extensions[EXTENSION] = state  # the swap: new requests see the new graph
        return state

    def build() -> Any:
        if open_store is None:
            raise RuntimeError("this app was given its store and cannot rebuild it")
        return open_store(settings)

    reloader = Reloader.started(first.store, build=build, start=start,
                                stop=lambda state: state.executor.close(), grace=settings.query_timeout + 5,
                                settle=lambda state: state.executor.refork())
    app.extensions[RELOADER] = reloader
    app.register_blueprint(bp)
    return reloader


def reloader_of(app: Flask) -> Reloader:
    return app.extensions[RELOADER]


@bp.get("/status")
def status():
    body = reloader_of(current_app).status()
    body["store"] = _settings().store
    return jsonify(body)


#: Where a reload is asked for.
RELOAD_PATH = "/admin/reload"


@bp.post(RELOAD_PATH)
def reload():
    token = _settings().reload_token
    if not token:
        return jsonify({"error": "reloading over HTTP is off (set ALLIANCE_KG_RELOAD_TOKEN)"}), 404
    header = request.headers.get("Authorization", "")
    given = header[len("Bearer "):] if header.startswith("Bearer ") else None
    if not token_matches(given, token):
        response = jsonify({"error": "a valid bearer token is required"})
        response.headers["WWW-Authenticate"] = 'Bearer realm="alliance-kg admin"'
        return response, 401
    outcome = reloader_of(current_app).reload()
    response = jsonify(outcome.as_dict())
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if outcome.ok else 422


def _settings() -> Settings:
    return current_app.extensions[EXTENSION].settings


def watched_paths(settings: Settings) -> list[Path]:
    """What to watch for changes: the data files (memory) or the store's description (oxigraph)."""
    spec = settings.store_spec
    if spec.kind == "oxigraph":
        return [Path(spec.where) / oxigraph.META]
    if spec.kind in ("memory", "rdflib"):
        root = project_root(settings)
        return [*(settings.data_paths or [root / "ontology", root / "data"]), root / "shapes"]
    return []
