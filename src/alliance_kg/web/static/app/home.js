// The home page: the alliance's members on two maps (Germany, China) and in lists by country,
// both from one SPARQL query to this server's endpoint.

import { config, formatNumber, hrefFor, msg, prefixBlock } from "./lib/config.js";
import { describeIris } from "./lib/lookup.js";
import { pointMap } from "./lib/map.js";
import { select } from "./lib/sparql.js";
import { el } from "./lib/terms.js";

export const MEMBERS_QUERY = `${prefixBlock(["akg", "org", "schema", "wgs84"])}
SELECT ?member ?country ?district ?ambiguous ?lat ?long WHERE {
  ?alliance a akg:Alliance .
  ?membership org:organization ?alliance ;
      org:member ?member .
  FILTER (STRSTARTS(STR(?member), "${config.base}id/"))
  OPTIONAL { ?member schema:containedInPlace ?country . ?country a schema:Country . }
  OPTIONAL { ?member wgs84:lat ?lat ; wgs84:long ?long . }
  BIND (EXISTS { ?member a akg:District } AS ?district)
  BIND (EXISTS { ?member a akg:AmbiguousPlace } AS ?ambiguous)
}`;

const COUNTRIES = [
  { key: "germany", code: "de", title: msg("country_germany"), region: "germany" },
  { key: "china", code: "cn", title: msg("country_china"), region: "china" },
];

function countryOf(row) {
  const iri = row.country?.value || "";
  return COUNTRIES.find((c) => iri.endsWith(`/country/${c.code}`)) || null;
}

/** Members as the server rendered them (ui.members), or null. */
function embedded() {
  const node = document.getElementById("akg-members");
  try {
    return node ? JSON.parse(node.textContent) : null;
  } catch {
    return null;
  }
}

async function main(root) {
  const members = embedded() || (await fromEndpoint(root));
  if (members) draw(root, members);
}

async function fromEndpoint(root) {
  const status = root.querySelector("#members-status");
  let rows;
  try {
    rows = await select(MEMBERS_QUERY);
  } catch (err) {
    status.textContent = msg("members_failed", { message: err.message });
    status.classList.add("error");
    return;
  }
  const seen = new Map();
  for (const row of rows) if (!seen.has(row.member.value)) seen.set(row.member.value, row);
  const info = await describeIris([...seen.keys(), ...rows.map((r) => r.country?.value).filter(Boolean)]);
  const members = [...seen.values()].map((row) => {
    const iri = row.member.value;
    return {
      iri,
      href: hrefFor(iri),
      label: info.get(iri)?.label || iri.split("/").pop(),
      country: countryOf(row)?.key || null,
      district: row.district?.value === "true",
      ambiguous: row.ambiguous?.value === "true",
      lat: row.lat ? Number(row.lat.value) : null,
      long: row.long ? Number(row.long.value) : null,
    };
  });
  // As the server sorts them (web/collation.py): ICU's collation for the page's language, which
  // for Chinese is pinyin, and files German umlauts with their letters.
  const collator = new Intl.Collator(config.lang);
  members.sort((a, b) => collator.compare(a.label, b.label));
  const counts = COUNTRIES.map((c) => msg("home_members_count", { count: members.filter((m) => m.country === c.key).length, country: c.title }));
  status.textContent = msg("home_members_total", { count: members.length }) + counts.join(msg("list_separator")) + msg("full_stop");
  return members;
}

function draw(root, members) {
  for (const country of COUNTRIES) {
    const box = root.querySelector(`#map-${country.key}`);
    const list = root.querySelector(`#list-${country.key}`);
    const mine = members.filter((m) => m.country === country.key);
    const placed = mine.filter((m) => typeof m.lat === "number" && typeof m.long === "number");
    if (box) {
      const handle = pointMap(
        box,
        placed.map((m) => ({
          lat: m.lat,
          long: m.long,
          label: m.label,
          href: m.href,
          kind: `${country.key}${m.district ? " district" : ""}`,
          detail: msg(m.district ? "member_district" : "member_city"),
        })),
        { region: country.region, label: msg("home_map_label", { count: mine.length, country: country.title }), padding: 12 },
      );
      box.dataset.markers = String(placed.length);
      window.addEventListener("resize", () => handle.fit(country.region));
    }
    if (list && !list.children.length) {
      list.replaceChildren(
        ...mine.map((m) =>
          el(
            "li",
            {},
            el("a", { href: m.href }, m.label),
            m.district ? el("span", { class: "tag", title: msg("district_title") }, msg("district")) : null,
            m.ambiguous ? el("span", { class: "tag warn", title: msg("ambiguous_title") }, msg("ambiguous")) : null,
            !m.ambiguous && m.lat === null ? el("span", { class: "tag", title: msg("no_coordinates_title") }, msg("no_coordinates")) : null,
          ),
        ),
      );
      list.closest("section")?.querySelector(".count")?.replaceChildren(formatNumber(mine.length));
    }
  }
}

const root = document.getElementById("home");
if (root) main(root);
