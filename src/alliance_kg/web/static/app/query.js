// The query page (/ and /sparql in a browser): editor, run, result views, downloads and a
// permalink. The page's state lives in its URL (?query=...&view=...), so a result can be
// shared, bookmarked and reloaded; without JavaScript the form still submits to /sparql.

import { config, formatNumber, hrefFor, msg, plural, prefixBlock } from "./lib/config.js";
import { queryEditor, setText, showError, turtleViewer } from "./lib/editor.js";
import { clearHistory, forget, history as pastQueries, remember, save, saved } from "./lib/history.js";
import { describeIris, irisIn } from "./lib/lookup.js";
import { pointMap } from "./lib/map.js";
import { QueryFailed, downloadUrl, queryForm, runQuery } from "./lib/sparql.js";
import { ResultTable } from "./lib/table.js";
import { el } from "./lib/terms.js";
import { vocabulary } from "./lib/vocabulary.js";
import { chartSpec, parseNTriples, renderChart, renderGraph, renderTimeline, saveButtons, timelineSpec } from "./lib/views.js";

const DEFAULT_QUERY =
  config.starter ||
  `${prefixBlock()}

SELECT ?member ?label WHERE {
  ?alliance a akg:Alliance .
  ?member org:memberOf ?alliance ;
      rdfs:label ?label .
  FILTER (langMatches(lang(?label), "${config.lang || "en"}"))
}
ORDER BY ?label`;

// Tab names in the page's language (the server's texts, lib/config.js); "Turtle" is a name.
const VIEWS = {
  bindings: [["table", msg("view_table")], ["chart", msg("view_chart")], ["timeline", msg("timeline")], ["map", msg("view_map")], ["raw", msg("view_response")]],
  boolean: [["answer", msg("view_answer")], ["raw", msg("view_response")]],
  graph: [["graph", msg("graph")], ["turtle", "Turtle"]],
};

const DOWNLOADS = {
  bindings: [["csv", "CSV"], ["tsv", "TSV"], ["json", "SPARQL JSON"], ["xml", "SPARQL XML"]],
  boolean: [["json", "SPARQL JSON"], ["xml", "SPARQL XML"]],
  graph: [["turtle", "Turtle"], ["jsonld", "JSON-LD"], ["ntriples", "N-Triples"], ["rdfxml", "RDF/XML"]],
};
const EXTENSIONS = { csv: "csv", tsv: "tsv", json: "srj", xml: "srx", turtle: "ttl", jsonld: "jsonld", ntriples: "nt", rdfxml: "rdf" };

function formatParam(kind, key) {
  const table = kind === "graph" ? config.formats.graph : config.formats.results;
  return table[key] || key;
}

class Workbench {
  constructor(root) {
    this.root = root;
    this.form = root.querySelector("#query-form");
    this.textarea = root.querySelector("#query-text");
    this.results = root.querySelector("#results");
    this.status = root.querySelector("#query-status");
    this.runButton = root.querySelector("#run-query");
    this.examples = root.querySelector("#examples");
    this.controller = null;
    this.view = null;

    const params = new URLSearchParams(location.search);
    const initial = params.get("query") || this.textarea?.value.trim() || DEFAULT_QUERY;
    this.wantedView = params.get("view");

    const host = el("div", { class: "editor", id: "editor" });
    this.textarea.after(host);
    this.textarea.hidden = true;
    this.textarea.setAttribute("aria-hidden", "true");
    this.editor = queryEditor(host, {
      doc: initial,
      vocabulary: vocabulary(),
      label: msg("sparql_query"),
      onRun: () => this.run(),
      onChange: (text) => {
        this.textarea.value = text;
      },
    });
    root.querySelector("label[for=query-text]")?.addEventListener("click", () => this.editor.focus());

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    this.setUpExamples();
    this.setUpHistory();
    this.root.querySelector("#show-code")?.addEventListener("click", () => this.showCode());
    root.querySelector("#reset-query")?.addEventListener("click", () => {
      setText(this.editor, DEFAULT_QUERY);
      this.editor.focus();
    });
    window.addEventListener("popstate", () => {
      const p = new URLSearchParams(location.search);
      if (p.get("query")) {
        setText(this.editor, p.get("query"));
        this.wantedView = p.get("view");
        this.run({ record: false });
      }
    });

    if (params.get("query")) this.run({ record: false });
    else this.results.replaceChildren(el("p", { class: "hint" }, msg("query_hint")));
  }

  setUpExamples() {
    if (!this.examples || !config.examples?.length) return;
    this.examples.replaceChildren(
      el("option", { value: "" }, msg("examples_choose")),
      ...config.examples.map((ex, i) => el("option", { value: String(i), title: ex.description || "", lang: ex.title_lang || null }, ex.title)),
    );
    this.examples.hidden = false;
    this.examples.closest("[hidden]")?.removeAttribute("hidden");
    this.examples.addEventListener("change", () => {
      const ex = config.examples[Number(this.examples.value)];
      if (!ex) return;
      setText(this.editor, ex.query);
      this.examples.value = "";
      this.wantedView = null;
      this.run();
    });
  }

  text() {
    return this.editor.state.doc.toString();
  }

  /** The current query as curl, Python (SPARQLWrapper, rdflib) and JavaScript, from /code. */
  async showCode() {
    const panel = this.root.querySelector("#code-panel");
    const box = this.root.querySelector("#code-snippets");
    const response = await fetch(`${config.code}?${new URLSearchParams({ query: this.text() })}`);
    if (!response.ok) {
      box.replaceChildren(el("p", { class: "error" }, await response.text()));
    } else {
      const { snippets } = await response.json();
      const NAMES = { curl: "curl", "python-sparqlwrapper": "Python (SPARQLWrapper)", "python-rdflib": "Python (rdflib)", javascript: "JavaScript" };
      box.replaceChildren(
        ...Object.entries(snippets).map(([key, code], i) =>
          el("details", { open: i === 0, "data-language": key }, el("summary", {}, NAMES[key] || key),
            el("pre", {}, el("code", {}, code)),
            el("button", { type: "button", class: "small", onclick: (e) => navigator.clipboard?.writeText(code).then(() => (e.target.textContent = "✓")) }, msg("copy"))),
        ),
      );
    }
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  }

  /** The history and saved-queries lists beside the editor (localStorage, this browser only). */
  setUpHistory() {
    this.historyList = this.root.querySelector("#history-list");
    this.savedList = this.root.querySelector("#saved-list");
    this.root.querySelector("#save-query")?.addEventListener("click", () => {
      const name = window.prompt(msg("save_prompt"), queryForm(this.text()) || msg("my_query"));
      if (!name) return;
      save(name.trim(), this.text());
      this.renderHistory();
    });
    this.root.querySelector("#clear-history")?.addEventListener("click", () => {
      clearHistory();
      this.renderHistory();
    });
    this.renderHistory();
  }

  renderHistory() {
    if (!this.historyList || !this.savedList) return;
    const load = (query) => () => {
      setText(this.editor, query);
      this.wantedView = null;
      this.run();
    };
    const firstLine = (q) => q.split("\n").find((l) => l.trim() && !/^\s*(PREFIX|#)/i.test(l))?.trim() || q.trim();
    this.historyList.replaceChildren(
      ...pastQueries().map((h) =>
        el("li", {}, el("button", { type: "button", class: "link", title: h.query, onclick: load(h.query) }, firstLine(h.query)),
          el("span", { class: "hint" }, ` ${h.summary || ""} · ${new Date(h.at).toLocaleString(config.lang)}`)),
      ),
    );
    this.savedList.replaceChildren(
      ...saved().map((s) =>
        el("li", {}, el("button", { type: "button", class: "link", title: s.query, onclick: load(s.query) }, s.name), " ",
          el("button", { type: "button", class: "small", "aria-label": msg("forget_query", { name: s.name }), onclick: () => { forget(s.name); this.renderHistory(); } }, "×")),
      ),
    );
  }

  permalink(view = this.view) {
    const params = new URLSearchParams({ query: this.text() });
    if (view) params.set("view", view);
    return `${location.pathname}?${params}`;
  }

  record(view) {
    const url = this.permalink(view);
    if (url !== location.pathname + location.search) history.pushState(null, "", url);
  }

  setStatus(text, busy = false) {
    this.status.textContent = text;
    this.root.setAttribute("aria-busy", busy ? "true" : "false");
    this.runButton.disabled = busy;
  }

  async run({ record = true } = {}) {
    const query = this.text();
    this.controller?.abort();
    this.controller = new AbortController();
    if (record) this.record(this.wantedView);
    this.setStatus(msg("running"), true);
    const started = performance.now();
    try {
      const result = await runQuery(query, { signal: this.controller.signal });
      const seconds = formatNumber((performance.now() - started) / 1000, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      this.render(result, query);
      const size =
        result.kind === "bindings"
          ? plural(result.rows.length, "rows_one", "rows_other")
          : result.kind === "boolean"
            ? msg(result.value ? "answer_yes" : "answer_no")
            : msg("result_is_graph");
      this.setStatus(msg("status_done", { form: queryForm(query) || msg("query_word"), size, seconds }));
      remember(query, size);
      this.renderHistory();
    } catch (err) {
      if (err.name === "AbortError") return;
      this.renderError(err);
      this.setStatus(err.line ? msg("status_error_at", { line: String(err.line), column: String(err.column) }) : msg("status_error"));
    }
  }

  renderError(err) {
    const place = { line: String(err.line), column: String(err.column), status: String(err.status) };
    const title =
      err.status === 400
        ? msg(err.line ? "error_syntax_at" : "error_syntax", place)
        : err.status
          ? msg(err.line ? "error_refused_at" : "error_refused", place)
          : msg("error_not_run");
    const box = el(
      "div",
      { class: "error", role: "alert", id: "query-error" },
      el("h2", {}, title),
      el("pre", {}, err.message),
      err.line ? el("button", { type: "button", onclick: () => this.editor.focus() }, msg("error_go_to")) : null,
    );
    this.results.replaceChildren(box);
    if (err instanceof QueryFailed) showError(this.editor, err.message, err.line, err.column);
  }

  render(result, query) {
    const views = VIEWS[result.kind];
    const panels = {};
    const tabs = el("div", { class: "tabs", role: "tablist", "aria-label": msg("result_views") });
    const bar = el("div", { class: "result-bar" }, tabs, this.downloads(result.kind, query));
    const body = el("div", { class: "result-panels" });
    this.results.replaceChildren(bar, body);

    for (const [key, label] of views) {
      const tab = el("button", { type: "button", role: "tab", id: `tab-${key}`, "aria-controls": `panel-${key}`, "data-view": key }, label);
      const panel = el("div", { role: "tabpanel", id: `panel-${key}`, "aria-labelledby": `tab-${key}`, class: `panel panel-${key}`, hidden: true });
      tab.addEventListener("click", () => this.show(key));
      tab.addEventListener("keydown", (e) => {
        const keys = [...tabs.querySelectorAll("[role=tab]:not([hidden])")];
        const i = keys.indexOf(tab);
        const next = e.key === "ArrowRight" ? keys[(i + 1) % keys.length] : e.key === "ArrowLeft" ? keys[(i - 1 + keys.length) % keys.length] : null;
        if (next) {
          e.preventDefault();
          next.focus();
          next.click();
        }
      });
      tabs.append(tab);
      body.append(panel);
      panels[key] = { tab, panel };
    }
    this.panels = panels;

    if (result.kind === "bindings") this.renderBindings(result, panels);
    else if (result.kind === "boolean") {
      panels.answer.panel.append(
        el(
          "p",
          { class: `ask-answer ${result.value ? "yes" : "no"}` },
          el("span", { class: "ask-word" }, msg(result.value ? "ask_yes" : "ask_no")),
          el("span", { class: "ask-explain" }, msg(result.value ? "ask_yes_explain" : "ask_no_explain")),
        ),
      );
    } else {
      const text = result.text.trim() ? result.text : `# ${msg("graph_empty")}\n`;
      turtleViewer(panels.turtle.panel, text, msg("result_turtle"));
      this.loadGraph(query, panels);
    }
    if (panels.raw) panels.raw.panel.append(el("pre", { class: "raw" }, result.text));

    const wanted = this.wantedView && panels[this.wantedView] && !panels[this.wantedView].tab.hidden ? this.wantedView : views[0][0];
    this.show(wanted, { record: false });
  }

  /** The graph view: the same query as N-Triples, drawn as nodes and labelled edges. */
  async loadGraph(query, panels) {
    const { tab, panel } = panels.graph;
    tab.hidden = true;
    try {
      const response = await fetch(downloadUrl(query, formatParam("graph", "ntriples")));
      if (!response.ok) throw new Error(`${response.status}`);
      const triples = parseNTriples(await response.text());
      if (!triples.some((t) => !t[3])) return this.show("turtle", { record: false });
      tab.hidden = false;
      this.drawGraph = () => {
        const body = el("div", {});
        panel.replaceChildren(saveButtons("graph", () => this.graph), body);
        this.graph = renderGraph(body, triples);
      };
      if (!this.wantedView || this.wantedView === "graph") this.show("graph", { record: false });
    } catch (err) {
      console.warn("graph view unavailable", err);
      this.show("turtle", { record: false });
    }
  }

  /** Chart and timeline tabs when the rows fit them; one of them is chosen when no view was asked for. */
  offerViews(result, info, panels) {
    const chart = chartSpec(result);
    const timeline = timelineSpec(result);
    panels.chart.tab.hidden = !chart;
    panels.timeline.tab.hidden = !timeline;
    this.drawChart = chart
      ? (kind = "bar") => {
          const body = el("div", {});
          const kinds = el("div", { class: "chart-kinds" },
            ...["bar", "line"].map((k) => el("button", { type: "button", class: "small", "aria-pressed": String(k === kind), "data-kind": k, onclick: () => this.drawChart(k) }, msg(k === "bar" ? "chart_bars" : "chart_line"))));
          panels.chart.panel.replaceChildren(el("div", { class: "view-tools" }, kinds, saveButtons("chart", () => panels.chart.panel.querySelector("svg.result-chart, figure svg"))), body);
          renderChart(body, result, info, chart, kind);
        }
      : null;
    this.drawTimeline = timeline
      ? () => {
          const body = el("div", {});
          panels.timeline.panel.replaceChildren(saveButtons("timeline", () => panels.timeline.panel.querySelector("svg.result-timeline, figure svg")), body);
          renderTimeline(body, result, info, timeline);
        }
      : null;
    if (!this.wantedView) {
      if (timeline && result.rows.length <= 200) this.show("timeline", { record: false });
      else if (chart && result.vars.length === 2 && result.rows.length <= 60) this.show("chart", { record: false });
    } else if (this.wantedView === "chart" || this.wantedView === "timeline") this.show(this.wantedView, { record: false });
  }

  renderBindings(result, panels) {
    const table = new ResultTable(panels.table.panel, { vars: result.vars, rows: result.rows });
    panels.map.tab.hidden = true;
    this.mapPanel = null;
    panels.chart.tab.hidden = true;
    panels.timeline.tab.hidden = true;
    describeIris(irisIn(result.rows)).then((info) => {
      table.setInfo(info);
      this.offerViews(result, info, panels);
      const points = pointsOf(result, info);
      if (points.length) {
        panels.map.tab.hidden = false;
        panels.map.tab.textContent = msg("view_map_count", { count: points.length });
        this.points = points;
        if (this.wantedView === "map") this.show("map", { record: false });
      }
    });
  }

  show(key, { record = true } = {}) {
    for (const [name, { tab, panel }] of Object.entries(this.panels)) {
      const on = name === key;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
    }
    this.view = key;
    if (key === "map") this.showMap();
    if (key === "chart") this.drawChart?.();
    if (key === "timeline") this.drawTimeline?.();
    if (key === "graph") this.drawGraph?.();
    if (record) {
      this.wantedView = key;
      history.replaceState(null, "", this.permalink(key));
    }
    this.updatePermalink();
  }

  showMap() {
    const { panel } = this.panels.map;
    if (!this.points) return;
    if (!this.mapHandles || !panel.contains(this.mapHandles[0].map.getContainer())) {
      // Members lie in Europe and in East Asia: one map each, rather than one map of Eurasia.
      const west = this.points.filter((p) => p.long < 60);
      const east = this.points.filter((p) => p.long >= 60);
      const groups = west.length && east.length ? [[msg("region_europe"), west], [msg("region_asia"), east]] : [["", this.points]];
      const row = el("div", { class: `result-maps count-${groups.length}` });
      panel.replaceChildren(row);
      this.mapHandles = groups.map(([name, points]) => {
        const box = el("div", { class: "result-map", "data-markers": String(points.length) });
        row.append(el("figure", { class: "result-figure" }, box, name ? el("figcaption", {}, plural(points.length, "places_one", "places_other", { name })) : null));
        return pointMap(box, points, { label: msg(name ? "map_of_places_in" : "map_of_places", { count: points.length, name }) });
      });
    }
    requestAnimationFrame(() => this.mapHandles.forEach((h) => h.refresh()));
  }

  downloads(kind, query) {
    const links = DOWNLOADS[kind].map(([key, label]) =>
      el("a", { href: downloadUrl(query, formatParam(kind, key)), download: `results.${EXTENSIONS[key]}`, class: "download" }, label),
    );
    this.permalinkAnchor = el("a", { href: this.permalink(), class: "permalink", id: "permalink" }, msg("permalink"));
    const copy = el("button", { type: "button", class: "copy", onclick: () => this.copyPermalink(copy) }, msg("copy_link"));
    return el("div", { class: "downloads" }, el("span", { class: "downloads-label" }, msg("download_label")), links, this.permalinkAnchor, copy);
  }

  updatePermalink() {
    if (this.permalinkAnchor) this.permalinkAnchor.href = this.permalink();
  }

  async copyPermalink(button) {
    const url = new URL(this.permalink(), location.href).href;
    try {
      await navigator.clipboard.writeText(url);
      button.textContent = msg("copied");
    } catch {
      window.prompt(msg("copy_link_prompt"), url);
    }
    setTimeout(() => (button.textContent = msg("copy_link")), 2000);
  }
}

const LAT = /^(lat|latitude)$|lat$/i;
const LONG = /^(long|lng|lon|longitude)$|(long|lng|lon)$/i;

/** Places in a result: from ?lat/?long columns, else from IRIs that have wgs84 coordinates. */
export function pointsOf(result, info) {
  const latVar = result.vars.find((v) => LAT.test(v));
  const longVar = result.vars.find((v) => LONG.test(v));
  const points = [];
  if (latVar && longVar) {
    const iriVar = result.vars.find((v) => result.rows.some((r) => r[v]?.type === "uri"));
    const labelVar = result.vars.find((v) => /label|name/i.test(v));
    for (const row of result.rows) {
      const lat = Number(row[latVar]?.value);
      const long = Number(row[longVar]?.value);
      if (!Number.isFinite(lat) || !Number.isFinite(long) || !row[latVar] || !row[longVar]) continue;
      const iri = iriVar && row[iriVar]?.value;
      points.push({
        lat,
        long,
        label: row[labelVar]?.value || (iri && info.get(iri)?.label) || iri || `${lat}, ${long}`,
        href: iri ? hrefFor(iri) : null,
      });
    }
    return points;
  }
  const seen = new Set();
  for (const iri of irisIn(result.rows)) {
    const place = info.get(iri);
    if (seen.has(iri) || !place || !Number.isFinite(place.lat)) continue;
    seen.add(iri);
    points.push({ lat: place.lat, long: place.long, label: place.label || iri, href: hrefFor(iri) });
  }
  return points;
}


const root = document.getElementById("workbench");
if (root) window.workbench = new Workbench(root);
