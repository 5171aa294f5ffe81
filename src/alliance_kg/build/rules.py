"""The OWL-RL rules about individuals, evaluated in bulk with a closed TBox.

owlrl computes a closure by visiting every triple in every cycle and asking the graph about it,
which is pure Python per triple and per rule and several times over the data. Most of that work
is about the schema, which is small. So the schema (the TBox) is closed with owlrl itself, and
the closed TBox is compiled into lookup tables — superclasses, superproperties, domains, ranges,
inverses, symmetric and transitive properties, property chains — that are applied to the data
(the ABox) with semi-naive set joins: each round only looks at what the last round added.

This is exact only for the rules it implements. ``Rules.compile`` refuses (returns ``None``)
when the closed TBox uses anything else — restrictions, class expressions, keys, ``owl:sameAs``
— and ``Closure.unsupported`` says when the data made a rule fire that is not implemented here
(a functional property with two values, which OWL-RL turns into ``owl:sameAs``). The caller
then falls back to owlrl's full closure, so the result is never different, only slower.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

#: Predicates that state schema: a data triple using one belongs to the TBox.
SCHEMA_PREDICATES = frozenset({
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
    OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf, OWL.propertyChainAxiom,
    OWL.disjointWith, OWL.propertyDisjointWith, OWL.complementOf, OWL.intersectionOf, OWL.unionOf,
    OWL.oneOf, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.onProperty, OWL.onClass,
    OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.hasKey, OWL.members, OWL.distinctMembers,
    OWL.sourceIndividual, OWL.assertionProperty, OWL.targetIndividual, OWL.targetValue,
    OWL.sameAs, OWL.differentFrom, RDF.first, RDF.rest,
})
#: Classes whose instances are schema (a property, a class, a restriction ...).
META_CLASSES = frozenset({
    OWL.Class, RDFS.Class, RDF.Property, RDFS.Datatype, OWL.Restriction,
    OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty,
    OWL.TransitiveProperty, OWL.IrreflexiveProperty, OWL.ReflexiveProperty,
    OWL.AllDifferent, OWL.AllDisjointClasses, OWL.AllDisjointProperties, OWL.NegativePropertyAssertion,
})
#: TBox predicates whose rules (on individuals) are not implemented here: any use means owlrl.
UNSUPPORTED_PREDICATES = frozenset({
    OWL.intersectionOf, OWL.unionOf, OWL.oneOf, OWL.someValuesFrom, OWL.allValuesFrom,
    OWL.hasValue, OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.hasKey, OWL.sameAs,
})


def is_schema(triple: Triple) -> bool:
    """A triple that belongs to the TBox (closed by owlrl rather than by the rules here)."""
    _, p, o = triple
    return p in SCHEMA_PREDICATES or (p == RDF.type and o in META_CLASSES)


@dataclass
class Rules:
    """The closed TBox as lookup tables: for each class or property, what follows from it."""

    superclasses: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    superproperties: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    domains: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    inverses: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    symmetric: set[Node] = field(default_factory=set)
    transitive: set[Node] = field(default_factory=set)
    #: property -> the chains it is the shortcut of (each a tuple of properties)
    chains: dict[Node, list[tuple[Node, ...]]] = field(default_factory=lambda: defaultdict(list))
    #: properties with at most one value per subject (or subject per value): checked afterwards
    functional: set[Node] = field(default_factory=set)
    inverse_functional: set[Node] = field(default_factory=set)

    @classmethod
    def compile(cls, tbox: Graph) -> Rules | None:
        """Tables from an OWL-RL-closed TBox, or ``None`` if it needs rules not implemented here."""
        rules = cls()
        for s, p, o in tbox:
            if p in UNSUPPORTED_PREDICATES and not (p == OWL.sameAs and s == o):
                return None
            if isinstance(p, BNode):
                continue
            if p == RDFS.subClassOf and s != o:
                rules.superclasses[s].add(o)
            elif p == OWL.equivalentClass and s != o:
                rules.superclasses[s].add(o)
                rules.superclasses[o].add(s)
            elif p == RDFS.subPropertyOf and s != o:
                rules.superproperties[s].add(o)
            elif p == OWL.equivalentProperty and s != o:
                rules.superproperties[s].add(o)
                rules.superproperties[o].add(s)
            elif p == RDFS.domain:
                rules.domains[s].add(o)
            elif p == RDFS.range:
                rules.ranges[s].add(o)
            elif p == OWL.inverseOf:
                rules.inverses[s].add(o)
                rules.inverses[o].add(s)
            elif p == OWL.propertyChainAxiom:
                chain = tuple(tbox.items(o))
                if chain:
                    rules.chains[s].append(chain)
            elif p == RDF.type and o == OWL.SymmetricProperty:
                rules.symmetric.add(s)
            elif p == RDF.type and o == OWL.TransitiveProperty:
                rules.transitive.add(s)
            elif p == RDF.type and o == OWL.FunctionalProperty:
                rules.functional.add(s)
            elif p == RDF.type and o == OWL.InverseFunctionalProperty:
                rules.inverse_functional.add(s)
        return rules

    def chain_positions(self) -> dict[Node, list[tuple[Node, tuple[Node, ...], int]]]:
        """property -> (shortcut, chain, position) for every chain it occurs in."""
        positions: dict[Node, list] = defaultdict(list)
        for shortcut, chains in self.chains.items():
            for chain in chains:
                for index, prop in enumerate(chain):
                    positions[prop].append((shortcut, chain, index))
        return positions


class Closure:
    """The closure of a set of triples under ``Rules``, built semi-naively."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.triples: set[Triple] = set()
        #: predicate -> subject -> objects, and predicate -> object -> subjects
        self.forward: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.backward: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        #: derived (not given) triples that state schema: their consequences are not computed here
        self.derived_schema: list[Triple] = []

    def _add_all(self, triples: Iterable[Triple]) -> list[Triple]:
        """Add what is new; returns the new triples (the next round's delta)."""
        fresh = []
        known = self.triples
        forward, backward = self.forward, self.backward
        for triple in triples:
            if triple not in known:
                known.add(triple)
                s, p, o = triple
                forward[p][s].add(o)
                backward[p][o].add(s)
                fresh.append(triple)
        return fresh

    def run(self, triples: Iterable[Triple]) -> set[Triple]:
        delta = self._add_all(triples)
        while delta:
            delta = self._add_all(self._consequences(delta))
            self.derived_schema.extend(t for t in delta if is_schema(t))
        return self.triples

    def _consequences(self, delta: list[Triple]) -> Iterable[Triple]:
        r = self.rules
        positions = r.chain_positions()
        forward, backward = self.forward, self.backward
        for s, p, o in delta:
            if p == RDF.type:
                for c in r.superclasses.get(o, ()):  # cax-sco, cax-eqc
                    yield s, RDF.type, c
            for q in r.superproperties.get(p, ()):  # prp-spo1, prp-eqp
                yield s, q, o
            for c in r.domains.get(p, ()):  # prp-dom
                yield s, RDF.type, c
            for c in r.ranges.get(p, ()):  # prp-rng
                yield o, RDF.type, c
            for q in r.inverses.get(p, ()):  # prp-inv1, prp-inv2
                yield o, q, s
            if p in r.symmetric:  # prp-symp
                yield o, p, s
            if p in r.transitive:  # prp-trp, both sides of the new link
                for z in list(forward[p].get(o, ())):
                    yield s, p, z
                for x in list(backward[p].get(s, ())):
                    yield x, p, o
            for shortcut, chain, index in positions.get(p, ()):  # prp-spo2
                starts = {s}
                for prop in reversed(chain[:index]):
                    starts = {x for y in starts for x in backward[prop].get(y, ())}
                    if not starts:
                        break
                ends = {o}
                for prop in chain[index + 1:]:
                    ends = {z for y in ends for z in forward[prop].get(y, ())}
                    if not ends:
                        break
                for x in starts:
                    for z in ends:
                        yield x, shortcut, z

    def unsupported(self) -> str | None:
        """Why the closure may differ from OWL-RL's, or ``None``: a rule fired that is not here."""
        r = self.rules
        for p in r.functional:  # prp-fp: two values would be owl:sameAs
            if any(len(values) > 1 for values in self.forward[p].values()):
                return f"functional property {p} has two values"
        for p in r.inverse_functional:  # prp-ifp
            if any(len(subjects) > 1 for subjects in self.backward[p].values()):
                return f"inverse-functional property {p} has two subjects"
        for _, p, o in self.derived_schema:
            return f"the data entails schema: {p} {o}"
        for datatype, subjects in self.backward[RDF.type].items():
            if _is_datatype(datatype) and any(not isinstance(s, Literal) for s in subjects):
                return f"a resource is typed with the datatype {datatype}"
        return None


def _is_datatype(node: Node) -> bool:
    text = str(node)
    return text.startswith(("http://www.w3.org/2001/XMLSchema#", str(RDF.PlainLiteral), str(RDF.XMLLiteral)))
