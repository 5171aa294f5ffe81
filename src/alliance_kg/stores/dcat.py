"""The catalog record open-data portals harvest (CKAN-based ones such as GovData): DCAT-AP 2,
with what DCAT-AP.de asks for beyond it (``dcatde:licenseAttributionByText``, and
``dcatde:contributorID`` when the operator has one: GovData assigns it to a registered data
provider from its contributors list, so the project cannot state one on its own).

One ``dcat:Catalog`` holding one ``dcat:Dataset``; a ``dcat:Distribution`` for every dump, with
its byte size and SHA-256 checksum (``spdx:checksum``), and one for the SPARQL endpoint, which
is also described as a ``dcat:DataService``. Coverage and themes use the EU's authority tables
(countries, data themes); the temporal coverage is the span of the dated events in the data
(the founding in 2016 to the admission of April 2017), read from the data, not typed here.
When the data last changed (``dcterms:modified``) is read from the data too (``last_modified``).
Only canonical IRIs under ``BASE``, never the host the server runs on.
"""

from __future__ import annotations

from typing import Collection, Iterable, Mapping, NamedTuple, Sequence

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from .. import __version__
from ..namespaces import BASE, SCHEMA, TIME
from ..rdf import bind_prefixes
from .void import DATASET as VOID_DATASET, ENDPOINT, LICENSE, TITLE

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
CONTRIBUTORS = "http://dcat-ap.de/def/contributors/"
EU = "http://publications.europa.eu/resource/authority/"

CATALOG = URIRef(BASE + "catalog")
DATASET = URIRef(BASE + "catalog#dataset")
SERVICE = URIRef(BASE + "catalog#sparql-service")
PUBLISHER = URIRef(BASE + "catalog#publisher")
#: The member cities lie in these countries (EU country authority table).
SPATIAL = (URIRef(EU + "country/DEU"), URIRef(EU + "country/CHN"))
#: EU data themes: government and public sector, economy, international issues.
THEMES = tuple(URIRef(EU + f"data-theme/{code}") for code in ("GOVE", "ECON", "INTR"))
#: dump media type -> EU file type
FILE_TYPES = {"application/trig": "TRIG", "application/n-quads": "N_QUADS", "text/turtle": "RDF_TURTLE",
              "application/ld+json": "JSON_LD"}
DESCRIPTION = {
    "de": "Die Allianz, ihre Gründung, ihre Mitglieder und der Beitritt Kölns, aus der Mitteilung an den "
          "Wirtschaftsausschuss der Stadt Köln vom 9. März 2017, mit der Herkunft jeder Aussagengruppe.",
    "en": "The alliance, its founding, its members and Cologne's accession, from the memo to Cologne's "
          "Economic Committee of 9 March 2017, with provenance per statement group.",
}
ATTRIBUTION = "alliance-kg (Daten aus einer Mitteilung an den Wirtschaftsausschuss der Stadt Köln, 2017)"


#: Where the data writes when something happened (events, the founding, instants).
DATE_PROPERTIES = (SCHEMA.startDate, SCHEMA.endDate, SCHEMA.foundingDate, TIME.inXSDDate, TIME.inXSDgYear)


#: The dates ``event_span`` orders, asked of the served store (an rdflib copy of a large store
#: for this took gigabytes).
DATES_QUERY = f"""SELECT DISTINCT ?date WHERE {{
  VALUES ?p {{ {' '.join(f'<{p}>' for p in DATE_PROPERTIES)} }}
  ?s ?p ?date .
  FILTER (isLiteral(?date) && datatype(?date) IN (<{XSD.date}>, <{XSD.gYear}>, <{XSD.dateTime}>))
}}"""


def event_span(dates: Iterable[Node]) -> tuple[Literal, Literal] | None:
    """The earliest and latest of ``dates`` (``DATES_QUERY``'s answers: when the data says
    anything happened), as written."""
    found = [o for o in dates if isinstance(o, Literal) and o.datatype in (XSD.date, XSD.gYear, XSD.dateTime)]
    if not found:
        return None
    ordered = sorted(found, key=lambda lit: str(lit) if len(str(lit)) > 4 else f"{lit}-00")  # a year first
    return ordered[0], ordered[-1]


#: Each named graph's ``dcterms:modified``, as the data declares it (the graph descriptions of
#: data/provenance.ttl): answered by the served store, read by ``last_modified``.
MODIFIED_QUERY = f"""SELECT DISTINCT ?graph ?date WHERE {{
  ?graph <{DCTERMS.modified}> ?date .
  FILTER (isIRI(?graph) && isLiteral(?date) && datatype(?date) IN (<{XSD.date}>, <{XSD.dateTime}>))
}}"""


def last_modified(rows: Iterable[Sequence[Node]], graphs: Collection[Node]) -> Literal | None:
    """When the data last changed: the latest ``dcterms:modified`` the data declares of one of
    its served named ``graphs`` (``MODIFIED_QUERY``'s rows; ISO 8601 dates order as text), as
    written; None where it declares
    none, and the record then states no date rather than a wrong one.

    Why this source: the date must say when the data changed, and be the same for the same data,
    so that a restart, another serving process or another mirror states it alike under the same
    tag. The time the server loaded the data changes at every restart (it is in ``/status``); a
    file's modification time is reset by a git clone or a wheel install; the data version is a
    hash, not a date; and the dates the data speaks of (the memo of 2017) are its subject's, not
    its own. A date declared with the data, beside each graph's provenance and bumped with the
    file it describes, is part of the data: it changes its version exactly when it changes."""
    found = [date for graph, date in rows if graph in graphs and isinstance(date, Literal)
             and date.datatype in (XSD.date, XSD.dateTime)]
    return max(found, key=str, default=None)


def contributor_id(text: str) -> URIRef | None:
    """The ``catalog_contributor`` setting as an IRI of the DCAT-AP.de contributors list (None
    when empty); anything else is a ``ValueError`` at start-up, not a record portals reject."""
    text = text.strip()
    if not text:
        return None
    name = text.removeprefix(CONTRIBUTORS)
    if name == text or not name or any(c in name for c in "/#?<> \"{}|\\^`"):
        raise ValueError(f"catalog_contributor {text!r}: give an IRI of the DCAT-AP.de contributors list, "
                         f"{CONTRIBUTORS}NAME")
    return URIRef(text)


class Download(NamedTuple):
    """What the record says of one dump: the bytes a client downloads are described, not held."""

    media_type: str
    size: int
    sha256: str  # hex


def catalog_graph(dates: Iterable[Node], downloads: Mapping[str, Download], *, modified: Literal | None,
                  contributor: URIRef | None = None) -> Graph:
    """The record: ``dates`` are the answers to ``DATES_QUERY`` (its temporal coverage);
    ``downloads`` maps each dump's file name to its ``Download``; ``modified`` is when the
    data last changed (``last_modified``; None: not stated); ``contributor`` the operator's
    ``dcatde:contributorID`` (see ``contributor_id``). Nothing in it depends on when or where
    it is built: the same data gives the same record."""
    g = bind_prefixes(Graph())
    for prefix, ns in (("dcat", DCAT), ("spdx", SPDX), ("vcard", VCARD), ("dcatde", DCATDE)):
        g.bind(prefix, ns)
    g.add((CATALOG, RDF.type, DCAT.Catalog))
    _texts(g, CATALOG, DCTERMS.title, {k: f"{v} (Katalog)" if k == "de" else f"{v} (catalog)" for k, v in TITLE.items()})
    _texts(g, CATALOG, DCTERMS.description, DESCRIPTION)
    g.add((CATALOG, DCTERMS.publisher, PUBLISHER))
    g.add((CATALOG, FOAF.homepage, URIRef(BASE)))
    g.add((CATALOG, DCAT.dataset, DATASET))
    g.add((CATALOG, DCAT.service, SERVICE))
    g.add((CATALOG, DCTERMS.license, LICENSE))
    if modified is not None:
        g.add((CATALOG, DCTERMS.modified, modified))
    if contributor is not None:
        g.add((CATALOG, DCATDE.contributorID, contributor))

    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, FOAF.name, Literal("alliance-kg")))
    g.add((PUBLISHER, FOAF.homepage, URIRef(BASE)))

    d = DATASET
    g.add((d, RDF.type, DCAT.Dataset))
    _texts(g, d, DCTERMS.title, TITLE)
    _texts(g, d, DCTERMS.description, DESCRIPTION)
    g.add((d, DCTERMS.publisher, PUBLISHER))
    g.add((d, DCTERMS.identifier, Literal(str(VOID_DATASET))))
    g.add((d, DCTERMS.conformsTo, URIRef(BASE + "ontology")))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCATDE.licenseAttributionByText, Literal(ATTRIBUTION, lang="de")))
    if contributor is not None:
        g.add((d, DCATDE.contributorID, contributor))
    if modified is not None:
        g.add((d, DCTERMS.modified, modified))
    g.add((d, DCTERMS.hasVersion, Literal(__version__)))
    g.add((d, DCAT.landingPage, URIRef(BASE)))
    for lang in ("de", "en", "zh"):
        g.add((d, DCTERMS.language, URIRef(EU + "language/" + {"de": "DEU", "en": "ENG", "zh": "ZHO"}[lang])))
    for place in SPATIAL:
        g.add((d, DCTERMS.spatial, place))
    for theme in THEMES:
        g.add((d, DCAT.theme, theme))
    for keyword in ("Städtepartnerschaft", "Industriestädte", "China", "Deutschland", "Linked Open Data"):
        g.add((d, DCAT.keyword, Literal(keyword, lang="de")))
    contact = BNode("contact")
    g.add((d, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal("alliance-kg")))
    g.add((contact, VCARD.hasURL, URIRef(BASE)))
    span = event_span(dates)
    if span is not None:
        period = BNode("temporal")
        g.add((d, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, span[0]))
        g.add((period, DCAT.endDate, span[1]))
    for name, download in downloads.items():
        _dump(g, name, download)
    _endpoint(g)
    return g


def _texts(g: Graph, subject: URIRef, predicate: URIRef, texts: Mapping[str, str]) -> None:
    for lang, text in texts.items():
        g.add((subject, predicate, Literal(text, lang=lang)))


def _dump(g: Graph, name: str, download: Download) -> None:
    media_type = download.media_type
    dist = URIRef(f"{CATALOG}#download-{name}")
    url = URIRef(BASE + "downloads/" + name)
    g.add((DATASET, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(name)))
    g.add((dist, DCAT.accessURL, url))
    g.add((dist, DCAT.downloadURL, url))
    g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + media_type)))
    if media_type in FILE_TYPES:
        g.add((dist, DCTERMS.format, URIRef(EU + "file-type/" + FILE_TYPES[media_type])))
    g.add((dist, DCTERMS.license, LICENSE))
    g.add((dist, DCAT.byteSize, Literal(download.size, datatype=XSD.nonNegativeInteger)))
    checksum = BNode(f"checksum-{name}")
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(download.sha256, datatype=XSD.hexBinary)))


def _endpoint(g: Graph) -> None:
    g.add((SERVICE, RDF.type, DCAT.DataService))
    _texts(g, SERVICE, DCTERMS.title, {"de": "SPARQL-Endpunkt (nur lesend)", "en": "SPARQL endpoint (read-only)"})
    g.add((SERVICE, DCAT.endpointURL, ENDPOINT))
    g.add((SERVICE, DCAT.endpointDescription, ENDPOINT))
    g.add((SERVICE, DCAT.servesDataset, DATASET))
    g.add((SERVICE, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((SERVICE, DCTERMS.license, LICENSE))
    dist = URIRef(f"{CATALOG}#sparql")
    g.add((DATASET, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal("SPARQL endpoint")))
    g.add((dist, DCAT.accessURL, ENDPOINT))
    g.add((dist, DCAT.accessService, SERVICE))
    g.add((dist, DCTERMS.license, LICENSE))

