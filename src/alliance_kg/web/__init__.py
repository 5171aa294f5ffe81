"""The web app: a factory and nothing at import time.

``create_app(config)`` layers the defaults, ``ALLIANCE_KG_*`` environment variables and the
``config`` mapping (setting names such as ``query_timeout``; upper-case Flask keys such as
``TESTING``; ``SETTINGS`` for a ready ``Settings``; ``STORE`` for an already loaded store, which
skips loading). The graph is loaded and validated *before* the app exists, and the query
workers are forked right after, so they share it copy-on-write.
"""

from __future__ import annotations

import atexit
from dataclasses import fields

from typing import Any, Mapping

from flask import Flask

from ..executor import Executor
from ..settings import Settings, project_root
from ..stores import Store
from . import errors, headers
from .service import EXTENSION, Service, load_examples

_SETTING_NAMES = {f.name for f in fields(Settings)}


def load_store(settings: Settings) -> Store:
    """The configured store: memory (parse, infer, validate now), oxigraph:PATH or sparql:URL
    (raises ``InputError``/``ValidationFailed``; ``ValueError`` for an unknown backend)."""
    from ..stores import open_configured

    return open_configured(settings)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    config = dict(config or {})
    settings = config.pop("SETTINGS", None) or Settings.load(
        {k: v for k, v in config.items() if k in _SETTING_NAMES})
    store = config.pop("STORE", None) or load_store(settings)
    for name in _SETTING_NAMES:
        config.pop(name, None)

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_AS_ASCII=False)
    app.config.update(config)

    executor = Executor(store, workers=settings.query_workers, timeout=settings.query_timeout)
    atexit.register(executor.close)
    app.extensions[EXTENSION] = Service(settings, store, executor,
                                        load_examples(project_root() / "queries" / "examples"))

    errors.register(app)
    headers.register(app)
    from . import linkeddata, meta, sparql, ui

    app.register_blueprint(sparql.bp)
    app.register_blueprint(meta.bp)
    app.register_blueprint(linkeddata.bp)
    from .live import attach

    attach(app)
    ui.register(app)
    return app
