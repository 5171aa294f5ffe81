"""Every setting declared once: name, default, help. The CLI flags, the ``ALLIANCE_KG_*``
environment variables, ``create_app(config)`` and the README table are all derived from this
list, so a setting cannot be documented in one place and named differently in another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "ALLIANCE_KG_"


def project_root() -> Path:
    """The folder holding ``ontology/``, ``data/`` and ``shapes/`` (the source checkout)."""
    env = os.environ.get(ENV_PREFIX + "ROOT")
    return Path(env) if env else Path(__file__).resolve().parents[2]


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Configuration of the library, the CLI and the server (one frozen value per process)."""

    host: str = _setting("127.0.0.1", "Address to bind the server to.")
    port: int = _setting(8000, "TCP port of the server.")
    data: str = _setting("", "Data folders or files to serve instead of the shipped graph (comma-separated).")
    store: str = _setting("memory", "Store backend: memory, oxigraph:PATH or sparql:URL.")
    threads: int = _setting(8, "HTTP worker threads of the WSGI server.")
    query_workers: int = _setting(2, "Worker processes that evaluate queries (a stuck query is killed, not abandoned).")
    query_timeout: float = _setting(30.0, "Seconds a query may run before it is stopped (503).")
    max_rows: int = _setting(10000, "Cap on result rows; a capped result says so in a response header.")
    max_query_length: int = _setting(100_000, "Cap on the query text in characters (413 beyond).")
    max_body_bytes: int = _setting(1_000_000, "Cap on a request body in bytes (413 beyond).")
    cache_entries: int = _setting(256, "Result cache size in entries (0 disables the cache).")
    reload_token: str = _setting("", "Bearer token for POST /admin/reload; empty disables the route.")
    log_level: str = _setting("INFO", "Logging level.")

    @property
    def data_paths(self) -> list[Path]:
        """``data`` as paths (empty: the shipped ontology and data)."""
        return [Path(p.strip()) for p in self.data.split(",") if p.strip()]

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> "Settings":
        """Defaults, then ``ALLIANCE_KG_*`` variables, then explicit overrides (flags, tests)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _coerce(f.name, type(f.default), raw)
        for key, value in (overrides or {}).items():
            if value is None:
                continue
            if key not in {f.name for f in fields(cls)}:
                raise ValueError(f"unknown setting: {key}")
            values[key] = value
        return cls(**values)


def describe() -> list[tuple[str, Any, str]]:
    """(name, default, help) of every setting, for ``--help`` and the README."""
    return [(f.name, f.default, f.metadata["help"]) for f in fields(Settings)]


def _coerce(name: str, kind: type, raw: str) -> Any:
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}") from None
