"""Helpers for the fact and shape tests: the shipped data as a dataset of named graphs, the
shapes graph, and SHACL validation the way the library runs it (pyshacl, no inference,
SHACL-AF on, over data + ontology + OWL-RL closure)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pyshacl import validate
from rdflib import Dataset, Graph

from alliance_kg.build.inference import infer
from alliance_kg.build.sources import load_dataset, load_shapes
from alliance_kg.build.validation import union_graph

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/alliance-kg/"
PREFIXES = """
PREFIX akg: <https://w3id.org/alliance-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@lru_cache(maxsize=1)
def asserted() -> Dataset:
    """The shipped ontology and data, one named graph per file, nothing inferred."""
    return load_dataset().dataset


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return load_shapes()[0]


def rows(query: str) -> list[tuple]:
    """Run a SELECT over the union of the asserted graphs."""
    return [tuple(row) for row in asserted().query(PREFIXES + query)]


def ask(query: str) -> bool:
    return bool(asserted().query(PREFIXES + query).askAnswer)


def validate_dataset(dataset: Dataset) -> tuple[bool, Graph, str]:
    """Infer (OWL-RL into graph/inferred) and validate, as the library does."""
    infer(dataset)
    return validate(
        union_graph(dataset), shacl_graph=shapes(), inference="none", advanced=True, allow_warnings=True
    )
