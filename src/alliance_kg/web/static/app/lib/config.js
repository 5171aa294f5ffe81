// What the server tells the page: the endpoint's path, the project's base IRI and prefixes, the
// `format=` names of the downloads, the page's language and the texts its scripts show. Every
// page embeds it as <script type="application/json" id="akg-config">
// (alliance_kg.web.pages.ui_config, built from alliance_kg.namespaces), so no IRI or prefix is
// typed twice; a page with a script of its own adds that script's texts in #akg-messages
// (alliance_kg.web.i18n.SCRIPT_KEYS), so every text is translated in one table on the server.

function read() {
  const node = document.getElementById("akg-config");
  if (!node) throw new Error("alliance-kg: this page has no #akg-config block; it must be served by alliance-kg");
  return JSON.parse(node.textContent);
}

function block(id, empty) {
  const node = document.getElementById(id);
  try {
    return node ? JSON.parse(node.textContent) : empty;
  } catch {
    return empty;
  }
}

const given = read();
export const config = {
  examples: block("akg-examples", []),
  ...given,
  messages: { ...given.messages, ...block("akg-messages", {}) },
};

/** The page's language, as its <html lang> says (the server sets it to the interface language). */
export function pageLanguage() {
  return document.documentElement.lang || config.lang || "en";
}

const numberFormats = new Map();

/**
 * `value` written the way the page's language writes numbers: "10,000" on an English page,
 * "10.000" on a German one; `options` as Intl.NumberFormat takes them (fraction digits).
 */
export function formatNumber(value, options = {}) {
  const key = JSON.stringify(options);
  if (!numberFormats.has(key)) {
    let format;
    try {
      format = new Intl.NumberFormat(pageLanguage(), options);
    } catch {
      format = new Intl.NumberFormat("en", options); // a lang attribute Intl does not know
    }
    numberFormats.set(key, format);
  }
  return numberFormats.get(key).format(value);
}

/**
 * The interface text `key` in the page's language, its `{name}` placeholders filled from
 * `values`. Numbers (counts) are written in the page's language (`formatNumber`); a value that
 * must stay as it is (a line number the editor shows) is passed as a string.
 */
export function msg(key, values = {}) {
  const text = config.messages?.[key] ?? key;
  const shown = (value) => (typeof value === "number" ? formatNumber(value) : String(value));
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? shown(values[name]) : whole));
}

/** `msg(one)` for a count of 1, else `msg(other)`, with `{count}` filled. */
export function plural(count, one, other, values = {}) {
  return msg(count === 1 ? one : other, { ...values, count });
}

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
