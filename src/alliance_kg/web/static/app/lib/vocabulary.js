// The graph's own vocabulary, asked of the endpoint once per page: the classes and properties
// it uses or declares (with English labels and definitions). Editor completion works from this
// list; things are completed by name from the server's label index instead (suggest.js), which
// stays small and fast however large the graph is.

import { config, prefixBlock } from "./config.js";
import { select } from "./sparql.js";

const TERMS = `${prefixBlock(["owl", "rdf", "rdfs", "skos"])}
SELECT ?term ?kind ?label ?definition WHERE {
  {
    { SELECT DISTINCT ?term WHERE { ?s ?term ?o } }
    BIND ("property" AS ?kind)
  } UNION {
    { SELECT DISTINCT ?term WHERE { ?s a ?term } }
    BIND ("class" AS ?kind)
  } UNION {
    VALUES (?type ?kind) {
      (owl:Class "class") (rdfs:Class "class") (rdf:Property "property")
      (owl:ObjectProperty "property") (owl:DatatypeProperty "property") (owl:AnnotationProperty "property")
    }
    ?term a ?type .
  }
  FILTER (isIRI(?term))
  OPTIONAL { ?term rdfs:label ?label FILTER (langMatches(lang(?label), "en") || lang(?label) = "") }
  OPTIONAL { ?term skos:definition ?definition FILTER (langMatches(lang(?definition), "en")) }
}`;

let cached;

/** Promise of [{ iri, kind: "class"|"property", label, definition }]. */
export function vocabulary() {
  cached ||= load();
  return cached;
}

async function load() {
  const terms = new Map();
  try {
    for (const row of await select(TERMS)) {
      const iri = row.term.value;
      const entry = terms.get(iri) || { iri, kind: row.kind.value };
      if (row.kind.value === "class") entry.kind = "class";
      entry.label ||= row.label?.value;
      entry.definition ||= row.definition?.value;
      terms.set(iri, entry);
    }
  } catch (err) {
    console.warn("vocabulary look-up failed; completion offers keywords and prefixes only", err);
  }
  return [...terms.values()];
}
