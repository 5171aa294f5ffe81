"""The "code" for a query: each snippet (curl, Python with SPARQLWrapper, Python with rdflib,
JavaScript with fetch in Node) is run as written against a live server and must print the
answer. R is left out (see ``web/snippets.py``)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import requests

SELECT = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { <https://w3id.org/alliance-kg/id/city/koeln> rdfs:label ?label }"""
ASK = "ASK { <https://w3id.org/alliance-kg/id/city/koeln> ?p ?o }"
CONSTRUCT = "CONSTRUCT { <https://w3id.org/alliance-kg/id/city/koeln> ?p ?o } WHERE { <https://w3id.org/alliance-kg/id/city/koeln> ?p ?o }"
RUNNERS = {"curl": ["bash", "-c"], "python-sparqlwrapper": [sys.executable, "-c"], "python-rdflib": [sys.executable, "-c"],
           "javascript": ["node", "--input-type=module", "-e"]}


def snippet(url: str, query: str, name: str) -> str:
    response = requests.get(url + "/code", params={"query": query}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["snippets"][name]


@pytest.fixture(scope="module")
def memory_server(tmp_path_factory):
    """A real server over the fixture data (the snippets speak only the protocol: one backend)."""
    import server as live

    running = live.start(tmp_path_factory.mktemp("snippets"), "--query-workers", "2")
    yield running
    running.stop()


@pytest.mark.parametrize("name", sorted(RUNNERS))
@pytest.mark.parametrize("query, expected", [(SELECT, "Köln"), (ASK, "True|true"), (CONSTRUCT, "koeln")])
def test_snippet_runs_against_the_live_server(memory_server, name, query, expected):
    assert shutil.which(RUNNERS[name][0]), f"{RUNNERS[name][0]} is needed to run the {name} snippet"
    code = snippet(memory_server.url, query, name)
    done = subprocess.run([*RUNNERS[name], code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert any(word in done.stdout for word in expected.split("|")), done.stdout


def test_code_without_a_query_is_a_clear_400(memory_server):
    response = requests.get(memory_server.url + "/code", timeout=10)
    assert response.status_code == 400 and "give the query" in response.text
