// What every page has: the search box in the header (suggestions from the server's label
// index, /suggest) and the language switch. Without JavaScript the search box is a plain form
// to /search and the language links carry ?lang=.

import { msg } from "./lib/config.js";
import { suggest, suggestionDetail } from "./lib/suggest.js";
import { el } from "./lib/terms.js";

const DELAY_MS = 120;

function searchBox(form) {
  const input = form.querySelector("input[type=search]");
  const list = form.querySelector("[role=listbox]");
  let items = [];
  let active = -1;
  let timer = null;
  let pending = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, n) => li.setAttribute("aria-selected", String(n === i)));
    if (i >= 0) input.setAttribute("aria-activedescendant", list.children[i].id);
  };
  const show = (found) => {
    items = found;
    list.replaceChildren(
      ...found.map((s, i) =>
        el(
          "li",
          { id: `site-search-option-${i}`, role: "option", "aria-selected": "false", "data-iri": s.iri,
            onmousedown: (e) => { e.preventDefault(); location.href = s.href || s.iri; } },
          el("span", { class: "suggestion-label" }, s.label),
          el("span", { class: "suggestion-detail" }, suggestionDetail(s)),
        ),
      ),
    );
    if (!found.length) list.append(el("li", { class: "suggestion-none", role: "option", "aria-disabled": "true" }, msg("no_match")));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    pending?.abort();
    const text = input.value.trim();
    if (!text) return close();
    timer = setTimeout(async () => {
      pending = new AbortController();
      try {
        show(await suggest(text, { signal: pending.signal }));
      } catch (err) {
        if (err.name !== "AbortError") console.warn(err);
      }
    }, DELAY_MS);
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden || !items.length) return;
    if (e.key === "ArrowDown") highlight((active + 1) % items.length);
    else if (e.key === "ArrowUp") highlight((active - 1 + items.length) % items.length);
    else if (e.key === "Escape") close();
    else if (e.key === "Enter" && active >= 0) location.href = items[active].href || items[active].iri;
    else return;
    e.preventDefault();
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

function languageSwitch(nav) {
  for (const link of nav.querySelectorAll("a[data-lang]")) {
    link.addEventListener("click", (e) => {
      e.preventDefault();
      // Remembered for a year; the server reads it (web/language.py). IRIs never change.
      document.cookie = `akg_lang=${link.dataset.lang}; path=/; max-age=31536000; SameSite=Lax`;
      const url = new URL(location.href);
      if (url.searchParams.has("lang")) {
        url.searchParams.delete("lang");
        location.href = url.toString();
      } else location.reload();
    });
  }
}

const form = document.getElementById("site-search");
if (form) searchBox(form);
const switcher = document.getElementById("language-switch");
if (switcher) languageSwitch(switcher);
