"""Observability: /metrics in the Prometheus text format, request ids, JSON log lines with the
query's hash, form, rows and outcome, and the slow-query log."""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import quote

from prometheus_client.parser import text_string_to_metric_families
from werkzeug.test import Client, EnvironBuilder

from alliance_kg.web.accesslog import AccessLog, JsonLines

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_queries_are_counted_by_route_status_form_and_backend(make_app, backend):
    client = make_app(cache_entries=8).test_client()
    before = scrape(client)
    for _ in range(2):
        assert client.get("/sparql?query=" + quote(SELECT)).status_code == 200
    after = scrape(client)
    assert value(after, "alliance_kg_http_requests_total", route="/sparql", status="200") == \
        value(before, "alliance_kg_http_requests_total", route="/sparql", status="200") + 2
    count = "alliance_kg_query_duration_seconds_count"
    assert value(after, count, form="SELECT", backend=backend) == value(before, count, form="SELECT", backend=backend) + 2
    assert value(after, "alliance_kg_result_cache_total", outcome="hit") >= 1
    assert value(after, "alliance_kg_triples") > 0
    assert any(name == "alliance_kg_data_info" and dict(labels)["version"] == "fixture-v1"
               for name, labels in after)


def test_refusals_timeouts_and_truncation_are_counted(make_app):
    client = make_app(max_rows=2, query_timeout=1.0).test_client()
    assert client.get("/sparql?query=" + quote("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")).status_code == 400
    assert client.get("/sparql?query=" + quote("SELECT * { ?s ?p ?o }")).headers["X-Result-Truncated"] == "true"
    samples = scrape(client)
    assert value(samples, "alliance_kg_queries_refused_total", reason="ForbiddenQuery") == 1
    assert value(samples, "alliance_kg_results_truncated_total") == 1
    assert value(samples, "alliance_kg_http_requests_total", route="/sparql", status="400") == 1


def test_a_failed_reload_is_counted(make_app, tmp_path):
    app = make_app(reload_token="t", data=str(tmp_path / "missing"))  # the reload cannot read its data
    client = app.test_client()
    assert client.post("/admin/reload", headers={"Authorization": "Bearer t"}).status_code == 422
    assert value(scrape(client), "alliance_kg_reloads_total", outcome="failed") == 1


def test_request_id_is_taken_or_made_and_sent_back(client):
    assert client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-Id": "not a token\u00e9"}).headers["X-Request-Id"]
    assert len(made) == 32 and made != "not a token"
    assert client.get("/healthz").headers["X-Request-Id"] != made


@contextmanager
def _logged_lines() -> Iterator[list[dict]]:
    """The JSON lines of the access and slow-query logs written inside the block (read at any
    point through the list, which is filled as they come)."""
    lines: list[dict] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(json.loads(JsonLines().format(record)))  # type: ignore[method-assign]
    loggers = [logging.getLogger("alliance_kg.access"), logging.getLogger("alliance_kg.slow")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _json_lines(app, path: str, **headers) -> list[dict]:
    with _logged_lines() as lines:
        response = Client(AccessLog(app)).get(path, headers=headers)
        b"".join(response.iter_encoded())
        response.close()
    return lines


def test_a_posted_answer_held_whole_is_logged_at_once_and_handed_on_as_a_list(make_app):
    """A list is what the HTTP server sends as one piece of bytes (granian's ``response_bytes``);
    wrapped in an iterator, every query's answer took its streaming path."""
    app = make_app()
    environ = EnvironBuilder(path="/sparql", method="POST", data={"query": SELECT},
                             headers={"Accept": "application/sparql-results+json"}).get_environ()
    statuses: list[str] = []
    with _logged_lines() as lines:
        body = AccessLog(app)(environ, lambda status, headers, exc_info=None: statuses.append(status))
        [line] = lines  # written before the body is read
    assert type(body) is list and statuses == ["200 OK"]
    assert line["status"] == 200 and line["bytes"] == sum(map(len, body)) > 0
    assert line["method"] == "POST" and line["form"] == "SELECT" and line["rows"] == 3


def test_access_log_lines_are_json_with_the_query_record(make_app):
    app = make_app(slow_query_seconds=0.0)
    [line] = _json_lines(app, "/sparql?query=" + quote(SELECT), **{"X-Request-Id": "req-1"})
    assert line["logger"] == "alliance_kg.access" and line["status"] == 200 and line["request_id"] == "req-1"
    assert line["form"] == "SELECT" and line["rows"] == 3 and line["outcome"] == "ok"
    assert len(line["query_hash"]) == 16 and SELECT not in json.dumps(line)


def test_slow_queries_are_logged_with_their_text(make_app):
    app = make_app(slow_query_seconds=1e-9)
    lines = _json_lines(app, "/sparql?query=" + quote(SELECT))
    slow = [line for line in lines if line["logger"] == "alliance_kg.slow"]
    assert slow and slow[0]["slow"] is True and "SELECT ?s WHERE" in slow[0]["message"]


def test_a_refused_query_is_logged_with_its_reason(make_app):
    app = make_app()
    [line] = _json_lines(app, "/sparql?query=" + quote("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"))
    assert line["status"] == 400 and line["outcome"] == "ForbiddenQuery"


def test_metrics_off_counts_nothing_and_serves_no_metrics(make_app):
    client = make_app(metrics=False).test_client()
    assert client.get("/sparql?query=" + quote(SELECT)).status_code == 200
    assert client.get("/sparql?query=" + quote("SELECT ?s WHERE {")).status_code == 400  # a refusal, uncounted
    assert client.get("/metrics").status_code == 404


def test_metrics_flag_takes_booleans_and_refuses_other_words(run_cli):
    assert run_cli("serve", "--metrics", "off", "--get", "/metrics").code == 1  # 404: no /metrics
    assert run_cli("serve", "--metrics", "yes", "--get", "/metrics").code == 0
    wrong = run_cli("serve", "--metrics", "maybe", "--get", "/metrics")
    assert wrong.code == 2 and "invalid boolean value: 'maybe'" in wrong.err
