// The graph's own vocabulary, asked of the endpoint once per page: the classes and properties
// it uses or declares (with English labels and definitions) and the named things it mints.
// Editor completion works from this list; nothing is looked up elsewhere.

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

const THINGS = `${prefixBlock(["rdfs"])}
SELECT ?term ?label WHERE {
  ?term rdfs:label ?label .
  FILTER (STRSTARTS(STR(?term), "${config.base}id/"))
}`;

let cached;

/** Promise of [{ iri, kind: "class"|"property"|"thing", label, definition }]. */
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
    for (const row of await select(THINGS)) {
      const iri = row.term.value;
      // Every name of a thing completes to it (Köln, Cologne, 科隆 ...).
      terms.set(`${iri} ${row.label.value}`, { iri, kind: "thing", label: row.label.value });
    }
  } catch (err) {
    console.warn("vocabulary look-up failed; completion offers keywords and prefixes only", err);
  }
  return [...terms.values()];
}
