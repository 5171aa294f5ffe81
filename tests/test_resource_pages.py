"""Resource pages over the shipped graph, as a reader sees them: every graph described, shown by
its label."""

from __future__ import annotations

import re
from html import unescape

import pytest


def page(client, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "text/html", path
    return unescape(response.get_data(as_text=True))


def part(text: str, heading_id: str) -> str:
    """The section a heading opens (``statements-heading``, ``sources-heading``)."""
    start = text.index(f'id="{heading_id}"')
    return text[start:text.index("</section>", start)]


@pytest.mark.parametrize("name, label", [("inferred", "Inferred statements (OWL-RL)"), ("ontology", "The ontology")])
def test_the_inferred_and_ontology_graphs_are_described(shipped_memory_client, name, label):
    text = page(shipped_memory_client, f"/graph/{name}")
    assert f"<h1>{label}</h1>" in text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in part(text, "statements-heading")


def test_the_graph_column_names_graphs_by_their_labels(shipped_memory_client):
    text = page(shipped_memory_client, "/doc/city/koeln")
    assert 'title="https://w3id.org/alliance-kg/graph/inferred">Inferred statements (OWL-RL)</a>' in text
    assert not re.search(r'href="/graph/[^"]+" title="[^"]+">[a-z/-]+</a>', text), "a graph shown by its slug"
