"""The DCAT-AP catalog record for open-data portals: valid against DCAT-AP's mandatory
properties, every dump with its true size and SHA-256, the endpoint as a data service, and
linked from the VoID."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, XSD

from alliance_kg.build.pipeline import version_of
from alliance_kg.build.sources import load_dataset
from alliance_kg.namespaces import GRAPH, INFERRED_GRAPH, SD
from alliance_kg.rdf import named_quads
from alliance_kg.stores import InMemoryOxigraphStore, dumps
from alliance_kg.stores.dcat import CATALOG, CONTRIBUTORS, DATASET, DCATDE, SERVICE, SPDX

SHAPES = Path(__file__).parent / "fixtures" / "dcat-ap" / "mandatory.ttl"


@pytest.fixture
def record(client) -> Graph:
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_record_conforms_to_dcat_ap_mandatory_properties(record):
    conforms, _, text = validate(record, shacl_graph=Graph().parse(SHAPES), inference="rdfs")
    assert conforms, text


def test_the_shapes_reject_a_record_without_mandatory_properties(record):
    broken = Graph()
    for triple in record:
        if triple[1] not in (DCAT.accessURL, DCTERMS.title):
            broken.add(triple)
    conforms, report, _ = validate(broken, shacl_graph=Graph().parse(SHAPES))
    assert not conforms
    paths = {str(o) for o in report.objects(None, URIRef("http://www.w3.org/ns/shacl#resultPath"))}
    assert str(DCAT.accessURL) in paths and str(DCTERMS.title) in paths


def test_every_dump_has_its_size_and_checksum(client, record):
    dumps = [d for d in record.objects(DATASET, DCAT.distribution) if (d, DCAT.downloadURL, None) in record]
    assert len(dumps) == 4
    for dist in dumps:
        url = str(record.value(dist, DCAT.downloadURL))
        body = client.get(url.replace("https://w3id.org/alliance-kg", "")).get_data()
        assert record.value(dist, DCAT.byteSize) == Literal(len(body), datatype=XSD.nonNegativeInteger)
        checksum = record.value(dist, SPDX.checksum)
        assert record.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(record.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert record.value(dist, DCTERMS.license) is not None


def test_the_endpoint_is_a_data_service_and_a_distribution(record):
    assert (SERVICE, RDF.type, DCAT.DataService) in record
    assert (SERVICE, DCAT.endpointURL, URIRef("https://w3id.org/alliance-kg/sparql")) in record
    assert (CATALOG, DCAT.service, SERVICE) in record
    assert any((d, DCAT.accessService, SERVICE) in record for d in record.objects(DATASET, DCAT.distribution))


def test_coverage_themes_publisher_contact_and_licence(record):
    for prop in (DCTERMS.publisher, DCAT.contactPoint, DCTERMS.spatial, DCAT.theme, DCTERMS.license):
        assert record.value(DATASET, prop) is not None, prop


def test_data_that_declares_no_date_gets_a_record_without_one(record):
    """The fixture's graphs declare no dcterms:modified: no date is made up (no load time)."""
    assert record.value(DATASET, DCTERMS.modified) is None and record.value(CATALOG, DCTERMS.modified) is None


def test_the_record_is_modified_when_the_shipped_data_says_it_last_changed(shipped_memory_client, repo_root):
    """The latest dcterms:modified that data/provenance.ttl declares of a graph, on catalog and
    dataset alike."""
    record = Graph().parse(data=shipped_memory_client.get("/catalog?format=turtle").get_data(as_text=True),
                           format="turtle")
    declared = Graph().parse(repo_root / "data" / "provenance.ttl")
    latest = max(declared.objects(None, DCTERMS.modified), key=str)
    assert record.value(DATASET, DCTERMS.modified) == record.value(CATALOG, DCTERMS.modified) == latest
    assert latest.datatype == XSD.date


def _record_of(folder: Path, day: str) -> tuple[str, Graph]:
    """The data version and catalog record of a graph whose description declares ``day``."""
    from alliance_kg.app import create_app

    (folder / "g.ttl").write_text('<https://example.org/s> <https://example.org/p> "o" .\n', encoding="utf-8")
    graph = "https://w3id.org/alliance-kg/graph/g"
    (folder / "provenance.ttl").write_text(
        f'<{graph}> <{DCTERMS.modified}> "{day}"^^<{XSD.date}> .\n'
        f'<https://example.org/not-a-graph> <{DCTERMS.modified}> "2999-01-01"^^<{XSD.date}> .\n', encoding="utf-8")
    loaded = load_dataset([folder], root=folder.parent)
    app = create_app({"STORE": InMemoryOxigraphStore(loaded.dataset, version_of(loaded)), "TESTING": True,
                      "query_workers": 1})
    try:
        body = app.test_client().get("/catalog?format=turtle").get_data(as_text=True)
    finally:
        app.extensions["alliance_kg"].executor.close()
    return version_of(loaded), Graph().parse(data=body, format="turtle")


def test_changing_the_declared_date_changes_the_records_date_and_the_data_version(tmp_path):
    """The date declared of a served graph, not of anything else; declared anew, a new date, and
    a new data version (so a new tag for the record)."""
    (tmp_path / "data").mkdir()
    (before, one), (after, other) = (_record_of(tmp_path / "data", day) for day in ("2026-01-02", "2026-03-04"))
    assert one.value(DATASET, DCTERMS.modified) == Literal("2026-01-02", datatype=XSD.date)
    assert other.value(DATASET, DCTERMS.modified) == Literal("2026-03-04", datatype=XSD.date)
    assert before != after


def test_every_shipped_graph_declares_when_it_last_changed(repo_root):
    """Every asserted graph's description declares one date; the inferred graph, which changes
    with them, none."""
    declared = Graph().parse(repo_root / "data" / "provenance.ttl")
    graphs = set(declared.subjects(RDF.type, SD.Graph))
    assert len(graphs) > 10
    for graph in graphs:
        dates = list(declared.objects(graph, DCTERMS.modified))
        if graph == INFERRED_GRAPH:
            assert dates == []
        else:
            assert len(dates) == 1 and dates[0].datatype == XSD.date, graph


def _last_change(repo_root: Path, path: str) -> tuple[str, str]:
    """(commit, day) of the last commit that changed ``path``; ("", "") if none did."""
    out = subprocess.run(["git", "log", "-1", "--format=%H %as", "--", path], cwd=repo_root, capture_output=True,
                         text=True, check=True).stdout.split()
    return (out[0], out[1]) if out else ("", "")


def _shallow_ends(repo_root: Path) -> set[str]:
    """The commits a shallow clone's history stops at: a file last changed there may have
    changed before (its day there is no bound), every later change is the file's own."""
    shallow = subprocess.run(["git", "rev-parse", "--git-path", "shallow"], cwd=repo_root, capture_output=True,
                             text=True, check=True).stdout.strip()
    path = repo_root / shallow
    return set(path.read_text().split()) if path.exists() else set()


def test_no_declared_date_is_older_than_its_files_last_commit(repo_root):
    """Each graph's date is not before the last commit that changed its file: a change that
    forgot to bump it fails here. In a shallow clone a file whose last change is where the
    history stops is not judged (that commit may not be its change); the rest are."""
    if shutil.which("git") is None or not (repo_root / ".git").exists():
        pytest.skip("not a git checkout")
    ends = _shallow_ends(repo_root)
    declared = Graph().parse(repo_root / "data" / "provenance.ttl")
    judged = 0
    for graph, day in declared.subject_objects(DCTERMS.modified):
        name = str(graph).removeprefix(str(GRAPH))
        path = "ontology" if name == "ontology" else f"data/{name}.ttl"
        assert (repo_root / path).exists(), path
        commit, changed = _last_change(repo_root, path)
        if commit in ends:
            continue
        judged += 1
        assert not changed or str(day) >= changed, f"{path} changed on {changed}: declare that day for <{graph}>"
    assert judged or ends, "no graph's date was judged"


def test_temporal_coverage_is_the_span_of_the_shipped_events(make_app, in_memory_oxigraph_store):
    """From the founding (2016, a year only) to the admission on 24 April 2017."""
    client = make_app(in_memory_oxigraph_store).test_client()
    record = Graph().parse(data=client.get("/catalog?format=turtle").get_data(as_text=True), format="turtle")
    period = record.value(DATASET, DCTERMS.temporal)
    assert str(record.value(period, DCAT.startDate)) == "2016"
    assert str(record.value(period, DCAT.endDate)) == "2017-04-24"


def test_void_links_the_catalog(client):
    void = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True),
                         format="turtle")
    assert (None, RDFS.seeAlso, CATALOG) in void


def test_no_contributor_id_is_stated_unless_the_operator_has_one(record):
    assert record.value(CATALOG, DCATDE.contributorID) is None


def test_the_operators_contributor_id_is_on_catalog_and_dataset(make_app):
    koeln = URIRef(CONTRIBUTORS + "stadtKoeln")
    client = make_app(catalog_contributor=str(koeln)).test_client()
    record = Graph().parse(data=client.get("/catalog?format=turtle").get_data(as_text=True), format="turtle")
    assert record.value(CATALOG, DCATDE.contributorID) == koeln
    assert record.value(DATASET, DCATDE.contributorID) == koeln


@pytest.mark.parametrize("text", ["stadtKoeln", "https://example.org/contributors/x", CONTRIBUTORS,
                                  CONTRIBUTORS + "a/b", CONTRIBUTORS + "a b"])
def test_a_contributor_id_outside_the_list_stops_the_start(make_app, text):
    with pytest.raises(ValueError, match="contributors list"):
        make_app(catalog_contributor=text)


def test_serve_refuses_a_malformed_contributor_id_with_exit_2(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "alliance_kg.cli", "serve", "--catalog-contributor", "koeln",
                           "--get", "/catalog"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2 and "contributors list" in done.stderr and "Traceback" not in done.stderr


def test_home_page_links_the_catalog(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/catalog"' in page
    assert '<link rel="alternate" type="text/turtle" href="/catalog"' in page


def test_a_gzip_download_is_the_same_dump(client):
    """The gzip copy written on first demand holds exactly the bytes the record describes."""
    import gzip

    plain = client.get("/downloads/alliance-kg.nq").get_data()
    packed = client.get("/downloads/alliance-kg.nq", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain
    assert int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(plain)


def test_a_gzip_download_names_the_dump_in_its_header(client):
    """The gzip header's name (FNAME, RFC 1952) is the dump's, not the temporary file's; no time."""
    packed = client.get("/downloads/alliance-kg.nq", headers={"Accept-Encoding": "gzip"}).get_data()
    flags, mtime = packed[3], packed[4:8]
    assert flags & 0x08 and mtime == bytes(4)
    name = packed[10:packed.index(b"\0", 10)]
    assert name == b"alliance-kg.nq"


def test_a_download_resumes_only_the_same_bytes(client):
    """Each encoding of a dump has a strong tag of its own (RFC 9110: If-Range compares
    strongly), so a resumed download gets the rest of the very bytes it began with, and anything
    else, the other encoding's tag or a weak one, the whole file again."""
    plain = client.get("/downloads/alliance-kg.nq", headers={"Accept-Encoding": "identity"})
    packed = client.get("/downloads/alliance-kg.nq", headers={"Accept-Encoding": "gzip"})
    tags = plain.headers["ETag"], packed.headers["ETag"]
    assert not any(tag.startswith("W/") for tag in tags) and tags[0] != tags[1]
    assert packed.get_data()[4:8] == bytes(4)  # no time in the gzip header: the same bytes every time
    rest = client.get("/downloads/alliance-kg.nq", headers={"Accept-Encoding": "identity", "Range": "bytes=100-",
                                                            "If-Range": tags[0]})
    assert rest.status_code == 206 and rest.get_data() == plain.get_data()[100:]
    for stale in ("W/" + tags[0], tags[1]):
        whole = client.get("/downloads/alliance-kg.nq", headers={"Accept-Encoding": "identity",
                                                                 "Range": "bytes=100-", "If-Range": stale})
        assert whole.status_code == 200 and whole.get_data() == plain.get_data(), stale
    again = client.get("/downloads/alliance-kg.nq", headers={"Accept-Encoding": "identity", "If-None-Match": tags[0]})
    assert again.status_code == 304


def test_dumps_are_files_that_go_with_their_generation(in_memory_oxigraph_store):
    """The dumps are written to a folder, not held in the server's memory, and the folder is
    removed once its generation is gone (a reload makes a new one)."""
    import gc

    from alliance_kg.app import create_app
    from alliance_kg.web.state import EXTENSION

    app = create_app({"STORE": in_memory_oxigraph_store, "TESTING": True, "query_workers": 1})
    body = app.test_client().get("/downloads/alliance-kg.ttl").get_data()
    current = app.extensions[EXTENSION]
    folder = current._cache["downloads-folder"]
    assert (folder / "alliance-kg.ttl").read_bytes() == body
    assert not any(isinstance(value, bytes) for value in current._cache.values())
    current.executor.close()
    del app, current
    gc.unfreeze()  # as the server's refork after a reload does (query.executor.compact_memory)
    gc.collect()
    assert not folder.exists()


def test_a_slow_build_holds_up_no_other_key(client):
    """The first catalog request writes the dumps (minutes at 10M triples): VoID still answers."""
    current = client.application.extensions["alliance_kg"]
    started, release = threading.Event(), threading.Event()
    slow = threading.Thread(target=current.cached, args=("slow", lambda: started.set() or release.wait(30)))
    slow.start()
    try:
        assert started.wait(10)
        answered: dict = {}
        other = threading.Thread(target=lambda: answered.update(void=client.get("/.well-known/void")))
        other.start()
        other.join(10)
        assert not other.is_alive() and answered["void"].status_code == 200
    finally:
        release.set()
        slow.join()


def test_a_key_is_built_once_however_many_ask_at_once(client):
    current = client.application.extensions["alliance_kg"]
    built = []

    def build() -> object:
        built.append(1)
        time.sleep(0.2)
        return object()

    got: list = []
    askers = [threading.Thread(target=lambda: got.append(current.cached("once", build))) for _ in range(8)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert len(built) == 1 and len(got) == 8 and len({id(value) for value in got}) == 1


#: Prints, per description and graph format, the tag and a hash of what an app gives, on the
#: backend argv[2] names. The dumps are fixed: their own bytes are another test's.
_DESCRIBED = """
import hashlib, sys
from alliance_kg.app import create_app
from alliance_kg.build.sources import load_dataset
from alliance_kg.query import formats
from alliance_kg.stores import InMemoryOxigraphStore, RdflibStore
from alliance_kg.web import catalog
from alliance_kg.web.downloads import DumpFile
from alliance_kg.stores.dcat import Download
catalog._dump_file = lambda current, name: DumpFile(None, Download("text/turtle", 1, "00"))
backend = {"oxigraph": InMemoryOxigraphStore, "rdflib": RdflibStore}[sys.argv[2]]
app = create_app({"STORE": backend(load_dataset([sys.argv[1]]).dataset, "v1"), "TESTING": True, "query_workers": 1})
for path in ("/.well-known/void", "/catalog"):
    for media_type in [*formats.GRAPH_TYPES, "text/html"]:
        response = app.test_client().get(path, headers={"Accept": media_type})
        assert response.status_code == 200, (path, media_type, response.status_code)
        print(path, media_type, response.headers["ETag"], hashlib.sha256(response.get_data()).hexdigest())
app.extensions["alliance_kg"].executor.close()
"""


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_void_and_catalog_are_the_same_bytes_in_every_serving_process(backend):
    """Their weak tag is the data version and the request: two processes (hash seeds apart, as
    any two are) must send the same bytes under it, in every format they are offered in."""
    from fixtures_server import ENDPOINT_DATA

    import alliance_kg

    source = str(Path(alliance_kg.__file__).resolve().parents[1])
    answers = [subprocess.run([sys.executable, "-c", _DESCRIBED, str(ENDPOINT_DATA), backend], capture_output=True,
                              text=True, timeout=120, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed,
                                   "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}).stdout
               for seed in ("1", "2")]
    assert len(answers[0].splitlines()) == 12 and answers[0] == answers[1]


#: Loads the shipped data as ``alliance-kg serve`` does (argv[1]: into a disk store there, else
#: in memory) and prints the tag and a hash of every download, plain and gzipped, and of the
#: catalog, which states their checksums and the data's date.
_SERVED = """
import hashlib, sys
from alliance_kg.app import create_app, load
from alliance_kg.stores import dumps
app = create_app({"STORE": load(None, sys.argv[1] if len(sys.argv) > 1 else None), "TESTING": True,
                  "query_workers": 1})
client = app.test_client()
for path in [*(f"/downloads/{name}" for name in sorted(dumps.DUMPS)), "/catalog"]:
    for encoding in ("identity", "gzip"):
        response = client.get(path, headers={"Accept-Encoding": encoding, "Accept": "text/turtle"})
        assert response.status_code == 200, (path, response.status_code)
        print(path, encoding, response.headers["ETag"], hashlib.sha256(response.get_data()).hexdigest())
app.extensions["alliance_kg"].executor.close()
"""


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_two_loads_of_the_same_data_serve_the_same_downloads_and_catalog(store, tmp_path):
    """Two processes (hash seeds apart), each loading the data afresh (a restart, another
    worker, another mirror): the same bytes under the same strong tag in every format, and the
    same catalog. A load names blank nodes afresh and the memory store dumps in the order of
    insertion, so only canonical dumps agree."""
    import alliance_kg

    source = str(Path(alliance_kg.__file__).resolve().parents[1])
    answers = []
    for seed in ("1", "2"):
        where = [str(tmp_path / f"store-{seed}")] if store == "oxigraph" else []
        answers.append(subprocess.run(
            [sys.executable, "-c", _SERVED, *where], capture_output=True, text=True, timeout=300, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed,
                 "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}).stdout)
    assert len(answers[0].splitlines()) == 2 * (len(dumps.DUMPS) + 1) and answers[0] == answers[1]


@pytest.mark.parametrize("name", sorted(dumps.DUMPS))
def test_every_download_reads_back_as_the_served_graph(shipped_memory_client, knowledge_graph, name):
    """Each graph's triples (blank nodes up to isomorphism), in Turtle the asserted ones."""
    body = shipped_memory_client.get(f"/downloads/{name}").get_data()
    fmt = {"trig": "trig", "nq": "nquads", "ttl": "turtle", "jsonld": "json-ld"}[name.rsplit(".", 1)[1]]
    expected = [(s, p, o, g) for s, p, o, g in named_quads(knowledge_graph.dataset)]
    if fmt == "turtle":
        read = Graph().parse(data=body, format=fmt)
        union = Graph()
        for s, p, o, g in expected:
            if g != INFERRED_GRAPH:
                union.add((s, p, o))
        assert len(read) == len(union) and isomorphic(read, union)
        return
    read_quads = list(named_quads(Dataset().parse(data=body, format=fmt)))
    assert len(read_quads) == len(expected) and isomorphic(_in_one_graph(read_quads), _in_one_graph(expected))


def _in_one_graph(quads) -> Graph:
    """Quads as triples whose predicate names the graph too, so isomorphism compares graphs."""
    graph = Graph()
    for s, p, o, g in quads:
        graph.add((s, URIRef(f"urn:in:{g}:{p}"), o))
    return graph
