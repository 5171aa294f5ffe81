// A result table: click (or Enter on) a column header to sort, pages of 25/50/100 rows.

import { msg, plural } from "./config.js";
import { el, isNumeric, renderTerm, termText } from "./terms.js";

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function compare(a, b, info) {
  if (!a && !b) return 0;
  if (!a) return 1; // unbound last
  if (!b) return -1;
  if (isNumeric(a) && isNumeric(b)) return Number(a.value) - Number(b.value);
  return collator.compare(termText(a, info), termText(b, info));
}

export class ResultTable {
  constructor(container, { vars, rows, info = new Map(), pageSize = 25 }) {
    this.container = container;
    this.vars = vars;
    this.rows = rows.map((row, index) => ({ row, index }));
    this.info = info;
    this.pageSize = pageSize;
    this.page = 0;
    this.sort = null; // { column, descending }
    this.render();
  }

  setInfo(info) {
    this.info = info;
    if (this.sort) this.order();
    this.render();
  }

  sortBy(column) {
    const descending = this.sort?.column === column ? !this.sort.descending : false;
    this.sort = { column, descending };
    this.order();
    this.page = 0;
    this.render();
    this.container.querySelector(`th[data-var="${CSS.escape(column)}"] button`)?.focus();
  }

  /** Sort rows by the current column: numbers by value, the rest by label (ties keep order). */
  order() {
    const { column, descending } = this.sort;
    this.rows.sort((x, y) => {
      const order = compare(x.row[column], y.row[column], this.info) || x.index - y.index;
      return descending ? -order : order;
    });
  }

  render() {
    const pages = Math.max(1, Math.ceil(this.rows.length / this.pageSize));
    this.page = Math.min(this.page, pages - 1);
    const start = this.page * this.pageSize;
    const shown = this.rows.slice(start, start + this.pageSize);

    const head = el(
      "tr",
      {},
      el("th", { scope: "col", class: "rownum" }, el("span", { class: "visually-hidden" }, msg("row_number"))),
      this.vars.map((v) => {
        const sorted = this.sort?.column === v;
        return el(
          "th",
          { scope: "col", "data-var": v, "aria-sort": sorted ? (this.sort.descending ? "descending" : "ascending") : "none" },
          el(
            "button",
            { type: "button", class: "sort", title: msg("sort_by", { name: v }), onclick: () => this.sortBy(v) },
            `?${v}`,
            el("span", { class: "sort-mark", "aria-hidden": "true" }, sorted ? (this.sort.descending ? " ▼" : " ▲") : " ⇅"),
          ),
        );
      }),
    );
    const body = shown.map(({ row, index }) =>
      el(
        "tr",
        {},
        el("td", { class: "rownum" }, String(index + 1)),
        this.vars.map((v) => el("td", { "data-var": v }, renderTerm(row[v], this.info))),
      ),
    );
    const table = el(
      "table",
      { class: "results" },
      el("caption", { class: "visually-hidden" }, msg("table_caption", { rows: this.rows.length, columns: this.vars.length })),
      el("thead", {}, head),
      el("tbody", {}, body),
    );

    const pager = el(
      "nav",
      { class: "pager", "aria-label": msg("result_pages") },
      el("button", { type: "button", disabled: this.page === 0, "aria-label": msg("first_page"), onclick: () => this.go(0) }, "«"),
      el("button", { type: "button", disabled: this.page === 0, "aria-label": msg("previous_page"), onclick: () => this.go(this.page - 1) }, "‹"),
      el(
        "span",
        { class: "range", "aria-live": "polite" },
        this.rows.length ? msg("rows_range", { first: start + 1, last: start + shown.length, total: this.rows.length }) : msg("no_rows"),
      ),
      el("button", { type: "button", disabled: this.page >= pages - 1, "aria-label": msg("next_page"), onclick: () => this.go(this.page + 1) }, "›"),
      el("button", { type: "button", disabled: this.page >= pages - 1, "aria-label": msg("last_page"), onclick: () => this.go(pages - 1) }, "»"),
      el(
        "label",
        { class: "page-size" },
        `${msg("rows_per_page")} `,
        el(
          "select",
          {
            onchange: (e) => {
              this.pageSize = Number(e.target.value);
              this.page = 0;
              this.render();
            },
          },
          [25, 50, 100, 500].map((n) => el("option", { value: n, selected: n === this.pageSize }, String(n))),
        ),
      ),
    );

    const wrap = el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": msg("result_table") }, table);
    this.container.replaceChildren(wrap, this.rows.length > this.pageSize ? pager : el("p", { class: "range" }, plural(this.rows.length, "rows_one", "rows_other")));
  }

  go(page) {
    this.page = page;
    this.render();
  }
}
