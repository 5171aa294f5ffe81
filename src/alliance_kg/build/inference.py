"""OWL-RL inference with owlrl, kept apart from what was asserted.

The closure is computed over ontology + data and only the triples that are new, not trivial
and about the project's own resources go into ``graph/inferred``, so a user can ask for asserted or inferred statements
separately and the asserted graphs stay exactly what the files say.

owlrl is the reasoner of record, but running it over all the data is slow (it revisits every
triple in every cycle, in Python). So owlrl closes only the TBox — the ontology graph and any
schema statements in the data — and the rules about individuals that the closed TBox makes
applicable are then applied to the data in bulk (``rules``). When the TBox or the data need a
rule that is not implemented there, the full owlrl closure is computed instead: same result,
only slower. ``tests/test_inference.py`` checks that both ways agree.
"""

from __future__ import annotations

import logging
from typing import Iterable

import owlrl
from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef

from ..namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, is_local
from .rules import Closure, Rules, Triple, is_schema

log = logging.getLogger(__name__)

TRIVIAL_TYPES = frozenset({OWL.Thing, RDFS.Resource, OWL.NamedIndividual})


def owlrl_closure(triples: Iterable[Triple]) -> Graph:
    """owlrl's OWL-RL closure of ``triples`` in a new graph (the TBox's, on both paths)."""
    expanded = Graph()
    for triple in triples:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    return expanded


def closure(asserted: Graph) -> Graph:
    """The OWL-RL deductive closure of ``asserted`` by owlrl alone (a new graph; the input is
    not touched). The reference that ``fast_closure`` must equal."""
    return owlrl_closure(asserted)


def fast_closure(asserted: set[Triple], tbox: Iterable[Triple] = ()) -> set[Triple] | None:
    """The OWL-RL closure of ``asserted``: owlrl on the TBox (``tbox`` plus every schema
    statement in ``asserted``), then the rules about individuals in bulk. ``None`` when the
    TBox or the data need a rule the bulk step does not implement (use ``closure`` then)."""
    schema = set(tbox)
    schema.update(t for t in asserted if is_schema(t))
    closed_tbox = owlrl_closure(schema)
    rules = Rules.compile(closed_tbox)
    if rules is None:
        log.info("OWL-RL: the TBox needs rules beyond the bulk ones; using owlrl on all data")
        return None
    engine = Closure(rules)
    engine.run(_chain(closed_tbox, asserted))
    why = engine.unsupported()
    if why is not None:
        log.info("OWL-RL: %s; using owlrl on all data", why)
        return None
    # owlrl drops every triple whose predicate is a blank node (post_process); so do we
    return {t for t in engine.triples if not isinstance(t[1], BNode)}


def _chain(graph: Graph, triples: set[Triple]) -> Iterable[Triple]:
    yield from graph
    yield from triples


def _interesting(triple: Triple, asserted: set[Triple] | Graph, described: frozenset = frozenset()) -> bool:
    s, p, o = triple
    if triple in asserted or isinstance(s, (Literal, BNode)):
        return False
    if p == OWL.sameAs and s == o:
        return False
    if not is_local(str(s)) and s not in described:
        # owl:sameAs links to GeoNames would otherwise copy every statement (memberships
        # included) onto the external IRIs: keep entailments about our own resources, and
        # about the subjects the data itself describes (another network's own IRIs).
        return False
    if p == RDF.type and o in TRIVIAL_TYPES:
        return False
    return True


def asserted_triples(dataset: Dataset) -> set[Triple]:
    """All triples of the dataset's named graphs (but the inferred one) that feed the closure."""
    asserted = set()
    for s, p, o in dataset.triples((None, None, None)):
        # An identity link to an external IRI only makes owlrl copy statements onto it (which
        # ``_interesting`` would drop again); leaving it out saves a third of the closure time.
        if not (p == OWL.sameAs and not is_local(str(o))):
            asserted.add((s, p, o))
    return asserted


def data_subjects(dataset: Dataset, asserted: set[Triple]) -> frozenset:
    """The other IRIs the data describes (subjects outside the ontology graph that are not the
    project's): none in the shipped data, another network's own IRIs in its data, which
    inference must reach for its shapes to see what its ontology entails."""
    terms = set(dataset.graph(ONTOLOGY_GRAPH).subjects())
    return frozenset(s for s, _, _ in asserted
                     if isinstance(s, URIRef) and s not in terms and not is_local(str(s)))


def entailments(asserted: set[Triple], tbox: Iterable[Triple] = (), *, fast: bool = True,
                described: frozenset = frozenset()) -> set[Triple]:
    """The new, non-trivial triples about the project's resources (and the ``described``
    subjects) that OWL-RL entails."""
    tbox = set(tbox)
    closed = fast_closure(asserted, tbox) if fast else None
    if closed is None:
        closed = set(closure(_graph(asserted | tbox)))
    return {t for t in closed if _interesting(t, asserted, described)}


def _graph(triples: Iterable[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def infer(dataset: Dataset, *, fast: bool = True) -> int:
    """Materialise the closure of all named graphs into ``graph/inferred``; returns its size."""
    dataset.remove_graph(dataset.graph(INFERRED_GRAPH))
    asserted = asserted_triples(dataset)
    found = entailments(asserted, dataset.graph(ONTOLOGY_GRAPH), fast=fast, described=data_subjects(dataset, asserted))
    target = dataset.graph(INFERRED_GRAPH)
    target.addN((s, p, o, target) for s, p, o in found)
    return len(target)
