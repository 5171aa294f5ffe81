"""The ontology terms named in code are exactly the ones the ontology declares."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from alliance_kg.namespaces import AKG, PREFIXES


def declared_terms(repo_root) -> set[str]:
    ontology = Graph()
    files = sorted((repo_root / "ontology").glob("*.ttl"))
    assert files
    for path in files:
        ontology.parse(path)
    return {str(s)[len(str(AKG)):] for s in ontology.subjects() if str(s).startswith(str(AKG))}


def test_code_and_ontology_name_the_same_terms(repo_root):
    in_code = {name for name in AKG.__annotations__}
    assert in_code == declared_terms(repo_root)


def test_a_misspelt_term_is_an_error():
    assert AKG.Alliance == URIRef("https://w3id.org/alliance-kg/ontology#Alliance")
    with pytest.raises(AttributeError):
        AKG.Aliance  # noqa: B018


def test_prefix_table_uses_the_namespace():
    assert PREFIXES["akg"] == "https://w3id.org/alliance-kg/ontology#"
