// Suggestions from the server's label index (GET /suggest, alliance_kg.web.search): the search
// box on every page and the editor's entity completion ask the same way.

import { config } from "./config.js";

/** Suggestions for `text`: [{ iri, href, label, matched, type, country, sparql }]. */
export async function suggest(text, { limit = 8, signal } = {}) {
  const url = `${config.suggest}?${new URLSearchParams({ q: text, limit: String(limit) })}`;
  const response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`suggestions failed: ${response.status}`);
  return (await response.json()).suggestions;
}

/** What a suggestion says besides its label: the name that matched, its type and country. */
export function suggestionDetail(s) {
  const parts = [];
  if (s.matched && s.matched !== s.label) parts.push(s.matched);
  if (s.type) parts.push(s.type.label);
  if (s.country) parts.push(s.country.label);
  return parts.join(" · ");
}
