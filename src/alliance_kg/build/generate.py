"""Synthetic alliance-shaped data for scale tests: the real graph's own patterns, repeated.

The shipped ``data/`` is read and its member-side things — cities, districts, memberships,
persons, posts, tenures, events, qualified associations, instants and intervals — are copied
``copies`` times under new IRIs (``{ID}city/koeln`` becomes ``{ID}city/koeln-g7``), with every
statement about them and the blank nodes hanging from them; statements of shared things are not
repeated (the memo keeps its one signatory; the alliance's side of a membership is inferred from
the copy's ``org:organization``). Shared things
— the alliance, countries, roles, passages, the memo, topics — stay single. A copied city
that lies directly in a country lies instead in a synthetic region of that country, one per
copy (the memo's check counts the cities directly in Germany and China: ten and fourteen), and each
copy goes into the named graph its original is in, so the provenance of every graph still holds.

Two edits keep copies honest and the closure linear: a copy's labels end in `` (g7)``
(no two things share a name), and a copy has no ``owl:sameAs`` (two copies linked to one
GeoNames IRI would make OWL-RL equate them all). The result uses the project's ontology and
shapes unchanged and passes validation like the real data.

The output is one N-Quads file (named graphs explicit, the fastest format rdflib parses) plus
the ontology, so ``alliance-kg validate DIR`` or ``load --store oxigraph:PATH DIR`` take it as is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from rdflib import OWL, BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..errors import InputError, unwritable
from ..namespaces import AKG, GRAPH, ID, ONTOLOGY_GRAPH, SCHEMA
from ..rdf import named_quads
from ..settings import project_root
from .sources import load_dataset

#: Kinds of thing (the ``{ID}{kind}/`` segment) copied per synthetic member set.
COPIED = frozenset({"city", "district", "region", "membership", "person", "post", "tenure", "event",
                    "association", "instant", "interval"})
#: Properties whose literal values name a thing (a copy's names get a suffix).
NAMES = frozenset({RDFS.label, SKOS.prefLabel, SKOS.altLabel, SCHEMA.name})
#: Properties dropped from copies (identity links to the outside world).
DROPPED = frozenset({OWL.sameAs, AKG.candidateMatch, AKG.identifiedAs})

OUTPUT = "alliance-generated.nq"


@dataclass
class Generated:
    path: Path
    copies: int
    cities: int
    quads: int


def _kind(node) -> str | None:
    if isinstance(node, URIRef) and str(node).startswith(str(ID)):
        return str(node)[len(str(ID)):].split("/", 1)[0]
    return None


def _copied(node) -> bool:
    return _kind(node) in COPIED


def cities_per_copy(dataset: Dataset) -> int:
    return len({s for s, _, _ in dataset.triples((None, None, None)) if _kind(s) == "city"})


def generate(cities: int, out: Path, *, root: Path | None = None) -> Generated:
    """Write the ontology, the real data and enough whole copies of its member set for at least
    ``cities`` synthetic member cities into ``out``: ``--cities 30`` with 24 cities a copy is
    two copies, 72 cities with the real ones (``Generated.cities`` counts them all)."""
    if cities < 1:
        raise InputError(f"cannot generate {cities} member cities (at least 1)")
    if out.exists() and not out.is_dir():
        raise InputError(f"not a folder (--out names the folder {OUTPUT} is written into)", path=str(out))
    root = root or project_root()
    loaded = load_dataset([root / "data"], root=root)
    ontology = load_dataset([root / "ontology"], root=root)
    source = loaded.dataset
    per_copy = max(1, cities_per_copy(source))
    copies = math.ceil(cities / per_copy)
    quads = list(named_quads(source))
    try:
        path, written = _write(out, ontology.dataset, quads, copies)
    except OSError as exc:
        raise unwritable(exc) from None
    return Generated(path, copies, copies * per_copy + per_copy, written)


def _write(out: Path, ontology: Dataset, quads: list[tuple], copies: int) -> tuple[Path, int]:
    """The ontology, the real data once and ``copies`` copies of it, as N-Quads in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / OUTPUT
    written = 0
    with path.open("w", encoding="utf-8") as stream:
        for s, p, o, g in named_quads(ontology):
            stream.write(f"{s.n3()} {p.n3()} {o.n3()} <{ONTOLOGY_GRAPH}> .\n")
            written += 1
        for s, p, o, g in quads:  # the real data, once, unchanged
            stream.write(f"{_nq(s)} {p.n3()} {_nq(o)} <{g}> .\n")
            written += 1
        hanging = _hanging(quads)
        for copy in range(1, copies + 1):
            for line in _copy(quads, copy, hanging):
                stream.write(line)
                written += 1
    return path, written


def _nq(term) -> str:
    """N-Quads form; blank nodes keep a stable label (rdflib's are unique per process)."""
    return f"_:b{term}" if isinstance(term, BNode) else term.n3()


def _hanging(quads: list[tuple]) -> set:
    """Blank nodes reachable from copied things (copied with them, one fresh node per copy)."""
    found = {o for s, _, o, _ in quads if isinstance(o, BNode) and _copied(s)}
    while True:
        more = {o for s, _, o, _ in quads if isinstance(o, BNode) and s in found} - found
        if not more:
            return found
        found |= more


def _copy(quads: list[tuple], copy: int, hanging: set) -> Iterator[str]:
    suffix = f"-g{copy}"
    regions: set[URIRef] = set()

    def rename(node) -> str:
        if _copied(node):
            return f"<{node}{suffix}>"
        if isinstance(node, BNode):
            return f"_:b{node}g{copy}"
        return node.n3()

    for s, p, o, g in quads:
        if _copied(s):
            if p in DROPPED or (p == RDF.type and o == AKG.AmbiguousPlace):  # a copy is unambiguous
                continue
        elif s not in hanging:  # a shared thing's own statements stay as they are (one signatory)
            continue
        value = rename(o)
        if p == SCHEMA.containedInPlace and _kind(s) in ("city", "district") and _kind(o) == "country":
            region = ID[f"region/synthetic-{str(o).rsplit('/', 1)[-1]}-g{copy}"]
            value = f"<{region}>"
            if region not in regions:
                regions.add(region)
                yield from _region(region, o, copy)
        if _copied(s) and p in NAMES and isinstance(o, Literal):
            value = Literal(f"{o} (g{copy})", lang=o.language, datatype=o.datatype).n3()
        yield f"{rename(s)} {p.n3()} {value} <{g}> .\n"


def _region(region: URIRef, country: URIRef, copy: int) -> Iterator[str]:
    """A synthetic region of ``country`` for copy ``copy`` (in the regions graph)."""
    graph = f"<{GRAPH['geo/regions']}>"
    code = str(country).rsplit("/", 1)[-1].upper()
    yield f"<{region}> <{RDF.type}> <{AKG.Region}> {graph} .\n"
    yield f"<{region}> <{RDF.type}> <{SCHEMA.AdministrativeArea}> {graph} .\n"
    for prop in NAMES - {SKOS.altLabel}:
        for lang, text in (("de", f"Synthetische Region {code} {copy}"), ("en", f"Synthetic region {code} {copy}")):
            yield f"<{region}> <{prop}> {Literal(text, lang=lang).n3()} {graph} .\n"
    yield f"<{region}> <{SCHEMA.containedInPlace}> <{country}> {graph} .\n"
