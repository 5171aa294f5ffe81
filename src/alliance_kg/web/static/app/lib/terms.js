// One RDF term as HTML: IRIs as links (project IRIs to their page on this server) with the
// label beside them, literals with their language or datatype.

import { compact, config, hrefFor, isLocal, msg } from "./config.js";

/** How an IRI is shown: a prefixed name, else the part after the project's base, else itself. */
export function shortIri(iri) {
  return compact(iri, { strict: false }) || (isLocal(iri) ? iri.slice(config.base.length) : iri);
}

const LONG = 160;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const XSD = config.prefixes.xsd;
const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger", "positiveInteger", "gYear"]);

/** Text a term is shown and sorted by. */
export function termText(term, info) {
  if (!term) return "";
  if (term.type === "uri") return info?.get(term.value)?.label || shortIri(term.value);
  if (term.type === "bnode") return `_:${term.value}`;
  return term.value;
}

export function isNumeric(term) {
  return term?.datatype?.startsWith(XSD) && NUMERIC.has(term.datatype.slice(XSD.length));
}

export function renderTerm(term, info) {
  if (!term) return el("span", { class: "unbound", title: msg("unbound") }, "");
  if (term.type === "uri") {
    const iri = term.value;
    const shown = shortIri(iri);
    const local = isLocal(iri);
    const link = el(
      "a",
      { href: hrefFor(iri), class: local ? "iri local" : "iri external", title: iri, rel: local ? null : "noopener" },
      shown,
    );
    const { label, lang } = info?.get(iri) || {};
    // A label in another language than the page's (a fallback) says which, for screen readers.
    const foreign = lang && lang.split("-")[0] !== config.lang ? lang : null;
    return el("span", { class: "term" }, link, label && label !== shown ? el("span", { class: "label", lang: foreign }, label) : null);
  }
  if (term.type === "bnode") return el("span", { class: "term bnode" }, `_:${term.value}`);
  const lang = term["xml:lang"];
  const datatype = term.datatype;
  const badge = lang
    ? el("span", { class: "tag", title: msg("language_tag", { lang }) }, `@${lang}`)
    : datatype && datatype !== `${XSD}string`
      ? el("span", { class: "tag", title: datatype }, compact(datatype) || datatype)
      : null;
  const text =
    term.value.length > LONG
      ? el("details", { class: "long" }, el("summary", {}, `${term.value.slice(0, LONG - 20).trimEnd()}…`), el("span", {}, term.value))
      : term.value;
  return el("span", { class: `term literal${isNumeric(term) ? " numeric" : ""}`, lang: lang || null }, text, badge ? " " : null, badge);
}
