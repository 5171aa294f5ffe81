// The SPARQL editor (CodeMirror 6 with the legacy SPARQL mode) and a read-only Turtle viewer.
// Completion offers keywords, ?variables of the query, the project's prefixes and the terms
// the graph itself uses (fetched once from the endpoint by vocabulary.js), and the graph's
// things by any of their names in any language or script (the server's label index,
// /suggest): typing "Köln", "Cologne" or "台州" offers the IRI, prefixed where a project prefix
// fits. Choosing a term whose prefix is not declared adds the PREFIX line.

import { StreamLanguage, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { turtle } from "@codemirror/legacy-modes/mode/turtle";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState, Prec } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";
import { basicSetup, minimalSetup } from "codemirror";
import { config } from "./config.js";
import { suggest, suggestionDetail } from "./suggest.js";

const KEYWORDS = (
  "SELECT DISTINCT REDUCED WHERE FILTER OPTIONAL UNION MINUS GRAPH BIND VALUES AS " +
  "GROUP_BY HAVING ORDER_BY ASC DESC LIMIT OFFSET CONSTRUCT DESCRIBE ASK FROM NAMED PREFIX BASE " +
  "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI " +
  "isIRI isLiteral isBlank isNumeric REGEX CONTAINS STRSTARTS STRENDS STRLEN SUBSTR LCASE UCASE " +
  "CONCAT REPLACE YEAR MONTH DAY NOW COALESCE IF EXISTS NOT_EXISTS IN NOT_IN true false"
)
  .split(" ")
  .map((k) => k.replace("_", " "));

/** Prefixes declared in a query text: { prefix: namespace }. */
export function declaredPrefixes(text) {
  const found = {};
  for (const m of text.matchAll(/PREFIX\s+([\w.-]*):\s*<([^>]*)>/gi)) found[m[1]] = m[2];
  return found;
}

/** Where a new PREFIX line goes: after the last PREFIX/BASE line, or before the first statement. */
function prefixInsertPosition(doc) {
  let after = null;
  let firstCode = null;
  for (let i = 1; i <= doc.lines; i++) {
    const line = doc.line(i);
    if (/^\s*(PREFIX|BASE)\b/i.test(line.text)) after = line.to + 1;
    else if (firstCode === null && line.text.trim() && !line.text.trim().startsWith("#")) firstCode = line.from;
  }
  return Math.min(after ?? firstCode ?? 0, doc.length);
}

function applyWithPrefix(prefix, ns, text = null) {
  return (view, completion, from, to) => {
    const changes = [{ from, to, insert: text ?? completion.label }];
    if (ns && !(prefix in declaredPrefixes(view.state.doc.toString()))) {
      const at = prefixInsertPosition(view.state.doc);
      const line = `PREFIX ${prefix}: <${ns}>\n`;
      changes.push({ from: at, insert: at === view.state.doc.length && at > 0 ? `\n${line}` : line });
    }
    const set = view.state.changes(changes);
    view.dispatch({ changes: set, selection: { anchor: set.mapPos(to, 1) }, userEvent: "input.complete", scrollIntoView: true });
  };
}

function escapeLocal(local) {
  return local.replace(/[/~!$&'()*+,;=?#@%]/g, (c) => `\\${c}`);
}

function completionSource(vocabulary) {
  return async (context) => {
    const text = context.state.doc.toString();
    const declared = declaredPrefixes(text);
    const known = { ...config.prefixes, ...declared };

    const variable = context.matchBefore(/[?$][\w]*/);
    if (variable) {
      const names = new Set([...text.matchAll(/[?$]([A-Za-z_][\w]*)/g)].map((m) => m[1]));
      names.delete(variable.text.slice(1));
      return { from: variable.from, options: [...names].map((n) => ({ label: `?${n}`, type: "variable" })), validFor: /^[?$]\w*$/ };
    }

    const declaration = context.matchBefore(/PREFIX\s+[\w.-]*:?/i);
    if (declaration) {
      const from = declaration.from + declaration.text.search(/\s[\w.-]*:?$/) + 1;
      return {
        from,
        options: Object.entries(config.prefixes).map(([p, ns]) => ({ label: `${p}: <${ns}>`, type: "namespace" })),
      };
    }

    const prefixed = context.matchBefore(/[A-Za-z][\w.-]*:[\w.\-\\/]*|:[\w.-]*/);
    if (prefixed) {
      const prefix = prefixed.text.slice(0, prefixed.text.indexOf(":"));
      const ns = known[prefix];
      if (!ns) return null;
      const terms = (await vocabulary).filter((t) => t.iri.startsWith(ns));
      return {
        from: prefixed.from,
        options: terms.map((t) => ({
          label: `${prefix}:${escapeLocal(t.iri.slice(ns.length))}`,
          type: t.kind === "class" ? "class" : t.kind === "property" ? "property" : "constant",
          detail: t.label || "",
          info: t.definition || t.iri,
          apply: applyWithPrefix(prefix, declared[prefix] ? null : ns),
        })),
        validFor: /^[\w.-]*:[\w.\-\\/]*$/,
      };
    }

    const word = context.matchBefore(/[A-Za-z_][\w-]*/);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    const options = KEYWORDS.map((k) => ({ label: k, type: "keyword", boost: -1 }));
    for (const [p, ns] of Object.entries(known)) {
      options.push({ label: `${p}:`, type: "namespace", detail: ns, apply: applyWithPrefix(p, declared[p] ? null : ns) });
    }
    for (const t of await vocabulary) {
      const entry = Object.entries(known).find(([, ns]) => t.iri.startsWith(ns) && /^[\w-]+$/.test(t.iri.slice(ns.length)));
      if (entry && t.kind !== "thing") {
        const [p, ns] = entry;
        options.push({
          label: `${p}:${t.iri.slice(ns.length)}`,
          type: t.kind === "class" ? "class" : "property",
          detail: t.label || "",
          info: t.definition || t.iri,
          apply: applyWithPrefix(p, declared[p] ? null : ns),
          boost: -2,
        });
      }
    }
    return { from, options, validFor: /^[\w-]*$/ };
  };
}

/** Things by name, from the label index; not after a prefix, a variable sign or inside an IRI. */
function entitySource() {
  return async (context) => {
    const word = context.matchBefore(/[\p{L}\p{N}_'’-]+/u);
    if (!word) return null;
    const before = context.state.sliceDoc(Math.max(0, word.from - 1), word.from);
    const line = context.state.doc.lineAt(context.pos).text;
    if (/[:?$<\\@#]/.test(before) || /^\s*(PREFIX|BASE)\b/i.test(line)) return null;
    const cjk = /[\u3400-\u9fff]/.test(word.text);
    if (!cjk && word.text.length < 2) return null;
    let found;
    try {
      found = await suggest(word.text, { limit: 8 });
    } catch (err) {
      console.warn(err);
      return null;
    }
    if (context.aborted) return null;
    const declared = declaredPrefixes(context.state.doc.toString());
    return {
      from: word.from,
      filter: false,
      options: found.map((s) => {
        const prefix = s.sparql.startsWith("<") ? null : s.sparql.slice(0, s.sparql.indexOf(":"));
        return {
          label: s.label,
          detail: suggestionDetail(s),
          info: s.iri,
          type: "constant",
          boost: 1,
          apply: prefix ? applyWithPrefix(prefix, declared[prefix] ? null : config.prefixes[prefix], s.sparql) : s.sparql,
        };
      }),
    };
  };
}

/** The query editor. `onRun` is called by Ctrl+Enter / Cmd+Enter / Shift+Enter. */
export function queryEditor(parent, { doc, vocabulary, onRun, onChange, label = "SPARQL query" }) {
  const language = StreamLanguage.define(sparql);
  const run = () => {
    onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        Prec.highest(keymap.of([{ key: "Mod-Enter", run }, { key: "Ctrl-Enter", run }, { key: "Shift-Enter", run }])),
        basicSetup,
        language,
        language.data.of({ autocomplete: completionSource(vocabulary) }),
        language.data.of({ autocomplete: entitySource() }),
        lintGutter(),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true" }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            u.view.dispatch(setDiagnostics(u.state, []));
            onChange?.(u.state.doc.toString());
          }
        }),
      ],
    }),
  });
  return view;
}

/** Put an error marker at a 1-based line and column (or on the whole first line). */
export function showError(view, message, line, column) {
  const doc = view.state.doc;
  let from = 0;
  let to = Math.min(doc.length, doc.line(1).to);
  if (line && line >= 1 && line <= doc.lines) {
    const l = doc.line(line);
    from = Math.min(l.to, l.from + Math.max(0, (column || 1) - 1));
    const rest = l.text.slice(from - l.from);
    to = from + Math.max(1, (/^\S+/.exec(rest)?.[0].length) || 1);
    to = Math.min(to, doc.length);
    if (from === to && from > 0) from -= 1;
  }
  view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
  view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
}

export function setText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** A read-only, highlighted Turtle view (CONSTRUCT / DESCRIBE results). */
export function turtleViewer(parent, text, label = "Result graph (Turtle)") {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        minimalSetup,
        lineNumbers(),
        StreamLanguage.define(turtle),
        syntaxHighlighting(defaultHighlightStyle),
        EditorState.readOnly.of(true),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": label }),
      ],
    }),
  });
}
