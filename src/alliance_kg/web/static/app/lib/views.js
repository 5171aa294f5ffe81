// Result views beside table and map: a bar or line chart when a result has a label column and
// a number column, a timeline when it has dates, a graph of CONSTRUCT/DESCRIBE results. Each can
// be saved as SVG or PNG. Charts and timelines are Observable Plot (SVG), the graph is Cytoscape.

import * as Plot from "@observablehq/plot";
import cytoscape from "cytoscape";
import { config, msg } from "./config.js";
import { el, isNumeric, shortIri, termText } from "./terms.js";

const XSD = config.prefixes.xsd;
const DATES = new Set(["date", "dateTime", "gYear", "gYearMonth"].map((t) => XSD + t));

const isDate = (term) => term?.type === "literal" && DATES.has(term.datatype);

/** { label, value } variable names when the rows have a label column and a number column. */
export function chartSpec(result) {
  const filled = (v) => result.rows.some((r) => r[v]);
  const numeric = result.vars.find((v) => filled(v) && result.rows.every((r) => !r[v] || isNumeric(r[v])));
  const label = result.vars.find((v) => v !== numeric && filled(v) && result.rows.every((r) => !r[v] || !isNumeric(r[v])));
  return numeric && label && result.rows.length ? { label, value: numeric } : null;
}

/** { date, label } variable names when a column holds dates (memberships, founding, admission). */
export function timelineSpec(result) {
  // A column of dates: every value it has is one (a date among other values is not a timeline).
  const date = result.vars.find((v) => result.rows.some((r) => isDate(r[v])) && result.rows.every((r) => !r[v] || isDate(r[v])));
  if (!date) return null;
  const label = result.vars.find((v) => v !== date && result.rows.some((r) => r[v] && !isDate(r[v])));
  return { date, label };
}

function parseDate(term) {
  const text = term.value;
  if (/^-?\d{4}$/.test(text)) return new Date(`${text}-01-01T00:00:00Z`);
  if (/^-?\d{4}-\d{2}$/.test(text)) return new Date(`${text}-01T00:00:00Z`);
  return new Date(text);
}

export function renderChart(container, result, info, spec, kind = "bar") {
  const data = result.rows
    .filter((r) => r[spec.label] && r[spec.value])
    .map((r) => ({ label: termText(r[spec.label], info), value: Number(r[spec.value].value) }));
  const mark =
    kind === "line"
      ? [Plot.lineY(data, { x: "label", y: "value", stroke: "#15324f" }), Plot.dot(data, { x: "label", y: "value", fill: "#15324f" })]
      : [Plot.barY(data, { x: "label", y: "value", fill: "#15324f", tip: true }), Plot.ruleY([0])];
  const chart = Plot.plot({
    marks: mark,
    x: { label: spec.label, tickRotate: data.length > 8 ? -30 : 0, domain: data.map((d) => d.label) },
    y: { label: spec.value, grid: true },
    marginBottom: data.length > 8 ? 90 : 40,
    marginLeft: 60,
    width: Math.max(480, Math.min(1100, 60 * data.length + 120)),
    style: { fontSize: "12px", background: "#fff" },
    ariaLabel: msg(kind === "line" ? "chart_line_label" : "chart_bar_label", { value: spec.value, label: spec.label }),
  });
  chart.classList.add("result-chart");
  container.replaceChildren(chart);
  return chart;
}

export function renderTimeline(container, result, info, spec) {
  const data = result.rows
    .filter((r) => isDate(r[spec.date]))
    .map((r) => ({ when: parseDate(r[spec.date]), text: r[spec.date].value, label: spec.label && r[spec.label] ? termText(r[spec.label], info) : r[spec.date].value }))
    .sort((a, b) => a.when - b.when);
  const chart = Plot.plot({
    marks: [
      Plot.ruleY(data, { y: "label", stroke: "#ccd" }),
      Plot.dot(data, { x: "when", y: "label", fill: "#15324f", r: 5, title: (d) => `${d.label}: ${d.text}` }),
      Plot.text(data, { x: "when", y: "label", text: "text", dx: 8, textAnchor: "start", fill: "#333" }),
    ],
    x: { label: spec.date, type: "utc", grid: true, inset: 40 },
    y: { label: null, domain: [...new Set(data.map((d) => d.label))] },
    marginLeft: 260,
    marginRight: 90,
    height: Math.max(140, 28 * new Set(data.map((d) => d.label)).size + 60),
    width: 1000,
    style: { fontSize: "12px", background: "#fff" },
    ariaLabel: msg("timeline_of", { date: spec.date }),
  });
  chart.classList.add("result-timeline");
  container.replaceChildren(chart);
  return chart;
}

const NT = /^(<[^>]*>|_:\S+)\s+<([^>]*)>\s+(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?)\s*\.\s*$/;
const LABELS = new Set([`${config.prefixes.rdfs}label`, `${config.prefixes.skos}prefLabel`, `${config.prefixes.schema}name`]);

/** Triples of an N-Triples text: [[s, p, o, isLiteral]]. */
export function parseNTriples(text) {
  const triples = [];
  for (const line of text.split("\n")) {
    const m = NT.exec(line.trim());
    if (!m) continue;
    const strip = (t) => (t.startsWith("<") ? t.slice(1, -1) : t);
    const literal = m[3].startsWith('"');
    triples.push([strip(m[1]), m[2], literal ? JSON.parse(m[3].replace(/(@[\w-]+|\^\^<[^>]*>)$/, "")) : strip(m[3]), literal]);
  }
  return triples;
}

/** Nodes with labels, edges with property names; returns the Cytoscape instance. */
export function renderGraph(container, triples, info) {
  const labels = new Map();
  for (const [s, p, o, literal] of triples) if (literal && LABELS.has(p) && !labels.has(s)) labels.set(s, o);
  const nodes = new Map();
  const edges = [];
  const node = (iri) => {
    if (!nodes.has(iri)) nodes.set(iri, { data: { id: iri, label: info?.get(iri)?.label || labels.get(iri) || shortIri(iri) } });
  };
  triples.forEach(([s, p, o, literal], i) => {
    if (literal) return;
    node(s);
    node(o);
    edges.push({ data: { id: `e${i}`, source: s, target: o, label: shortIri(p) } });
  });
  const box = el("div", { class: "result-graph", role: "img", "aria-label": msg("graph_of", { nodes: nodes.size, edges: edges.length }) });
  container.replaceChildren(box);
  const cy = cytoscape({
    container: box,
    elements: [...nodes.values(), ...edges],
    style: [
      { selector: "node", style: { label: "data(label)", "background-color": "#15324f", color: "#1b1f24", "font-size": 10, "text-valign": "bottom", "text-margin-y": 4, width: 14, height: 14 } },
      { selector: "edge", style: { label: "data(label)", "curve-style": "bezier", "target-arrow-shape": "triangle", width: 1, "line-color": "#999", "target-arrow-color": "#999", "font-size": 8, color: "#555", "text-rotation": "autorotate" } },
    ],
    layout: { name: "cose", animate: false, nodeRepulsion: 8000, idealEdgeLength: 90 },
  });
  box.dataset.nodes = String(nodes.size);
  box.dataset.edges = String(edges.length);
  return cy;
}

function save(blob, name) {
  const link = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function svgBlob(svg) {
  const copy = svg.cloneNode(true);
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" });
}

async function pngBlob(svg) {
  const url = URL.createObjectURL(svgBlob(svg));
  const image = new Image();
  await new Promise((ok, fail) => {
    image.onload = ok;
    image.onerror = fail;
    image.src = url;
  });
  const { width, height } = svg.getBoundingClientRect();
  const canvas = el("canvas", { width: Math.ceil(width * 2), height: Math.ceil(height * 2) });
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  URL.revokeObjectURL(url);
  return new Promise((ok) => canvas.toBlob(ok, "image/png"));
}

/** The drawn graph as SVG, from Cytoscape's node positions (Cytoscape itself draws on canvas). */
function graphSvg(cy) {
  const box = cy.elements().boundingBox({ includeLabels: true });
  const pad = 20;
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${box.x1 - pad} ${box.y1 - pad} ${box.w + 2 * pad} ${box.h + 2 * pad}" font-family="sans-serif">`,
    `<rect x="${box.x1 - pad}" y="${box.y1 - pad}" width="${box.w + 2 * pad}" height="${box.h + 2 * pad}" fill="#fff"/>`];
  cy.edges().forEach((e) => {
    const s = e.source().position();
    const t = e.target().position();
    parts.push(`<line x1="${s.x}" y1="${s.y}" x2="${t.x}" y2="${t.y}" stroke="#999"/>`,
      `<text x="${(s.x + t.x) / 2}" y="${(s.y + t.y) / 2}" font-size="8" fill="#555" text-anchor="middle">${esc(e.data("label"))}</text>`);
  });
  cy.nodes().forEach((n) => {
    const { x, y } = n.position();
    parts.push(`<circle cx="${x}" cy="${y}" r="7" fill="#15324f"/>`,
      `<text x="${x}" y="${y + 18}" font-size="10" text-anchor="middle">${esc(n.data("label"))}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** "Save as SVG / PNG" buttons (in the page's language) for a view: `source()` gives the SVG element or the Cytoscape graph. */
export function saveButtons(name, source) {
  const svgOf = () => {
    const s = source();
    return s instanceof Element ? svgBlob(s) : new Blob([graphSvg(s)], { type: "image/svg+xml" });
  };
  const pngOf = async () => {
    const s = source();
    return s instanceof Element ? pngBlob(s) : s.png({ output: "blob-promise", full: true, bg: "#fff", scale: 2 });
  };
  return el(
    "div",
    { class: "save-view" },
    el("button", { type: "button", class: "small", "data-save": "svg", onclick: () => save(svgOf(), `${name}.svg`) }, msg("save_svg")),
    el("button", { type: "button", class: "small", "data-save": "png", onclick: async () => save(await pngOf(), `${name}.png`) }, msg("save_png")),
  );
}
