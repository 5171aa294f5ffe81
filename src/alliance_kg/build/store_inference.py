"""The OWL-RL closure computed inside an Oxigraph store: the same bulk rules as ``rules``,
compiled from the closed TBox into SPARQL updates and iterated to a fixpoint.

owlrl still closes the TBox (small: the ontology graph and the schema statements in the data,
read out of the store), and ``Rules.compile`` still decides whether the bulk rules suffice.
Each table then becomes one ``INSERT ... WHERE`` with a ``VALUES`` block, evaluated by
Oxigraph over all named graphs; rounds are semi-naive (a rule's premise is matched against the
last round's new triples only) and end when a round adds nothing. The triples ``inference``
keeps — new, not trivial, about the project's resources or the data's own subjects — are
selected by one more update into ``graph/inferred``, and the work graphs are dropped.

Where the rdflib path would fall back to owlrl's full closure (a TBox or data beyond the bulk
rules), so does this one: on an rdflib copy, with the result written back into the store.
``tests/test_oxigraph_path.py`` checks that both paths give the same inferred graph.
"""

from __future__ import annotations

import logging
from typing import Iterable

import pyoxigraph as ox
from rdflib import OWL, RDF, BNode, Graph, Literal
from rdflib.term import Node

from ..namespaces import BASE, INFERRED_GRAPH, ONTOLOGY_GRAPH
from ..rdf import dataset_from, from_ox, to_ox
from .inference import TRIVIAL_TYPES, asserted_triples, data_subjects, entailments, owlrl_closure
from .rules import META_CLASSES, SCHEMA_PREDICATES, Rules

log = logging.getLogger(__name__)

_WORK = "urn:x-alliance-kg:inference:"
TBOX, DERIVED, DELTA, NEXT = (f"<{_WORK}{name}>" for name in ("tbox", "derived", "delta", "next"))
WORK_GRAPHS = (TBOX, DERIVED, DELTA, NEXT)
INFERRED = f"<{INFERRED_GRAPH}>"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def infer_store(store: ox.Store) -> int:
    """Materialise the closure of the store's named graphs into ``graph/inferred`` (replacing
    what was there), as ``inference.infer`` does for an rdflib dataset; returns its size."""
    store.update(f"DROP SILENT GRAPH {INFERRED}")
    closed_tbox = owlrl_closure(schema_triples(store))
    rules = Rules.compile(closed_tbox)
    why = None if rules is not None else "the TBox needs rules beyond the bulk ones"
    if rules is not None:
        why = unnameable(rules)
    if why is None:
        _add_tbox(store, closed_tbox)
        rounds = closure(store, rules)
        why = unsupported(store, rules)
        if why is None:
            store.update(_select_inferred())
            log.info("OWL-RL in the store: %d rounds", rounds)
    _drop_work(store)
    if why is not None:
        log.info("OWL-RL: %s; using owlrl on an rdflib copy", why)
        _owlrl_fallback(store)
    store.add_graph(ox.NamedNode(str(INFERRED_GRAPH)))
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(str(INFERRED_GRAPH))))


# -- the TBox ---------------------------------------------------------------------------------

def schema_triples(store: ox.Store) -> set[tuple[Node, Node, Node]]:
    """The ontology graph and every schema statement of the other graphs (``rules.is_schema``),
    as rdflib terms (blank node labels kept, so they name the store's nodes), without the
    identity links to external IRIs that ``inference.asserted_triples`` leaves out."""
    found: set[tuple[Node, Node, Node]] = set()
    patterns = [(None, to_ox(p), None) for p in SCHEMA_PREDICATES]
    patterns += [(None, to_ox(RDF.type), to_ox(c)) for c in META_CLASSES]
    quads = [q for s, p, o in patterns for q in store.quads_for_pattern(s, p, o, None)]
    quads += store.quads_for_pattern(None, None, None, ox.NamedNode(str(ONTOLOGY_GRAPH)))
    for quad in quads:
        if type(quad.graph_name) is ox.DefaultGraph:
            continue
        s, p, o = from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)
        if p == OWL.sameAs and not str(o).startswith(BASE):
            continue
        found.add((s, p, o))
    return found


def _add_tbox(store: ox.Store, closed_tbox: Graph) -> None:
    """The closed TBox's triples that no graph holds, into the work graph ``TBOX``: the rules
    see them as data and the inferred graph keeps the interesting ones, as the rdflib path does."""
    graph = ox.NamedNode(TBOX[1:-1])
    quads = []
    for s, p, o in closed_tbox:
        if isinstance(s, Literal) or isinstance(p, BNode):
            continue  # not storable; owlrl's post-processing and ``_interesting`` drop them too
        triple = (to_ox(s), to_ox(p), to_ox(o))
        if next(store.quads_for_pattern(*triple, None), None) is None:
            quads.append(ox.Quad(*triple, graph))
    store.extend(quads)


def unnameable(rules: Rules) -> str | None:
    """Why the tables cannot be written as SPARQL (a blank node in them), or ``None``; also
    refuses ``owl:sameAs`` as a premise, which would see the external links the rdflib path
    leaves out."""
    for table in _tables(rules):
        for row in table:
            if any(isinstance(term, BNode) for term in row):
                return "a rule table holds a blank node"
            if row and row[0] == OWL.sameAs:
                return "a rule has owl:sameAs as its premise"
    return None


def _tables(rules: Rules) -> Iterable[list[tuple]]:
    yield [(c, d) for c, ds in rules.superclasses.items() for d in ds]
    yield [(p, q) for p, qs in rules.superproperties.items() for q in qs]
    yield [(p, c) for p, cs in rules.domains.items() for c in cs]
    yield [(p, c) for p, cs in rules.ranges.items() for c in cs]
    yield [(p, q) for p, qs in rules.inverses.items() for q in qs]
    yield [(p,) for p in rules.symmetric | rules.transitive | rules.functional | rules.inverse_functional]
    yield [(p, shortcut) for shortcut, chains in rules.chains.items() for chain in chains for p in chain]


# -- the rounds -------------------------------------------------------------------------------

def closure(store: ox.Store, rules: Rules) -> int:
    """Apply the rules until nothing is new; the new triples end in ``DERIVED``. Returns the
    number of rounds."""
    rounds = 0
    delta = "GRAPH ?delta"  # the first round's delta: everything
    while True:
        rounds += 1
        store.update(" ;\n".join([*rule_updates(rules, delta), _drop_known()]))
        if next(store.quads_for_pattern(None, None, None, ox.NamedNode(NEXT[1:-1])), None) is None:
            return rounds
        store.update(f"ADD SILENT {NEXT} TO {DERIVED} ; MOVE SILENT {NEXT} TO {DELTA}")
        delta = f"GRAPH {DELTA}"


def rule_updates(rules: Rules, delta: str) -> list[str]:
    """One ``INSERT`` into ``NEXT`` per rule with a non-empty table, its premise (one of them,
    in turn, for the two-premise rules) matched in ``delta``, the rest in any graph."""
    updates = []

    def rule(head: str, variables: str, rows: list[tuple] | None, body: str) -> None:
        """``rows`` bind ``variables`` (``None``: a rule of fixed terms, no table)."""
        if rows == []:
            return
        values = ""
        if rows is not None:
            table = " ".join("(" + " ".join(term.n3() for term in row) + ")" for row in sorted(rows))
            values = f"VALUES ({variables}) {{ {table} }} "
        updates.append(f"INSERT {{ GRAPH {NEXT} {{ {head} }} }} WHERE {{ {values}{body} }}")

    r = rules
    rule("?s a ?d", "?c ?d", [(c, d) for c, ds in r.superclasses.items() for d in ds],  # cax-sco, cax-eqc
         f"{delta} {{ ?s a ?c }}")
    rule("?s ?q ?o", "?p ?q", [(p, q) for p, qs in r.superproperties.items() for q in qs],  # prp-spo1, prp-eqp
         f"{delta} {{ ?s ?p ?o }}")
    rule("?s a ?c", "?p ?c", [(p, c) for p, cs in r.domains.items() for c in cs],  # prp-dom
         f"{delta} {{ ?s ?p ?o }}")
    rule("?o a ?c", "?p ?c", [(p, c) for p, cs in r.ranges.items() for c in cs],  # prp-rng
         f"{delta} {{ ?s ?p ?o }} FILTER(!isLiteral(?o))")
    rule("?o ?q ?s", "?p ?q", [(p, q) for p, qs in r.inverses.items() for q in qs],  # prp-inv1, prp-inv2
         f"{delta} {{ ?s ?p ?o }} FILTER(!isLiteral(?o))")
    rule("?o ?p ?s", "?p", [(p,) for p in r.symmetric],  # prp-symp
         f"{delta} {{ ?s ?p ?o }} FILTER(!isLiteral(?o))")
    transitive = [(p,) for p in r.transitive]  # prp-trp, both sides of the new link
    rule("?s ?p ?z", "?p", transitive, f"{delta} {{ ?s ?p ?o }} GRAPH ?g {{ ?o ?p ?z }}")
    rule("?x ?p ?o", "?p", transitive, f"GRAPH ?g {{ ?x ?p ?s }} {delta} {{ ?s ?p ?o }}")
    for shortcut, chains in r.chains.items():  # prp-spo2, the new link at each position in turn
        for chain in chains:
            for index in range(len(chain)):
                body = " ".join(
                    f"{delta if k == index else f'GRAPH ?g{k}'} {{ ?v{k} {prop.n3()} ?v{k + 1} }}"
                    for k, prop in enumerate(chain))
                rule(f"?v0 {shortcut.n3()} ?v{len(chain)}", "", None, body)
    return updates


def _drop_known() -> str:
    """Removes from ``NEXT`` what another graph already holds: only new triples go on."""
    return (f"DELETE {{ GRAPH {NEXT} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {NEXT} {{ ?s ?p ?o }} "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {NEXT}) }}")


# -- what the bulk rules do not cover -----------------------------------------------------------

def unsupported(store: ox.Store, rules: Rules) -> str | None:
    """``rules.Closure.unsupported`` asked of the store: a rule fired that is not implemented."""
    def values(terms: Iterable[Node]) -> str:
        return " ".join(t.n3() for t in sorted(terms))

    def listed(terms: Iterable[Node]) -> str:
        return ", ".join(t.n3() for t in sorted(terms))

    asks = []
    if rules.functional:  # prp-fp: two values would be owl:sameAs
        asks.append(("a functional property has two values",
                     f"VALUES ?p {{ {values(rules.functional)} }} GRAPH ?a {{ ?s ?p ?x }} GRAPH ?b {{ ?s ?p ?y }} "
                     "FILTER(!sameTerm(?x, ?y))"))
    if rules.inverse_functional:  # prp-ifp
        asks.append(("an inverse-functional property has two subjects",
                     f"VALUES ?p {{ {values(rules.inverse_functional)} }} GRAPH ?a {{ ?x ?p ?o }} "
                     "GRAPH ?b { ?y ?p ?o } FILTER(!sameTerm(?x, ?y))"))
    asks.append(("the data entails schema",
                 f"GRAPH {DERIVED} {{ ?s ?p ?o }} FILTER(?p IN ({listed(SCHEMA_PREDICATES)}) || "
                 f"(sameTerm(?p, rdf:type) && ?o IN ({listed(META_CLASSES)})))"))
    asks.append(("a resource is typed with a datatype",
                 f"GRAPH ?g {{ ?s a ?d }} FILTER(!isLiteral(?s) && (STRSTARTS(STR(?d), \"{_XSD}\") || "
                 f"sameTerm(?d, rdf:PlainLiteral) || sameTerm(?d, rdf:XMLLiteral)))"))
    for why, pattern in asks:
        if store.query(f"PREFIX rdf: <{RDF}> ASK {{ {pattern} }}"):
            return why
    return None


# -- the result ---------------------------------------------------------------------------------

def _select_inferred() -> str:
    """``inference._interesting`` as one update: of the closed TBox and the derived triples,
    those about a project IRI, or about a subject the data describes (a subject of an asserted
    graph, outside the ontology graph, not only linked by identity to the outside), and not
    trivial."""
    asserted = f"?a NOT IN ({', '.join(WORK_GRAPHS)})"
    trivial = ", ".join(t.n3() for t in sorted(TRIVIAL_TYPES))
    return f"""PREFIX owl: <{OWL}> PREFIX rdf: <{RDF}>
INSERT {{ GRAPH {INFERRED} {{ ?s ?p ?o }} }} WHERE {{
  {{ GRAPH {DERIVED} {{ ?s ?p ?o }} }} UNION {{ GRAPH {TBOX} {{ ?s ?p ?o }} }}
  FILTER(isIRI(?s) && !(sameTerm(?p, owl:sameAs) && sameTerm(?s, ?o))
         && !(sameTerm(?p, rdf:type) && ?o IN ({trivial})))
  FILTER(STRSTARTS(STR(?s), "{BASE}") || (
    EXISTS {{ GRAPH ?a {{ ?s ?pa ?oa }} FILTER({asserted}
                && !(sameTerm(?pa, owl:sameAs) && !STRSTARTS(STR(?oa), "{BASE}"))) }}
    && NOT EXISTS {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?x ?y }} }}))
}}"""


def _drop_work(store: ox.Store) -> None:
    store.update(" ; ".join(f"DROP SILENT GRAPH {g}" for g in WORK_GRAPHS))


def _owlrl_fallback(store: ox.Store) -> None:
    """The rdflib path's answer for what the bulk rules do not cover: owlrl over an rdflib copy
    of the named graphs (blank node labels kept), its entailments written into the store."""
    dataset = dataset_from(store)
    asserted = asserted_triples(dataset)
    found = entailments(asserted, dataset.graph(ONTOLOGY_GRAPH), fast=False,
                        described=data_subjects(dataset, asserted))
    graph = ox.NamedNode(str(INFERRED_GRAPH))
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o in found
                 if not isinstance(s, Literal) and not isinstance(p, BNode))
