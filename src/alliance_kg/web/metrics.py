"""``/metrics``: what the server is doing, in the Prometheus text format (``prometheus-client``).

Counted on the hot path (a dictionary lookup and an addition each): requests by route and
status, query durations by form and backend, refused queries by reason, timeouts, truncated
results. Read only when scraped, from the objects that keep them anyway: the result cache's
hits and misses, the query pool's worker restarts, the reloads by outcome, and what is served
(data version, load time, triples). Each app has its own registry, so apps in one process
(tests, reloads) never share counters. With ``--metrics false`` nothing is counted and there is
no ``/metrics`` (``benchmarks/metrics_cost.py`` measures what counting costs).

Serving processes (``web.serving``) count in files of a folder they share, one per process, and
a scrape sums them (``prometheus-client``'s multiprocess mode), those of replaced processes
included; the figures read from objects are the answering process's own, or the server's.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from ..errors import QueryError, QueryTimeout
from .admin import RELOADER
from .requestlog import ANSWERED
from .state import EXTENSION, AppState

bp = Blueprint("metrics", __name__)
METRICS = "alliance_kg.metrics"
#: The server's ``Control`` in a serving process (``web.serving``): replacements are counted there.
CONTROL = "alliance_kg.control"
#: Query durations worth telling apart: cached answers, lookups, aggregates, the deadline.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The counters of one app."""

    def __init__(self, app: Flask, shared: str | None = None):
        self.app, self.shared = app, shared
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("alliance_kg_http_requests", "HTTP requests by route and status.",
                                ["route", "status"], registry=self.registry)
        self.query_seconds = Histogram("alliance_kg_query_duration_seconds",
                                       "Time to answer a query (cache hits included), by form and backend.",
                                       ["form", "backend"], buckets=BUCKETS, registry=self.registry)
        self.refused = Counter("alliance_kg_queries_refused", "Queries refused or failed, by reason.",
                               ["reason"], registry=self.registry)
        self.timeouts = Counter("alliance_kg_query_timeouts", "Queries stopped at their deadline.",
                                registry=self.registry)
        self.truncated = Counter("alliance_kg_results_truncated", "Answers cut at the row cap.",
                                 registry=self.registry)
        self.registry.register(_Served(app))
        #: Each labelled child once looked up (``labels`` takes a lock and builds its key every time).
        self._children: dict[tuple[Any, ...], Any] = {}

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def query(self, form: str, backend: str, seconds: float, truncated: bool) -> None:
        self._child(self.query_seconds, form or "unknown", backend).observe(seconds)
        if truncated:
            self.truncated.inc()

    def count(self, environ: dict[str, Any], status: int, route: str | None = None) -> None:
        """One response to the request of ``environ``, by its route's rule (``route``, or the
        one Flask matched)."""
        if route is None:
            rule = getattr(environ.get("werkzeug.request"), "url_rule", None)
            route = rule.rule if rule is not None else "unmatched"
        self._child(self.requests, route, str(status)).inc()

    def exposition(self) -> bytes:
        """The text format of everything counted (by every serving process, when shared)."""
        if self.shared is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.shared)
        registry.register(_Served(self.app))
        return generate_latest(registry)

    def refusal(self, exc: QueryError) -> None:
        self._child(self.refused, type(exc).__name__).inc()
        if isinstance(exc, QueryTimeout):
            self.timeouts.inc()


class _Uncounted(Metrics):
    """``--metrics false``: the same calls, counting nothing."""

    def __init__(self) -> None:
        pass

    def query(self, form: str, backend: str, seconds: float, truncated: bool) -> None:
        pass

    def refusal(self, exc: QueryError) -> None:
        pass

    def count(self, environ: dict[str, Any], status: int, route: str | None = None) -> None:
        pass


class _Served:
    """Figures read at scrape time from the app's current state and its reloader."""

    def __init__(self, app: Flask):
        self.app = app

    def describe(self) -> list[Metric]:
        return []  # names are known only when collected; nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        current: AppState | None = self.app.extensions.get(EXTENSION)
        if current is None:
            return
        stats = current.results.stats()
        cache = CounterMetricFamily("alliance_kg_result_cache", "Result cache look-ups by outcome.",
                                    labels=["outcome"])
        cache.add_metric(["hit"], stats.hits)
        cache.add_metric(["miss"], stats.misses)
        yield cache
        yield GaugeMetricFamily("alliance_kg_result_cache_bytes", "Bytes held by the result cache.", stats.bytes)
        yield CounterMetricFamily("alliance_kg_worker_restarts",
                                  "Query workers replaced after a timeout or a crash (this data version).",
                                  current.executor.restarts)
        yield CounterMetricFamily("alliance_kg_worker_recycles",
                                  "Query workers replaced after outgrowing --worker-max-growth-mb (this data version).",
                                  current.executor.recycled)
        control = self.app.extensions.get(CONTROL)
        if control is not None:
            replaced = CounterMetricFamily("alliance_kg_serving_processes_replaced",
                                           "Serving processes replaced, by reason (a query past its deadline, "
                                           "memory grown, died, a reload or settle, the search index built).",
                                           labels=["reason"])
            for reason, count in sorted(control.replacements().items()):
                replaced.add_metric([reason], count)
            yield replaced
        reloader = self.app.extensions.get(RELOADER)
        if reloader is not None:
            reloads = CounterMetricFamily("alliance_kg_reloads", "Reloads by outcome.", labels=["outcome"])
            for outcome in ("reloaded", "unchanged", "failed"):
                reloads.add_metric([outcome], reloader.outcomes[outcome])
            yield reloads
        generation = reloader.current if reloader is not None else None
        info = InfoMetricFamily("alliance_kg_data", "The data served: version, store, when it was loaded.")
        info.add_metric([], {"version": current.store.version, "store": current.settings.store,
                             "loaded_at": generation.loaded_at if generation else ""})
        yield info
        yield GaugeMetricFamily("alliance_kg_triples", "Distinct triples in the default (union) graph.",
                                current.store.triple_count())


def metrics_of(app: Flask) -> Metrics:
    return app.extensions[METRICS]


def attach(app: Flask) -> None:
    """Count every response and serve ``/metrics`` (unless the settings turn metrics off)."""
    if not app.extensions[EXTENSION].settings.metrics:
        app.extensions[METRICS] = _Uncounted()
        return
    app.extensions[METRICS] = Metrics(app)

    @app.after_request
    def _count(response: Response) -> Response:
        if ANSWERED not in request.environ:
            metrics_of(app).count(request.environ, response.status_code)
        return response

    app.register_blueprint(bp)


def share_between_processes(app: Flask, folder: str) -> None:
    """Count in ``folder``, beside the other serving processes (in a serving process, after the
    fork: this process is the app's alone). Counters made from now on write to this process's
    files there (``prometheus-client``'s multiprocess values), and a scrape sums the folder."""
    if isinstance(app.extensions.get(METRICS), _Uncounted):
        return
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    values.ValueClass = values.MultiProcessValue()
    app.extensions[METRICS] = Metrics(app, shared=folder)


@bp.get("/metrics")
def scrape() -> Response:
    response = Response(metrics_of(current_app).exposition(), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
