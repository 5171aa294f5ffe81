// Labels and coordinates of the IRIs a result mentions, asked of the endpoint itself in a
// few VALUES queries, so that tables show names beside IRIs and maps find places.

import { config, prefixBlock } from "./config.js";
import { iriRef, select } from "./sparql.js";

const CHUNK = 150;

/**
 * Languages in order of preference: the page's (the reader's choice, alliance_kg.web.language),
 * the browser's, then English, German, Chinese, and labels without a language last.
 */
export function languages() {
  const page = config.lang ? [config.lang.toLowerCase().split("-")[0]] : [];
  const given = (navigator.languages || [navigator.language || "en"]).map((l) => l.toLowerCase().split("-")[0]);
  return [...new Set([...page, ...given, "en", "de", "zh", ""])];
}

/** True when a label in `lang` is preferred to one in `than` (undefined: no label yet). */
export function better(lang, than, order = languages()) {
  const rank = (l) => {
    const i = order.indexOf((l || "").toLowerCase().split("-")[0]);
    return i < 0 ? order.length : i;
  };
  return than === undefined || rank(lang) < rank(than);
}

/**
 * Map of IRI -> { label, lat, long } for the given IRIs (those without either are absent).
 * One failing look-up does not fail the page: it just yields fewer labels.
 */
export async function describeIris(iris) {
  const order = languages();
  const found = new Map();
  const unique = [...new Set(iris)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const values = unique.slice(i, i + CHUNK).map(iriRef).join(" ");
    const query = `${prefixBlock(["rdfs", "schema", "skos", "wgs84"])}
SELECT ?s ?label ?lat ?long WHERE {
  VALUES ?s { ${values} }
  OPTIONAL { ?s rdfs:label|skos:prefLabel|schema:name ?label }
  OPTIONAL { ?s wgs84:lat ?lat ; wgs84:long ?long }
}`;
    let rows;
    try {
      rows = await select(query);
    } catch (err) {
      console.warn("label look-up failed", err);
      continue;
    }
    for (const row of rows) {
      const iri = row.s.value;
      const entry = found.get(iri) || {};
      if (row.label && better(row.label["xml:lang"], entry.lang, order)) {
        entry.label = row.label.value;
        entry.lang = row.label["xml:lang"] || "";
      }
      if (row.lat && row.long) {
        entry.lat = Number(row.lat.value);
        entry.long = Number(row.long.value);
      }
      found.set(iri, entry);
    }
  }
  return found;
}

/** Every IRI bound in a SELECT result. */
export function irisIn(rows) {
  const iris = [];
  for (const row of rows) for (const term of Object.values(row)) if (term.type === "uri") iris.push(term.value);
  return iris;
}

