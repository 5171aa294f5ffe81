"""The example queries of the query page (``queries/examples/*.rq``): each one has its header,
runs on the shipped graph in well under a second, runs through ``alliance-kg query FILE``, and
gives the answer the memo of 9 March 2017 supports."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Callable

import pytest
from rdflib import Literal, URIRef

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "queries" / "examples"
FILES = sorted(EXAMPLES.glob("*.rq"))

ID = "https://w3id.org/alliance-kg/id/"
GRAPH = "https://w3id.org/alliance-kg/graph/"
SCHEMA = "https://schema.org/"
AKG = "https://w3id.org/alliance-kg/ontology#"
ORG = "http://www.w3.org/ns/org#"

GERMAN = {"aachen", "bottrop", "ingolstadt", "kelsterbach", "koeln", "mainz", "nuernberg", "raunheim",
          "ruesselsheim", "wuppertal"}
CHINESE_CITIES = {"foshan", "guiyang", "jiangmen", "jiaozuo", "jieyang", "liuzhou", "maanshan", "nanchang",
                  "nanning", "taizhou", "yunfu", "zhaoqing", "zhuzhou"}
MEMBERS = {ID + "city/" + slug for slug in GERMAN | CHINESE_CITIES} | {ID + "district/baoan"}
#: Time one example may take on the shipped graph (they take 20-160 ms on a laptop).
BUDGET = 0.5


def rows(knowledge_graph, path: Path) -> list[dict[str, object]]:
    result = knowledge_graph.dataset.query(path.read_text(encoding="utf-8"))
    return [{str(v): row[v] for v in result.vars} for row in result]


def py(term) -> object:
    return term.toPython() if isinstance(term, Literal) else (str(term) if term is not None else None)


def example(name: str) -> Path:
    return EXAMPLES / f"{name}.rq"


def test_examples_are_found():
    assert len(FILES) >= 8, f"expected the example library in {EXAMPLES}, found {FILES}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_starts_with_title_and_description(path: Path):
    head = path.read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].startswith("# title: ") and len(head[0]) > len("# title: ") + 3, head
    assert head[1].startswith("# description: ") and len(head[1]) > len("# description: ") + 10, head


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_has_its_title_and_description_in_german_and_chinese(path: Path):
    """The pages show an example in the reader's language: every example says itself in German
    and in Chinese too, in the same header (``# title@de:`` ...), before the query starts."""
    from alliance_kg.web.examples import load_examples

    example = next(e for e in load_examples(EXAMPLES) if e["name"] == path.stem)
    for field in ("titles", "descriptions"):
        assert set(example[field]) == {"en", "de", "zh"}, (field, example[field])
        assert example[field]["de"] != example[field]["en"]
        assert re.search(r"[\u4e00-\u9fff]", example[field]["zh"]), example[field]["zh"]
    header = path.read_text(encoding="utf-8").split("\nPREFIX", 1)[0]
    assert header.count("\n# title@") == 2 and header.count("\n# description@") == 2


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_runs_well_under_a_second(knowledge_graph, path: Path):
    text = path.read_text(encoding="utf-8")
    knowledge_graph.dataset.query(text)  # the first run also parses and warms rdflib's caches
    started = time.perf_counter()
    result = list(knowledge_graph.dataset.query(text))
    elapsed = time.perf_counter() - started
    assert result, f"{path.name} found nothing"
    assert elapsed < BUDGET, f"{path.name} took {elapsed:.2f} s"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_example_runs_through_the_cli(run_cli, path: Path, tmp_path: Path):
    out = tmp_path / "result.srj"
    result = run_cli("query", str(path), "--format", "json", "--output", str(out))
    assert result.code == 0, result.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["results"]["bindings"], f"{path.name}: no rows through the CLI"


# --- The answers ----------------------------------------------------------------------------

def check_members_by_country(found):
    by_country = {py(r["country"]): (py(r["name"]), py(r["members"]), py(r["cities"])) for r in found}
    assert by_country == {
        ID + "country/de": ("Germany", 10, 10),
        # 14 members, one of them (Bao'an) a district, not a city
        ID + "country/cn": ("China", 14, 13),
    }


def check_founding(found):
    assert {py(r["initiatorName"]) for r in found} == {"Friedhelm Ost", "Ernst Schwanhold"}
    for r in found:
        assert str(r["founded"]) == "2016"
        assert r["founded"].datatype == URIRef("http://www.w3.org/2001/XMLSchema#gYear")
        assert py(r["settingName"]) == "Hannover Messe 2016"
        assert py(r["role"]) == ID + "role/initiator"
        assert py(r["alliance"]) == ID + "organization/chinesisch-deutsche-industriestaedteallianz"


def check_cologne_accession(found):
    assert len(found) == 1
    (r,) = found
    assert py(r["membership"]) == ID + "membership/koeln"
    assert py(r["accession"]) == ID + "event/accession-koeln"
    assert py(r["initiatorName"]) == "Ute Berg"
    assert str(r["joinedBefore"]) == "2017-03-09"
    assert py(r["admission"]) == ID + "event/admission-koeln-2017"
    assert str(r["admissionDate"]) == "2017-04-24"
    assert "annual meeting" in py(r["meetingName"])
    assert py(r["status"]) == SCHEMA + "EventScheduled"


def check_admitted_in_year(found):
    assert [(py(r["member"]), py(r["how"]), str(r["date"])) for r in found] == [
        (ID + "city/koeln", "official admission", "2017-04-24"),
    ]


def check_unknown_start(found):
    members = {py(r["member"]) for r in found}
    assert members == MEMBERS  # the memo gives no calendar start date for any membership
    assert len(found) == 24
    assert {str(r["knownToHoldAsOf"]) for r in found} == {"2017-03-09"}
    before = {py(r["member"]): str(r["beganBefore"]) for r in found if r["beganBefore"] is not None}
    assert before == {ID + "city/koeln": "2017-03-09"}


def check_provenance(found):
    membership = [r for r in found if py(r["property"]) == ORG + "member" and py(r["value"]) == ID + "city/koeln"]
    assert len(membership) == 1
    (r,) = membership
    assert py(r["graph"]) == GRAPH + "memo/members"
    assert py(r["passage"]) == ID + "passage/memo-2017-03-09-p5"
    assert py(r["position"]) == 5
    assert "Köln" in py(r["text"])
    generated = [r for r in found if py(r["property"]) == "http://www.w3.org/ns/prov#wasGeneratedBy"]
    assert [(py(r["graph"]), py(r["passage"])) for r in generated] == [
        (GRAPH + "memo/accession", ID + "passage/memo-2017-03-09-p1")]
    assert all(r["passage"] is None for r in found if py(r["graph"]) == GRAPH + "inferred")


def check_districts_vs_cities(found):
    kinds = {py(r["member"]): py(r["kind"]) for r in found}
    assert set(kinds) == MEMBERS
    assert [m for m, k in kinds.items() if k == AKG + "District"] == [ID + "district/baoan"]
    assert sum(k == SCHEMA + "City" for k in kinds.values()) == 23
    baoan = next(r for r in found if py(r["member"]) == ID + "district/baoan")
    assert py(baoan["inCity"]) == ID + "city/shenzhen"
    assert {py(r["member"]) for r in found if py(r["ambiguous"]) is True} == {ID + "city/taizhou"}


def check_inferred_vs_asserted(found):
    status = {(py(r["property"]), py(r["value"])): (py(r["status"]), py(r["graph"])) for r in found}
    alliance = ID + "organization/chinesisch-deutsche-industriestaedteallianz"
    assert status[(ORG + "memberOf", alliance)] == ("inferred", GRAPH + "inferred")
    assert status[("http://www.w3.org/2000/01/rdf-schema#label", "Köln")] == ("asserted", GRAPH + "memo/members")
    lat = [s for (p, v), s in status.items() if p == "http://www.w3.org/2003/01/geo/wgs84_pos#lat"]
    assert lat == [("asserted", GRAPH + "geo/geonames")]
    assert {s for s, _ in status.values()} == {"asserted", "inferred"}


def check_statements_per_graph(found):
    counts = {py(r["graph"]): (py(r["kind"]), py(r["statements"])) for r in found}
    assert counts[GRAPH + "inferred"][0] == "inferred"
    assert counts[GRAPH + "memo/members"][0] == "asserted"
    assert all(n > 0 for _, n in counts.values())
    assert [k for k, _ in counts.values()].count("inferred") == 1


def check_members_on_a_map(found):
    places = {py(r["member"]): (py(r["lat"]), py(r["long"])) for r in found}
    # every member but Taizhou, which the memo leaves ambiguous
    assert set(places) == MEMBERS - {ID + "city/taizhou"}
    lat, long = places[ID + "city/koeln"]
    assert 50.9 < float(lat) < 51.0 and 6.9 < float(long) < 7.0
    for slug in CHINESE_CITIES - {"taizhou"}:
        lat, long = places[ID + "city/" + slug]
        assert 18 < float(lat) < 54 and 73 < float(long) < 135, slug


ANSWERS: dict[str, Callable] = {
    "01-members-by-country": check_members_by_country,
    "02-founding": check_founding,
    "03-cologne-accession": check_cologne_accession,
    "04-admitted-in-year": check_admitted_in_year,
    "05-unknown-start": check_unknown_start,
    "06-provenance": check_provenance,
    "07-districts-vs-cities": check_districts_vs_cities,
    "08-inferred-vs-asserted": check_inferred_vs_asserted,
    "09-statements-per-graph": check_statements_per_graph,
    "10-members-on-a-map": check_members_on_a_map,
}


def test_every_example_has_an_expected_answer():
    assert {p.stem for p in FILES} == set(ANSWERS)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_example_answer(knowledge_graph, name: str):
    ANSWERS[name](rows(knowledge_graph, example(name)))
