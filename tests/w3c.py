"""Where the W3C test suites are: ``shared/w3c`` beside the checkout (as CI lays it out)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection

ROOT = Path(__file__).resolve().parents[1]
W3C = next((p for p in (ROOT.parent / "shared" / "w3c", Path("/work/shared/w3c")) if p.is_dir()),
           ROOT.parent / "shared" / "w3c")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")


def manifest(path: Path) -> Graph:
    """A manifest parsed with its own file IRI as base (its entries are relative IRIs)."""
    path = path.resolve()
    return Graph().parse(path, format="turtle", publicID=path.as_uri())


def entries(graph: Graph) -> list[URIRef]:
    """The tests a manifest lists, in its order."""
    found: list[URIRef] = []
    for head in graph.objects(None, MF.entries):
        found.extend(Collection(graph, head))
    return found


def included(path: Path) -> list[Path]:
    """The sub-manifests a top manifest includes (``mf:include``)."""
    graph = manifest(path)
    out: list[Path] = []
    for head in graph.objects(None, MF.include):
        out.extend(Path(str(m).removeprefix("file://")) for m in Collection(graph, head))
    return out
