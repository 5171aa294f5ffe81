// Additions to a resource page (/doc/...): a small map for places, a timeline of the dated
// facts around the resource (memberships, events, founding), both asked of the endpoint. The
// timeline tells the resource's own dates from those of what it points to (a member city's
// page shows the alliance's founding as the alliance's, set apart).

import { compact, config, hrefFor, msg, prefixBlock } from "./lib/config.js";
import { better, describeIris, languages } from "./lib/lookup.js";
import { pointMap } from "./lib/map.js";
import { iriRef, select } from "./lib/sparql.js";
import { el } from "./lib/terms.js";

const DATE_TYPES = ["date", "dateTime", "gYear", "gYearMonth"].map((t) => `xsd:${t}`).join(", ");

function placeQuery(iri) {
  return `${prefixBlock(["wgs84"])}
SELECT ?place ?lat ?long ?via WHERE {
  {
    BIND (${iriRef(iri)} AS ?place)
    ?place wgs84:lat ?lat ; wgs84:long ?long .
  } UNION {
    ${iriRef(iri)} ?link ?place .
    FILTER (isIRI(?place))
    ?place wgs84:lat ?lat ; wgs84:long ?long .
    BIND (true AS ?via)
  }
}`;
}

// Dated facts on the resource itself, on what it points to and on what points to it; a
// time:Instant's date (time:inXSDDate) counts for the thing whose time it is. The properties'
// labels come in every language the graph has: the page's is picked (lookup.languages), with
// English, German and untagged ones to fall back on. ?via says whose a date is: the resource's
// own ("self"), or of what points to it (its membership, an event about it: "in"), or of what
// it points to ("out": the alliance a city is a member of, founded before the city joined).
// ?founder: the resource's membership in ?item came about through ?item's founding, so
// ?item's founding date is when the resource became a member.
const FOUNDING_DATE = "https://schema.org/foundingDate";

function timelineQuery(iri) {
  const r = iriRef(iri);
  return `${prefixBlock(["org", "prov", "rdfs", "time", "xsd"])}
SELECT DISTINCT ?item ?via ?property ?date ?plabel ?founder WHERE {
  { BIND (${r} AS ?item) BIND ("self" AS ?via) }
  UNION { ${r} ?out ?item . FILTER (isIRI(?item)) BIND ("out" AS ?via) }
  UNION { ?item ?in ${r} . FILTER (isIRI(?item)) BIND ("in" AS ?via) }
  ?item ?property ?date .
  FILTER (datatype(?date) IN (${DATE_TYPES}))
  OPTIONAL { ?property rdfs:label ?plabel . FILTER (isLiteral(?plabel)) }
  BIND (EXISTS { ?membership org:member ${r} ; org:organization ?item ; prov:wasGeneratedBy ?founding .
                 ?founding org:resultingOrganization ?item } AS ?founder)
}`;
}

function humanise(iri) {
  const local = iri.split(/[#/]/).pop();
  return local.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function formatDate(value) {
  const lang = languages()[0] || "en";
  if (/^\d{4}$/.test(value)) return value;
  if (/^\d{4}-\d{2}$/.test(value)) return new Date(`${value}-01T00:00:00Z`).toLocaleDateString(lang, { year: "numeric", month: "long", timeZone: "UTC" });
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
}

/** The box, the rows of `query` and the labels of the IRIs in `column`; null if nothing to show. */
async function gather(root, selector, query, column) {
  const box = root.querySelector(selector);
  if (!box) return null;
  const rows = await select(query);
  if (!rows.length) return null;
  return { box, rows, info: await describeIris(rows.map((r) => r[column].value)) };
}

async function showMap(root, iri) {
  const found = await gather(root, "#resource-map", placeQuery(iri), "place");
  if (!found) return;
  const { box, rows, info } = found;
  const points = rows.map((r) => ({
    lat: Number(r.lat.value),
    long: Number(r.long.value),
    label: info.get(r.place.value)?.label || compact(r.place.value, { strict: false }) || r.place.value,
    href: hrefFor(r.place.value),
    kind: r.via ? "context" : "city",
  }));
  box.closest("[hidden]")?.removeAttribute("hidden");
  box.hidden = false;
  const handle = pointMap(box, points, { label: msg("map_where", { label: points[0].label }), padding: 8 });
  handle.map.setView([points[0].lat, points[0].long], 5);
  box.dataset.markers = String(points.length);
}

/** `text` (a message with one `{name}`) with `names` (elements) in its place. */
function around(text, names) {
  const [before, after = ""] = text.split("{name}");
  return [before, names, after];
}

async function showTimeline(root, iri) {
  const found = await gather(root, "#resource-timeline", timelineQuery(iri), "item");
  if (!found) return;
  const { box, rows, info } = found;
  // What points to the resource, and the resource itself, have dates of its own; what it only
  // points to has dates of another's, shown as that one's, set apart, one entry per thing.
  const own = new Set(rows.filter((r) => r.via.value !== "out").map((r) => r.item.value));
  // Group facts that share a date and a property (24 memberships "known to hold as of" one day);
  // a property's label is the one in the most preferred language among the rows.
  const order = languages();
  const groups = new Map();
  for (const r of rows) {
    const context = !own.has(r.item.value);
    const joined = context && r.property.value === FOUNDING_DATE && r.founder?.value === "true";
    const key = [r.date.value, r.property.value, context && !joined ? r.item.value : "", joined].join("|");
    const group = groups.get(key) || { date: r.date.value, property: r.property.value, items: new Set(), context: context && !joined, joined };
    const lang = r.plabel?.["xml:lang"] || "";
    if (r.plabel && better(lang, group.plang, order)) {
      group.plabel = r.plabel.value;
      group.plang = lang;
    }
    group.items.add(r.item.value);
    groups.set(key, group);
  }
  const sorted = [...groups.values()].sort((a, b) => a.date.localeCompare(b.date));
  const shown = (i) => info.get(i)?.label || compact(i, { strict: false }) || i;
  const link = (i) => el("a", { href: hrefFor(i) }, shown(i));
  // Names of one entry as every list on the page sorts them (web/collation.py; Chinese by pinyin).
  const collator = new Intl.Collator(config.lang);
  const list = el(
    "ol",
    { class: "timeline" },
    sorted.map((g) => {
      const items = [...g.items].sort((a, b) => collator.compare(shown(a), shown(b)));
      const what = g.plabel || humanise(g.property);
      // A label that fell back to another language says so (lang=), for screen readers.
      const whatLang = g.plabel && g.plang && g.plang.split("-")[0] !== config.lang ? g.plang : null;
      const property = el("span", { lang: whatLang }, what);
      const date = el("time", { datetime: g.date }, formatDate(g.date));
      if (g.context) {
        // Another's date, worded as that one's ("the alliance was founded"), never as this one's.
        const name = link(items[0]);
        const said = g.property === FOUNDING_DATE ? around(msg("timeline_founded"), name) : [name, msg("colon"), property];
        return el(
          "li",
          { class: "context" },
          date,
          el("span", { class: "whose", "data-property": g.property }, said),
          " ",
          el("span", { class: "tag" }, msg("timeline_not_own")),
        );
      }
      if (g.joined) {
        // Its membership began with the founding: the founding date is its own joining.
        return el(
          "li",
          { class: "self joined" },
          date,
          el("span", { class: "what", "data-property": g.property }, around(msg("timeline_founding_member"), items.map((i, n) => [n ? msg("list_separator") : "", link(i)]))),
        );
      }
      const names =
        items.length <= 3
          ? items.map((i, n) => [n ? msg("list_separator") : "", i === iri ? el("strong", {}, msg("this_resource")) : link(i)])
          : [msg("resources_count", { count: items.length })];
      return el(
        "li",
        { class: items.includes(iri) ? "self" : null },
        date,
        el("span", { class: "what", "data-property": g.property }, property, msg("colon")),
        el("span", { class: "who" }, names),
      );
    }),
  );
  box.querySelector(".timeline-body")?.replaceChildren(list) ?? box.append(list);
  box.hidden = false;
}

const root = document.getElementById("resource");
const iri = root?.dataset.iri;
if (iri) {
  showMap(root, iri).catch((err) => console.warn("resource map", err));
  showTimeline(root, iri).catch((err) => console.warn("resource timeline", err));
}
