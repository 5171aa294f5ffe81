"""The VoID description of the built graph: size, vocabularies, licence, endpoint, dumps, one
subset per named graph, linksets. Names the canonical IRIs under ``BASE`` only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pyoxigraph as ox

from rdflib import OWL, RDF, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS

from .. import __version__
from ..namespaces import BASE, ID, SD, VOID
from ..rdf import bind_prefixes

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DATASET = URIRef(BASE + ".well-known/void#alliance-kg")
#: The subset of the asserted triples as one graph: what a dump in a one-graph format holds.
ASSERTED = URIRef(f"{DATASET}-asserted")
ENDPOINT = URIRef(BASE + "sparql")
#: The dataset's title in the languages its descriptions give it (VoID, the DCAT-AP record, citations).
TITLE = {"de": "Chinesisch-Deutsche Industriestädteallianz — Wissensgraph",
         "en": "Chinese-German Industrial Cities Alliance knowledge graph"}


@dataclass
class Counts:
    """What VoID says about the graph's size, counted once, by rdflib or by Oxigraph."""

    triples: int
    entities: int
    classes: int
    properties: list[str]
    subjects: int
    objects: int
    #: named graph -> triples (non-empty graphs only)
    graphs: dict[str, int]
    #: (subject, object) of each distinct owl:sameAs link to an IRI outside ``BASE``
    sameas: list[tuple[str, str]]

    @classmethod
    def of(cls, source: Dataset | ox.Store | Counts) -> Counts:
        """``source`` counted: by Oxigraph where it is an Oxigraph store, else by rdflib."""
        if isinstance(source, Counts):
            return source
        return cls.of_store(source) if isinstance(source, ox.Store) else cls.of_dataset(source)

    @classmethod
    def of_dataset(cls, dataset: Dataset) -> Counts:
        union = [t for t in dataset.triples((None, None, None))]
        subjects = {s for s, _, _ in union}
        properties = {p for _, p, _ in union}
        return cls(
            triples=len(union),
            entities=len({s for s in subjects if isinstance(s, URIRef) and str(s).startswith(str(ID))}),
            classes=len({o for _, p, o in union if p == RDF.type}),
            properties=sorted(str(p) for p in properties),
            subjects=len(subjects),
            objects=len({o for _, _, o in union}),
            graphs={str(c.identifier): len(c) for c in dataset.graphs()
                    if isinstance(c.identifier, URIRef) and len(c)},
            sameas=sorted((str(s), str(o)) for s, p, o in union
                          if p == OWL.sameAs and isinstance(o, URIRef) and not str(o).startswith(BASE)),
        )

    @classmethod
    def of_store(cls, store: ox.Store) -> Counts:
        """The same counts as SPARQL aggregates over an Oxigraph store's named graphs (its
        default graph, where a union is materialised, is not counted twice)."""
        def number(where: str, what: str = "COUNT(*)") -> int:
            row = next(iter(store.query(f"SELECT ({what} AS ?n) WHERE {{ {where} }}")))
            return int(row["n"].value)

        union = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        return cls(
            triples=number(f"{{ {union} }}"),
            entities=number(f'GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"))',
                            "COUNT(DISTINCT ?s)"),
            classes=number(f"GRAPH ?g {{ ?s <{RDF.type}> ?o }}", "COUNT(DISTINCT ?o)"),
            properties=sorted(row["p"].value for row in store.query("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }")),
            subjects=number("GRAPH ?g { ?s ?p ?o }", "COUNT(DISTINCT ?s)"),
            objects=number("GRAPH ?g { ?s ?p ?o }", "COUNT(DISTINCT ?o)"),
            graphs={row["g"].value: int(row["n"].value) for row in store.query(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
                if type(row["g"]) is ox.NamedNode},
            sameas=sorted((row["s"].value, row["o"].value) for row in store.query(
                f"SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{OWL.sameAs}> ?o }} "
                f'FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "{BASE}")) }}')),
        )


def counts_of(store) -> Counts:
    """A served store's counts: by Oxigraph where it holds the graph (``counts``), else from its
    rdflib dataset. Copying a 1M-triple store into rdflib for this took the server gigabytes."""
    own = getattr(store, "counts", None)
    return own() if own is not None else Counts.of_dataset(store.dataset)


def void_graph(source: Dataset | ox.Store | Counts,
               downloads: Mapping[str, tuple[ox.RdfFormat, str, str]]) -> Graph:
    """VoID: size, vocabularies, licence, endpoint, the dumps ``downloads`` names (file names
    below ``/downloads/`` with their format, media type and what they hold: ``dumps.DUMPS``), one
    subset per named graph, linksets; counted by Oxigraph where the graph is in an Oxigraph
    store (or given counted).

    A dump in a dataset format holds the whole dataset: a ``void:dataDump`` of it. One in a
    format of one graph (Turtle) holds the asserted triples only, without the inferred graph:
    the dump of a subset that says so, never presented as the dataset's."""
    counts = Counts.of(source)
    g = bind_prefixes(Graph())
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    for lang, title in TITLE.items():
        g.add((d, DCTERMS.title, Literal(title, lang=lang)))
    g.add((d, DCTERMS.description, Literal(
        "The alliance, its founding, its members and Cologne's accession, from the memo to Cologne's "
        "Economic Committee of 9 March 2017, with provenance per statement group.", lang="en")))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCTERMS.hasVersion, Literal(__version__)))
    g.add((d, FOAF.homepage, URIRef(BASE)))
    g.add((d, RDFS.seeAlso, URIRef(BASE + "catalog")))  # the DCAT-AP record (stores/dcat.py)
    g.add((d, VOID.sparqlEndpoint, ENDPOINT))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    g.add((d, VOID.exampleResource, ID["city/koeln"]))
    g.add((d, VOID.triples, Literal(counts.triples, datatype=XSD.integer)))
    g.add((d, VOID.entities, Literal(counts.entities, datatype=XSD.integer)))
    g.add((d, VOID.classes, Literal(counts.classes, datatype=XSD.integer)))
    g.add((d, VOID.properties, Literal(len(counts.properties), datatype=XSD.integer)))
    g.add((d, VOID.distinctSubjects, Literal(counts.subjects, datatype=XSD.integer)))
    g.add((d, VOID.distinctObjects, Literal(counts.objects, datatype=XSD.integer)))
    for name, (fmt, _, holds) in downloads.items():
        dump = URIRef(BASE + "downloads/" + name)
        if fmt.supports_datasets:
            g.add((d, VOID.dataDump, dump))
            continue
        g.add((d, VOID.subset, ASSERTED))
        g.add((ASSERTED, RDF.type, VOID.Dataset))
        g.add((ASSERTED, DCTERMS.description, Literal(f"The dataset's {holds} (no inferred triples).", lang="en")))
        g.add((ASSERTED, VOID.dataDump, dump))
    for namespace in sorted({p.rsplit("#", 1)[0] + "#" if "#" in p else p.rsplit("/", 1)[0] + "/"
                             for p in counts.properties}):
        g.add((d, VOID.vocabulary, URIRef(namespace)))
    for name, size in sorted(counts.graphs.items()):
        subset = URIRef(f"{DATASET}-graph-{name.rsplit('graph/', 1)[-1].replace('/', '-')}")
        g.add((d, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, URIRef(name)))
        g.add((subset, VOID.triples, Literal(size, datatype=XSD.integer)))
    targets = sorted({o.split("/", 3)[2] for _, o in counts.sameas})
    for host in targets:
        linkset = URIRef(f"{DATASET}-links-{host}")
        g.add((d, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.linkPredicate, OWL.sameAs))
        g.add((linkset, VOID.subjectsTarget, d))
        g.add((linkset, VOID.target, URIRef(f"https://{host}/")))
        g.add((linkset, VOID.triples, Literal(sum(1 for _, o in counts.sameas if f"//{host}/" in o),
                                              datatype=XSD.integer)))
    return g
