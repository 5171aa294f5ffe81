// What the server tells the page: the endpoint's path, the project's base IRI and prefixes.
// Templates embed it as <script type="application/json" id="akg-config">; the defaults below
// match alliance_kg.namespaces so a page still works if the block is missing.

const DEFAULTS = {
  base: "https://w3id.org/alliance-kg/",
  sparql: "/sparql",
  static: "/static/",
  prefixes: {
    akg: "https://w3id.org/alliance-kg/ontology#",
    dcterms: "http://purl.org/dc/terms/",
    foaf: "http://xmlns.com/foaf/0.1/",
    geo: "http://www.opengis.net/ont/geosparql#",
    id: "https://w3id.org/alliance-kg/id/",
    org: "http://www.w3.org/ns/org#",
    owl: "http://www.w3.org/2002/07/owl#",
    prov: "http://www.w3.org/ns/prov#",
    rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    rdfs: "http://www.w3.org/2000/01/rdf-schema#",
    schema: "https://schema.org/",
    sh: "http://www.w3.org/ns/shacl#",
    skos: "http://www.w3.org/2004/02/skos/core#",
    time: "http://www.w3.org/2006/time#",
    void: "http://rdfs.org/ns/void#",
    wgs84: "http://www.w3.org/2003/01/geo/wgs84_pos#",
    xsd: "http://www.w3.org/2001/XMLSchema#",
  },
  // Values of the endpoint's `format=` parameter, by what the download gives.
  formats: {
    results: { csv: "csv", tsv: "tsv", json: "json", xml: "xml" },
    graph: { turtle: "turtle", ntriples: "nt", jsonld: "jsonld", rdfxml: "rdfxml", trig: "trig" },
  },
};

function read() {
  const node = document.getElementById("akg-config");
  if (!node) return DEFAULTS;
  try {
    const given = JSON.parse(node.textContent);
    return {
      ...DEFAULTS,
      ...given,
      formats: { ...DEFAULTS.formats, ...(given.formats || {}) },
    };
  } catch {
    return DEFAULTS;
  }
}

function examples() {
  const node = document.getElementById("akg-examples");
  try {
    return node ? JSON.parse(node.textContent) : [];
  } catch {
    return [];
  }
}

export const config = { examples: examples(), ...read() };

/** Where a project IRI is served on this host (namespaces.local_path); other IRIs as they are. */
export function hrefFor(iri) {
  return iri.startsWith(config.base) ? "/" + iri.slice(config.base.length) : iri;
}

export function isLocal(iri) {
  return iri.startsWith(config.base);
}

/**
 * The prefixed name for an IRI, or null: "akg:Alliance". Strict names are valid SPARQL
 * (pasteable); lenient ones are for display only ("id:city/koeln").
 */
export function compact(iri, { strict = true, prefixes = config.prefixes } = {}) {
  let best = null;
  for (const [prefix, ns] of Object.entries(prefixes)) {
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [prefix, ns];
  }
  if (!best) return null;
  const local = iri.slice(best[1].length);
  if (local === "") return `${best[0]}:`;
  const name = strict ? /^[\p{L}\p{N}_](?:[\p{L}\p{N}_.\-]*[\p{L}\p{N}_\-])?$/u : /^[\p{L}\p{N}_][\p{L}\p{N}_.\-/]*$/u;
  if (!name.test(local)) return null;
  return `${best[0]}:${local}`;
}

/** The PREFIX block every new query starts with. */
export function prefixBlock(names = Object.keys(config.prefixes)) {
  return names.map((p) => `PREFIX ${p}: <${config.prefixes[p]}>`).join("\n");
}

export function staticUrl(path) {
  return config.static.replace(/\/?$/, "/") + path;
}
