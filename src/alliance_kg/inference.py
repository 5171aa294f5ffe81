"""OWL-RL inference with owlrl, kept apart from what was asserted.

The closure is computed over ontology + data and only the triples that are new, not trivial
and about the project's own resources go into ``graph/inferred``, so a user can ask for asserted or inferred statements
separately and the asserted graphs stay exactly what the files say.
"""

from __future__ import annotations

import owlrl
from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef

from .namespaces import INFERRED_GRAPH, is_local



def closure(asserted: Graph) -> Graph:
    """The OWL-RL deductive closure of ``asserted`` (a new graph; the input is not touched)."""
    expanded = Graph()
    for triple in asserted:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    return expanded


def _interesting(triple: tuple, asserted: Graph) -> bool:
    s, p, o = triple
    if triple in asserted or isinstance(s, (Literal, BNode)):
        return False
    if p == OWL.sameAs and s == o:
        return False
    if not is_local(str(s)):
        # owl:sameAs links to GeoNames would otherwise copy every statement (memberships
        # included) onto the external IRIs: keep entailments about our own resources only.
        return False
    if p == RDF.type and o in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual):
        return False
    return True


def infer(dataset: Dataset) -> int:
    """Materialise the closure of all named graphs into ``graph/inferred``; returns its size."""
    dataset.remove_graph(dataset.graph(INFERRED_GRAPH))
    asserted = Graph()
    for s, p, o in dataset.triples((None, None, None)):
        # An identity link to an external IRI only makes owlrl copy statements onto it (which
        # ``_interesting`` would drop again); leaving it out saves a third of the closure time.
        if not (p == OWL.sameAs and not is_local(str(o))):
            asserted.add((s, p, o))
    target = dataset.graph(INFERRED_GRAPH)
    for triple in closure(asserted):
        if _interesting(triple, asserted):
            target.add(triple)
    return len(target)
