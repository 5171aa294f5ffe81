"""Every setting declared once: name, default, help. The CLI flags, the ``ALLIANCE_KG_*``
environment variables, ``create_app(config)`` and the README table are all derived from this
list, so a setting cannot be documented in one place and named differently in another.
"""

from __future__ import annotations

import math
import os
from dataclasses import Field, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "ALLIANCE_KG_"


#: Store kinds and whether they need a location after the colon.
STORE_KINDS = {"memory": False, "rdflib": False, "oxigraph": True, "sparql": True}


def project_root(settings: "Settings | None" = None) -> Path:
    """The folder holding ``ontology/``, ``data/``, ``shapes/`` and ``queries/``:
    ``ALLIANCE_KG_ROOT`` when set, else the shipped copy (``shipped_root``). Every reader of
    those folders asks here, so none depends on where the code happens to lie."""
    root = (settings or Settings.load()).root
    return Path(root) if root else shipped_root()


#: Stands for the shipped files in a path given on the command line: alone, the shipped folder of
#: what is asked for (``--shapes @shipped``: the shipped shapes); ``@shipped/`` and a path, the
#: file at that path in the shipped project files (``query @shipped/queries/examples/x.rq``).
SHIPPED = "@shipped"


def shipped_root() -> Path:
    """The project files that come with the code: ``alliance_kg/shipped/`` inside an installed
    package (copied there by setup.py at build time, found with importlib.resources), or the
    source checkout when the package runs from it (an editable install, ``PYTHONPATH=src``)."""
    shipped = resources.files("alliance_kg").joinpath("shipped")
    if shipped.is_dir():
        # a wheel installs into a real folder; a zipped package would have no ontology to parse
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Bounds:
    """The values a numeric setting may take: from ``low`` (excluded when ``open``) up to
    ``high``, never NaN or infinite. A value outside them is refused where it is read, not
    used (a port past 65535 wrapped round, a row cap of 0 answered every SELECT empty)."""

    low: float
    high: float | None = None
    open: bool = False

    def allow(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        return (value > self.low if self.open else value >= self.low) and (self.high is None or value <= self.high)

    def describe(self, kind: type) -> str:
        what = "an integer" if kind is int else "a finite number"
        if self.high is not None:
            return f"{what} from {self.low} to {self.high}"
        return f"{what} {'more than' if self.open else 'of at least'} {self.low}"


#: The bounds most settings share: a count or size whose 0 is documented as "off" or "none",
#: a count that needs at least one, and seconds that must be some.
ZERO_IS_OFF, AT_LEAST_ONE, SOME_SECONDS = Bounds(0), Bounds(1), Bounds(0, open=True)


def _setting(default: Any, help: str, *, served: bool = True, bounds: Bounds | None = None) -> Any:
    """``served`` settings are ``serve`` flags (and the README's table); the others are read
    from the environment only (credentials, the project root, debugging). Every numeric
    setting has ``bounds``."""
    return field(default=default, metadata={"help": help, "served": served, "bounds": bounds})


@dataclass(frozen=True)
class StoreSpec:
    """``--store`` taken apart once: the kind and, for stores that have one, where it is."""

    kind: str
    where: str = ""

    @classmethod
    def parse(cls, text: str) -> "StoreSpec":
        kind, _, where = text.partition(":")
        if kind not in STORE_KINDS or STORE_KINDS[kind] != bool(where):
            raise ValueError(f"store {text!r}: use memory, rdflib, oxigraph:PATH or sparql:URL")
        return cls(kind, where)


@dataclass(frozen=True)
class Settings:
    """Configuration of the library, the CLI and the server (one frozen value per process)."""

    host: str = _setting("127.0.0.1", "Address to bind the server to.")
    port: int = _setting(8000, "TCP port of the server (0: a free one, named in the log).",
                          bounds=Bounds(0, 65535))
    data: str = _setting("", "Data folders or files to serve instead of the shipped graph (comma-separated).")
    store: str = _setting("memory", "Store backend: memory (Oxigraph in memory), rdflib, oxigraph:PATH or sparql:URL.")
    memory_max_triples: int = _setting(
        3_000_000, "Above this many parsed triples, the memory store keeps the built graph in a temporary "
                   "on-disk Oxigraph folder (under TMPDIR) instead: query workers copy the pages of an in-memory "
                   "store as they read it (0: always in memory).", bounds=ZERO_IS_OFF)
    threads: int = _setting(8, "HTTP worker threads of the WSGI server (of each serving process).",
                             bounds=AT_LEAST_ONE)
    http_server: str = _setting("granian", "HTTP server: granian (Rust, the default) or waitress.")
    allocator: str = _setting(
        "auto", "Memory allocator of the server and of load (preloaded: the command executes itself again): auto "
                "(mimalloc when installed, else the system's), system, mimalloc, jemalloc or the absolute path of a "
                "malloc library.")
    processes: int = _setting(
        2, "Serving processes, for an Oxigraph store (memory, oxigraph:PATH) behind granian: each answers HTTP "
           "and evaluates its own queries; one whose query runs past --query-timeout answers 503 and is replaced "
           "(0: one process, whose --query-workers evaluate the queries, as for the other stores).", bounds=ZERO_IS_OFF)
    query_workers: int = _setting(
        2, "Worker processes that evaluate queries (a stuck query is killed, not abandoned): every query with "
           "--processes 0 or a store other than Oxigraph, else the server's own (the search index).", bounds=AT_LEAST_ONE)
    query_timeout: float = _setting(30.0, "Seconds a query may run before it is stopped (503).",
                                   bounds=SOME_SECONDS)
    worker_max_growth_mb: int = _setting(
        64, "A query worker or serving process whose own memory (its resident set: copies of the server's pages "
            "not counted; a serving process's result cache neither) grew more than this (MB) is replaced: a query "
            "worker after its query, a serving process within 50 ms (0: never).", bounds=ZERO_IS_OFF)
    label_index_timeout: float = _setting(
        600.0, "Seconds each query building the search index may run (the server's own, not held to "
               "--query-timeout: at 10M triples they take about 70 s).", bounds=SOME_SECONDS)
    max_rows: int = _setting(10000, "Cap on result rows; a capped result says so in a response header.",
                              bounds=AT_LEAST_ONE)
    stream_bytes: int = _setting(
        1_048_576, "Answers larger than this (bytes) are streamed as the engine writes them, not cached (0: never).", bounds=ZERO_IS_OFF)
    max_query_length: int = _setting(100_000, "Cap on the query text in characters (413 beyond).",
                                      bounds=AT_LEAST_ONE)
    max_body_bytes: int = _setting(1_000_000, "Cap on a request body in bytes (413 beyond).", bounds=AT_LEAST_ONE)
    cache_entries: int = _setting(256, "Result cache size in entries (0 disables the cache).", bounds=ZERO_IS_OFF)
    reload_token: str = _setting("", "Bearer token for POST /admin/reload; empty disables the route.")
    log_level: str = _setting("INFO", "Logging level.")
    budget_seconds: float = _setting(0.0, "Query seconds each client may use per window (0: no budget; over it: 429).",
                                    bounds=ZERO_IS_OFF)
    budget_window: float = _setting(60.0, "Length in seconds of the fair-use window.", bounds=SOME_SECONDS)
    budget_tokens: str = _setting("", "API tokens (X-API-Key) with their own budgets: token=seconds,... (comma-separated).")
    trusted_proxies: str = _setting("", "Proxy addresses whose X-Forwarded-For names the client (comma-separated).")
    metrics: bool = _setting(True, "Count requests and queries and serve /metrics (false: neither).")
    log_format: str = _setting("text", "Log lines: text (for a terminal) or json (one object per line, with the request id).")
    slow_query_seconds: float = _setting(10.0, "Queries slower than this are logged with their text (0: none).",
                                        bounds=ZERO_IS_OFF)
    catalog_contributor: str = _setting(
        "", "DCAT-AP.de contributor ID GovData assigned to your portal (http://dcat-ap.de/def/contributors/...); "
            "empty: the catalog states none.")
    root: str = _setting("", "Folder with ontology/, data/, shapes/ and queries/ (empty: the shipped ones).",
                         served=False)
    debug: bool = _setting(False, "Show tracebacks of internal errors (1 or true).", served=False)
    push_user: str = _setting("", "User for `alliance-kg push` (empty: no authentication).", served=False)
    push_password: str = _setting("", "Password for `alliance-kg push`.", served=False)
    push_auth: str = _setting("digest", "Authentication scheme for `alliance-kg push`: digest or basic.",
                              served=False)

    @property
    def store_spec(self) -> StoreSpec:
        return StoreSpec.parse(self.store)

    @property
    def serving_processes(self) -> int:
        """The serving processes ``serve`` forks (``web.serving``), 0 when it serves in its own
        process: an rdflib store holds the interpreter lock while it evaluates, so its queries
        need workers that can be killed, and waitress has no handle through which another
        thread could answer a request whose thread a query holds."""
        oxigraph = self.store_spec.kind in ("memory", "oxigraph")
        return self.processes if oxigraph and self.http_server == "granian" else 0

    @property
    def data_paths(self) -> list[Path]:
        """``data`` as paths (empty: the shipped ontology and data)."""
        return [Path(p.strip()) for p in self.data.split(",") if p.strip()]

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> "Settings":
        """Defaults, then ``ALLIANCE_KG_*`` variables, then explicit overrides (flags, tests)."""
        environ = os.environ if environ is None else environ
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for f in known.values():
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _check(f, _coerce(f.name, type(f.default), raw), f"{ENV_PREFIX}{f.name.upper()}={raw!r}")
        for key, value in (overrides or {}).items():
            if value is None:
                continue
            if key not in known:
                raise ValueError(f"unknown setting: {key}")
            values[key] = _check(known[key], value, f"--{key.replace('_', '-')} {value}")
        return cls(**values)


def describe() -> list[tuple[str, Any, str]]:
    """(name, default, help) of every ``serve`` setting, for ``--help`` and the README."""
    return [(f.name, f.default, f.metadata["help"]) for f in fields(Settings) if f.metadata["served"]]


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def parse_bool(raw: str) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (``ValueError`` otherwise), for flags and the environment."""
    word = raw.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ValueError(raw)
    return word in _TRUE


def _check(setting: Field, value: Any, given: str) -> Any:
    """``value`` if the setting's bounds allow it, else a ``ValueError`` naming the flag or the
    variable as ``given`` and the values allowed (the CLI's exit 2)."""
    bounds = setting.metadata["bounds"]
    if bounds is not None and not bounds.allow(value):
        raise ValueError(f"{given}: must be {bounds.describe(type(setting.default))}")
    return value


def _coerce(name: str, kind: type, raw: str) -> Any:
    try:
        return parse_bool(raw) if kind is bool else kind(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}") from None
