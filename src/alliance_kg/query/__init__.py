"""The one guarded way to run SPARQL, for the CLI and the web alike: ``prepare`` (parse and
refuse what is never run), ``execute`` on a store, the ``executor``'s killable worker processes,
the result ``cache``, the result ``formats`` and the terminal ``table``."""

from __future__ import annotations

from .prepare import execute, prepare

__all__ = ["execute", "prepare"]
