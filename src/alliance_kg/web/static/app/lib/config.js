// What the server tells the page: the endpoint's path, the project's base IRI and prefixes, the
// `format=` names of the downloads. Every page embeds it as
// <script type="application/json" id="akg-config"> (alliance_kg.web.pages.ui_config, built from
// alliance_kg.namespaces), so no IRI or prefix is typed twice.

function read() {
  const node = document.getElementById("akg-config");
  if (!node) throw new Error("alliance-kg: this page has no #akg-config block; it must be served by alliance-kg");
  return JSON.parse(node.textContent);
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
