"""/ontology and /shapes as documentation pages: every term of our namespace with its labels and
definitions in German, English and Chinese, the reused external terms with the reason, the shapes that
constrain each term, an overview diagram; the shapes in plain words with severities."""

from __future__ import annotations

import re
from html import unescape

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from alliance_kg.app import create_app
from alliance_kg.build.sources import load_dataset
from alliance_kg.namespaces import AKG, ONTOLOGY as ONTOLOGY_IRI, local_path
from alliance_kg.stores import InMemoryOxigraphStore

from factsupport import ROOT


def ontology_files() -> Graph:
    graph = Graph()
    files = sorted((ROOT / "ontology").glob("*.ttl"))
    assert files, "no ontology files found"
    for path in files:
        graph.parse(path)
    return graph


ONTOLOGY = ontology_files()
TERMS = sorted({s for s in ONTOLOGY.subjects(RDF.type, None) if str(s).startswith(str(AKG))})


@pytest.fixture(scope="module")
def ontology_page(shipped_memory_app) -> str:
    response = shipped_memory_app.test_client().get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    return unescape(response.get_data(as_text=True))


def section(page: str, anchor: str) -> str:
    match = re.search(rf'<section class="term card" id="{anchor}".*?</section>', page, re.S)
    assert match, f"no section for {anchor}"
    return match.group(0)


def test_the_ontology_declares_terms():
    assert len(TERMS) >= 25


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.split("#")[-1])
def test_every_term_appears_with_labels_and_definitions_in_german_english_and_chinese(ontology_page, term):
    text = section(ontology_page, term.split("#")[-1])
    for lang in ("de", "en", "zh"):
        definition = next(o for o in ONTOLOGY.objects(term, SKOS.definition) if isinstance(o, Literal) and o.language == lang)
        label = next(o for o in ONTOLOGY.objects(term, RDFS.label) if o.language == lang)
        assert str(definition) in text and str(label) in text


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.split("#")[-1])
def test_every_term_shows_its_super_terms_domain_and_range(ontology_page, term):
    text = section(ontology_page, term.split("#")[-1])
    for prop in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range):
        for value in ONTOLOGY.objects(term, prop):
            local = str(value).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            assert f":{local}</code>" in text, (prop, value)


def test_a_class_lists_the_shapes_that_constrain_it(ontology_page):
    assert "akgsh:DistrictShape" in section(ontology_page, "District")
    assert "akgsh:ResolvedPlaceShape" in section(ontology_page, "identifiedAs")


def test_a_property_lists_the_shapes_that_target_its_values(ontology_page):
    assert "akgsh:StatedMemberCountShape" in section(ontology_page, "statedMemberCount")


def test_reused_terms_are_listed_with_the_reason(ontology_page):
    reused = ontology_page[ontology_page.index('id="reused"'):]
    assert "org:Membership" in reused and "carry dates, a role and provenance" in reused
    assert reused.count("<tr id=\"reused-") == len(set(ONTOLOGY.subjects(SKOS.scopeNote, None)))


def test_overview_diagram_has_every_class_and_links_to_its_entry(ontology_page):
    svg = ontology_page[ontology_page.index("<svg"):ontology_page.index("</svg>")]
    for term in ONTOLOGY.subjects(RDF.type, None):
        if str(term).startswith(str(AKG)) and (term, RDF.type, RDFS.Class) in ONTOLOGY or \
                (str(term).startswith(str(AKG)) and str(ONTOLOGY.value(term, RDF.type)).endswith("#Class")):
            assert f'href="#{str(term).split("#")[-1]}"' in svg


def test_ontology_in_german_uses_german_labels(shipped_memory_client):
    page = unescape(shipped_memory_client.get("/ontology?lang=de", headers={"Accept": "text/html"}).get_data(as_text=True))
    assert "Stadtbezirk" in page and ">Klassen" in page


def test_ontology_as_turtle_is_still_the_graph(shipped_memory_client):
    response = shipped_memory_client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (AKG.District, RDF.type, None) in graph


def test_shapes_page_says_per_class_what_a_record_must_have(shipped_memory_client):
    page = unescape(shipped_memory_client.get("/shapes", headers={"Accept": "text/html"}).get_data(as_text=True))
    membership = page[page.index('id="MembershipShape"'):]
    membership = membership[:membership.index("</section>")]
    assert "every org:Membership" in membership
    assert "a membership has exactly one member" in membership and "Violation" in membership
    assert "Info" in page and "Warning" in page
    assert "no wgs84:lat" in page  # an ambiguous place gets no coordinates


def test_shapes_page_says_a_shape_applies_to_the_values_of_a_property(shipped_memory_client):
    page = unescape(shipped_memory_client.get("/shapes", headers={"Accept": "text/html"}).get_data(as_text=True))
    count = page[page.index('id="StatedMemberCountShape"'):]
    count = count[:count.index("</section>")]
    assert "every value of a akg:statedMemberCount" in count
    assert "only where another shape refers to it" not in count


def test_shapes_as_turtle_are_still_served(shipped_memory_client):
    response = shipped_memory_client.get("/shapes", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and "sh:NodeShape" in response.get_data(as_text=True)


def test_shapes_as_turtle_are_the_files_as_written_and_the_same_graph(shipped_memory_client):
    """A researcher reads the shapes as they were written, nested ``[ ]`` and comments, not
    Oxigraph's flat ``_:`` labels; the text is the files', so the bytes stay the same from one
    start to the next; and it is the very graph the other formats carry."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from alliance_kg.settings import project_root

    text = shipped_memory_client.get("/shapes", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    files = sorted((project_root() / "shapes").glob("*.ttl"))
    assert files and all(f"# ---- shapes/{f.name} ----\n\n{f.read_text(encoding='utf-8').rstrip()}\n" in text
                         for f in files)
    assert "sh:property [" in text and "_:" not in text
    assert "# Every named graph says where its triples come from." in text  # a comment of shapes/documents.ttl
    flat = shipped_memory_client.get("/shapes", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert "_:" in flat  # other formats are written from the graph, as before
    assert isomorphic(Graph().parse(data=text, format="turtle"), Graph().parse(data=flat, format="nt"))


def html(client, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_ontology_labels_follow_the_page_language(shipped_memory_client):
    """The ontology has German, English and Chinese labels: each page shows its own, none falls
    back to another language (which would be marked lang="en"), and the reader's language comes
    first where a term's labels and definitions are listed."""
    german = html(shipped_memory_client, "/ontology?lang=de")
    chinese = html(shipped_memory_client, "/ontology?lang=zh")
    english = html(shipped_memory_client, "/ontology?lang=en")
    assert '<code>akg:District</code> — Stadtbezirk</h3>' in german
    assert '<code>akg:District</code> — 市辖区</h3>' in chinese
    assert '<h1>中德工业城市联盟知识图谱本体</h1>' in chinese
    assert "(Allianz-Ontologie: Ereignisse)" in german and "(联盟本体：事件)" in chinese
    assert not re.search(r'<h3 id="h-\w+"><code>[^<]*</code> — <span lang=', chinese)
    de, en, zh = '<span lang="de">Stadtbezirk</span>', '<span lang="en">District</span>', '<span lang="zh">市辖区</span>'
    assert section(german, "District").index(de) < section(german, "District").index(en)
    assert section(english, "District").index(en) < section(english, "District").index(de)
    assert section(chinese, "District").index(zh) < section(chinese, "District").index(de)


def test_the_ontology_and_its_modules_have_a_label_in_every_interface_language():
    documents = [ONTOLOGY_IRI, *ONTOLOGY.objects(ONTOLOGY_IRI, OWL.imports)]
    assert len(documents) > 1, "no modules found"
    for document in documents:
        assert {o.language for o in ONTOLOGY.objects(document, RDFS.label)} >= {"de", "en", "zh"}, document
    assert {o.language for o in ONTOLOGY.objects(ONTOLOGY_IRI, DCTERMS.title)} >= {"de", "en", "zh"}


def test_every_reused_term_says_why_in_every_interface_language():
    reused = set(ONTOLOGY.subjects(SKOS.scopeNote, None))
    assert reused, "no reused terms found"
    for term in reused:
        assert {o.language for o in ONTOLOGY.objects(term, SKOS.scopeNote)} >= {"de", "en", "zh"}, term


@pytest.mark.parametrize("lang, applies, rule, violation", [
    ("de", "jede Instanz von org:Membership", "muss haben: kein wgs84:lat", "Verstoß"),
    ("zh", "每个 org:Membership", "要求：没有 wgs84:lat", "违规"),
])
def test_shapes_page_says_its_rules_in_the_page_language(shipped_memory_client, lang, applies, rule, violation):
    page = unescape(html(shipped_memory_client, f"/shapes?lang={lang}"))
    membership = page[page.index('id="MembershipShape"'):]
    membership = membership[:membership.index("</section>")]
    assert applies in membership and f'data-severity="Violation">{violation}<' in membership
    assert rule in page
    # the messages are the shapes' own (English only): shown as they are, marked English
    assert '<span class="hint" lang="en">“a membership has exactly one member”</span>' in membership


def test_shapes_page_in_english_says_none_of_them(shipped_memory_client):
    page = unescape(html(shipped_memory_client, "/shapes?lang=en"))
    assert "none of them a akg:Region" in page and "no of them" not in page
    assert '<span class="hint">“a membership has exactly one member”</span>' in page


# -- the ontology's IRIs dereference to what OWL tools need ----------------------------------------

#: The RDF forms a module and the version IRI are negotiated in, with rdflib's parser for each.
RDF_FORMS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
             "application/n-triples": "nt"}


def module_files() -> dict:
    """Each ontology file's statements by the IRI it declares an owl:Ontology."""
    modules = {}
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph = Graph().parse(path)
        for document in graph.subjects(RDF.type, OWL.Ontology):
            modules[document] = graph
    return modules


MODULES = {iri: graph for iri, graph in module_files().items() if iri != ONTOLOGY_IRI}


def served(client, iri, accept: str = "text/turtle") -> Graph:
    response = client.get(local_path(str(iri)), headers={"Accept": accept})
    assert response.status_code == 200, (iri, response.status_code)
    assert response.mimetype == accept
    return Graph().parse(data=response.get_data(as_text=True), format=RDF_FORMS[accept])


def test_every_module_the_ontology_imports_has_a_file():
    imported = set(ONTOLOGY.objects(ONTOLOGY_IRI, OWL.imports))
    assert imported and imported == set(MODULES)


@pytest.mark.parametrize("accept", RDF_FORMS)
def test_a_module_iri_serves_the_whole_module(shipped_memory_client, accept):
    """Protégé, ROBOT or owlready follow owl:imports to each module: each gets its file's
    statements, every one, not a description of the module (its label and licence)."""
    for iri, written in MODULES.items():
        graph = served(shipped_memory_client, iri, accept)
        assert isomorphic(graph, written), f"{iri} as {accept} is not its file's statements"


def test_the_imports_of_the_served_ontology_resolve(shipped_memory_client):
    ontology = served(shipped_memory_client, ONTOLOGY_IRI)
    imported = list(ontology.objects(ONTOLOGY_IRI, OWL.imports))
    assert len(imported) == len(MODULES)
    for iri in imported:
        module = served(shipped_memory_client, iri)
        assert (iri, RDF.type, OWL.Ontology) in module
        assert any(iri not in (s, o) for s, _, o in module), f"{iri} says nothing but what it is"


def test_a_module_page_in_html_describes_it(shipped_memory_client):
    response = shipped_memory_client.get("/ontology/reuse", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Alliance ontology: reused terms" in response.get_data(as_text=True)


@pytest.mark.parametrize("accept", RDF_FORMS)
def test_the_version_iri_serves_the_whole_ontology_of_that_version(shipped_memory_client, accept):
    ontology = served(shipped_memory_client, ONTOLOGY_IRI, accept)
    version = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    assert version is not None
    assert isomorphic(served(shipped_memory_client, version, accept), ontology)
    assert len(ontology) > len(ONTOLOGY)  # every module's statements, and the version stamped


def test_the_version_iri_page_is_the_ontology_page(shipped_memory_client):
    version = served(shipped_memory_client, ONTOLOGY_IRI).value(ONTOLOGY_IRI, OWL.versionIRI)
    page = html(shipped_memory_client, local_path(str(version)))
    assert 'id="ontology-doc"' in page and '<section class="term card" id="District"' in page


def test_another_version_is_not_served(shipped_memory_client):
    assert shipped_memory_client.get("/ontology/0.0.0", headers={"Accept": "text/turtle"}).status_code == 404


def test_the_ontology_and_its_modules_are_the_same_bytes_after_a_restart(shipped_memory_client):
    """A restart parses the files again, and a parser labels the blank nodes of OWL lists at
    random: the answers label them by what they are, so a cache or a diff sees no change."""
    loaded = load_dataset()
    again = create_app({"STORE": InMemoryOxigraphStore(loaded.dataset, "again"), "TESTING": True,
                        "query_workers": 1})
    try:
        client = again.test_client()
        for iri in [ONTOLOGY_IRI, *MODULES]:
            for accept in RDF_FORMS:
                first = shipped_memory_client.get(local_path(str(iri)), headers={"Accept": accept}).data
                assert client.get(local_path(str(iri)), headers={"Accept": accept}).data == first, (iri, accept)
    finally:
        again.extensions["alliance_kg"].executor.close()
