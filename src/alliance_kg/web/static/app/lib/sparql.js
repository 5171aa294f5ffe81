// Talking to the endpoint: one POST per query (SPARQL 1.1 protocol, form-encoded), the
// server choosing JSON results or Turtle by the query's form. Errors come back as a
// QueryFailed with the server's text and, when the parser gave one, a line and column.

import { config, msg } from "./config.js";

const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9, text/plain;q=0.1";

export class QueryFailed extends Error {
  constructor(message, { status = 0, line = null, column = null } = {}) {
    super(message);
    this.name = "QueryFailed";
    this.status = status;
    this.line = line;
    this.column = column;
  }
}

/** Line and column from a parser message: "(line:2, col:5)", "line 2, column 5", "at 2:5". */
export function position(message) {
  const m =
    /line[:\s]*(\d+)\s*,?\s*col(?:umn)?[:\s]*(\d+)/i.exec(message) ||
    /\bat (?:line )?(\d+):(\d+)\b/i.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : { line: null, column: null };
}

/**
 * Run a query. Resolves to one of
 *   { kind: "bindings", vars, rows, text }, { kind: "boolean", value, text },
 *   { kind: "graph", text, contentType }
 * and records how long the server took (ms).
 */
export async function runQuery(query, { signal, endpoint = config.sparql } = {}) {
  const started = performance.now();
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
      body: new URLSearchParams({ query }),
      signal,
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new QueryFailed(msg("error_unreachable", { message: err.message }));
  }
  const text = await response.text();
  const ms = Math.round(performance.now() - started);
  if (!response.ok) {
    const message = text.trim() || `${response.status} ${response.statusText}`;
    throw new QueryFailed(message, { status: response.status, ...position(message) });
  }
  const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
  if (type === "application/sparql-results+json" || type === "application/json") {
    const data = JSON.parse(text);
    if ("boolean" in data) return { kind: "boolean", value: data.boolean, text, ms };
    return { kind: "bindings", vars: data.head.vars, rows: data.results.bindings, text, ms };
  }
  return { kind: "graph", text, contentType: type, ms };
}

/** Bindings of a SELECT query, for the page's own look-ups (labels, coordinates, terms). */
export async function select(query, options) {
  const result = await runQuery(query, options);
  if (result.kind !== "bindings") throw new QueryFailed("expected a SELECT result");
  return result.rows;
}

/** The link that downloads the results of `query` in a given format. */
export function downloadUrl(query, format, endpoint = config.sparql) {
  return `${endpoint}?${new URLSearchParams({ query, format })}`;
}

/** SELECT, ASK, CONSTRUCT or DESCRIBE, read past comments, BASE and PREFIX declarations. */
export function queryForm(query) {
  const body = query
    .replace(/<[^>\s]*>/g, "<>") // IRIs may contain '#'
    .replace(/#[^\n]*/g, " ")
    .replace(/\b(?:PREFIX\s+[\w.-]*:\s*<>|BASE\s*<>)/gi, " ");
  const m = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(body);
  return m ? m[1].toUpperCase() : null;
}

/** `<iri>` for a query text. */
export function iriRef(iri) {
  return `<${iri.replace(/[<>"{}|^`\\\s]/g, encodeURIComponent)}>`;
}
