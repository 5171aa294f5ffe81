// Query history and saved queries, kept in the browser (localStorage) and nowhere else: the
// last queries run, newest first, and the queries a researcher named and saved.

const HISTORY = "akg-history";
const SAVED = "akg-saved";
const MAX_HISTORY = 50;

function read(key) {
  try {
    const value = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function write(key, items) {
  try {
    localStorage.setItem(key, JSON.stringify(items));
  } catch (err) {
    console.warn("could not store", key, err); // private mode or a full store: history is a convenience
  }
}

/** [{ query, at, summary }], newest first. */
export const history = () => read(HISTORY);
/** [{ name, query, at }], sorted by name. */
export const saved = () => read(SAVED).sort((a, b) => a.name.localeCompare(b.name));

/** Remember a query that ran; the same text again moves to the top instead of repeating. */
export function remember(query, summary) {
  const items = history().filter((h) => h.query !== query);
  items.unshift({ query, summary, at: new Date().toISOString() });
  write(HISTORY, items.slice(0, MAX_HISTORY));
}

export function save(name, query) {
  const items = read(SAVED).filter((s) => s.name !== name);
  items.push({ name, query, at: new Date().toISOString() });
  write(SAVED, items);
}

export function forget(name) {
  write(SAVED, read(SAVED).filter((s) => s.name !== name));
}

export function clearHistory() {
  write(HISTORY, []);
}
