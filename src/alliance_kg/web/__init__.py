"""HTTP only: the app factory and its blueprints. Nothing happens at import time.

``create_app(config, open_store=..., read_shapes=..., read_ontology=...)`` layers the defaults,
``ALLIANCE_KG_*`` environment variables and the ``config`` mapping (setting names such as
``query_timeout``; upper-case Flask keys such as ``TESTING``; ``SETTINGS`` for a ready
``Settings``; ``STORE`` for an already opened store). The web layer never builds a graph itself: ``open_store`` (given by
the composition root, ``alliance_kg.app``) opens or builds the configured store, for the start
when no ``STORE`` is given and for every reload. The query workers are forked right after the
store exists, so they share it copy-on-write.
"""

from __future__ import annotations

import atexit
import weakref
from dataclasses import fields
from typing import Any, Mapping

from flask import Flask

from ..query.executor import Executor
from ..settings import Settings, project_root
from . import errors, headers, metrics, requestlog
from .examples import load_examples
from .direct import DirectQueries
from .proxy import TrustedProxy, trusted_set
from .state import EXTENSION, AppState, OpenStore, ReadOntology, ReadShapes

_SETTING_NAMES = {f.name for f in fields(Settings)}


class _App(Flask):
    """Flask without its check for coroutines around every hook and view it calls (five
    ``inspect`` calls a request): no view or hook here is async."""

    def ensure_sync(self, func: Any) -> Any:
        return func


def create_app(config: Mapping[str, Any] | None = None, *, open_store: OpenStore | None = None,
               read_shapes: ReadShapes | None = None, read_ontology: ReadOntology | None = None) -> Flask:
    config = dict(config or {})
    settings = config.pop("SETTINGS", None) or Settings.load(
        {k: v for k, v in config.items() if k in _SETTING_NAMES})
    store = config.pop("STORE", None)
    if store is None:
        if open_store is None:
            raise ValueError("create_app needs a STORE or an open_store function")
        store = open_store(settings)
    for name in _SETTING_NAMES:
        config.pop(name, None)

    app = _App(__name__)
    # a query is answered before Flask (web.direct); the proxy's rules apply to both
    app.wsgi_app = TrustedProxy(DirectQueries(app, app.wsgi_app),  # type: ignore[method-assign]
                                trusted_set(settings.trusted_proxies))
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_AS_ASCII=False)
    app.config.update(config)

    executor = Executor.from_settings(store, settings)
    atexit.register(_close_at_exit, weakref.ref(executor))  # weakly: a reload's old pool (and store) may go
    app.extensions[EXTENSION] = AppState(settings, store, executor,
                                         load_examples(project_root(settings) / "queries" / "examples"),
                                         open_store=open_store, read_shapes=read_shapes,
                                         read_ontology=read_ontology)

    errors.register(app)
    headers.register(app)
    metrics.attach(app)
    requestlog.attach(app)
    from . import admin, catalog, health, linkeddata, pages, search, snippets, sparql

    for module in (sparql, health, catalog, linkeddata, pages, search, snippets):
        app.register_blueprint(module.bp)
    admin.attach(app)
    return app


def _close_at_exit(executor: "weakref.ref[Executor]") -> None:
    alive = executor()
    if alive is not None:
        alive.close()
