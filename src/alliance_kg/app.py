"""The composition root: the web app wired to the build pipeline and the stores.

The web layer cannot build a graph (it never imports ``build``) and the stores are handed a
built one, so this module, on top with the CLI, says how they meet: ``open_store`` builds or
opens the configured store, ``create_app`` is ``web.create_app`` with it (for the start and for
every reload) and the shapes reader. ``alliance-kg serve``, tests and WSGI servers use this.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask
from rdflib import Graph

from .build.pipeline import conforming
from .build.sources import load_shapes
from .settings import Settings, project_root
from .stores import InMemoryOxigraphStore, OxigraphStore, RdflibStore, Store
from .stores.sparql import SparqlStore
from .web import create_app as create_web_app


def open_store(settings: Settings) -> Store:
    """The store ``settings.store`` names: ``memory`` (parse, infer and validate the data now,
    then answer with Oxigraph in memory), ``rdflib`` (the same, answered by rdflib), ``oxigraph:PATH`` (a folder written by ``alliance-kg load``) or ``sparql:URL`` (a remote
    SPARQL 1.1 query endpoint filled by ``alliance-kg push``). Raises ``InputError`` for files
    that do not parse, ``ValidationFailed`` for data that does not conform, ``ValueError`` for
    an unknown store."""
    spec = settings.store_spec
    if spec.kind == "oxigraph":
        return OxigraphStore(spec.where)
    if spec.kind == "sparql":
        return SparqlStore(spec.where, timeout=settings.query_timeout)
    if spec.kind == "rdflib":
        graph = conforming(settings.data_paths or None)
        return RdflibStore(graph.dataset, graph.version)
    graph = conforming(settings.data_paths or None, into="oxigraph")
    assert graph.store is not None
    return InMemoryOxigraphStore(graph.store, graph.version)


def read_shapes(settings: Settings) -> Graph:
    """The shapes graph the data is validated with (``shapes/`` of the project root)."""
    return load_shapes(root=project_root(settings))[0]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The served app: ``web.create_app`` that builds its store with ``open_store``."""
    return create_web_app(config, open_store=open_store, read_shapes=read_shapes)
