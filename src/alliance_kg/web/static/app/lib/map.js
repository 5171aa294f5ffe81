// Maps with no tile server: country outlines from the bundled Natural Earth file
// (dist/countries.geojson, written by frontend/build.mjs) and one marker per place.
// Markers are keyboard-focusable (Tab, then Enter opens the popup).

import L from "leaflet";
import { msg, staticUrl } from "./config.js";

export const REGIONS = {
  germany: { label: "Germany", bounds: [[47.2, 5.8], [55.1, 15.1]] },
  china: { label: "China", bounds: [[18.1, 73.5], [53.6, 134.8]] },
  both: { label: "Germany and China", bounds: [[18.1, 5.8], [55.1, 134.8]] },
};

let outlines;
export function countryOutlines() {
  outlines ||= fetch(staticUrl("dist/countries.geojson")).then((r) => {
    if (!r.ok) throw new Error(`country outlines: ${r.status}`);
    return r.json();
  });
  return outlines;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A map in `container` showing `points` ({ lat, long, label, href, detail }).
 * Returns { map, fit(regionOrNull), refresh() }.
 */
export function pointMap(container, points, { region = null, label = "Map", zoomControl = true, padding = 24 } = {}) {
  container.classList.add("akg-map");
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", label);
  const map = L.map(container, {
    zoomSnap: 0.25,
    zoomControl: false, // added below, its buttons named in the page's language
    minZoom: 1,
    maxZoom: 13,
    worldCopyJump: false,
    attributionControl: true,
  });
  if (zoomControl) L.control.zoom({ zoomInTitle: msg("zoom_in"), zoomOutTitle: msg("zoom_out") }).addTo(map);
  map.attributionControl.setPrefix(
    `<a href="https://leafletjs.com" title="${escapeHtml(msg("leaflet_title"))}">Leaflet</a>`,
  );

  countryOutlines()
    .then((geo) => {
      L.geoJSON(geo, {
        interactive: false,
        style: (f) => ({
          className: f.properties.focus ? "country focus" : "country",
          weight: f.properties.focus ? 1.2 : 0.6,
        }),
        attribution: escapeHtml(msg("map_outlines")),
      }).addTo(map).bringToBack();
    })
    .catch((err) => console.warn(err));

  const markers = points.map((p) => {
    const marker = L.marker([p.lat, p.long], {
      icon: L.divIcon({ className: `akg-marker${p.kind ? ` ${p.kind}` : ""}`, iconSize: [16, 16], iconAnchor: [8, 8], html: "" }),
      title: p.label,
      alt: p.label,
      keyboard: true,
      riseOnHover: true,
    });
    const name = p.href ? `<a href="${escapeHtml(p.href)}">${escapeHtml(p.label)}</a>` : escapeHtml(p.label);
    marker.bindPopup(`<strong>${name}</strong>${p.detail ? `<br>${escapeHtml(p.detail)}` : ""}`);
    marker.bindTooltip(escapeHtml(p.label), { direction: "top", offset: [0, -8] });
    marker.on("add", () => {
      const node = marker.getElement();
      node?.setAttribute("aria-label", p.label);
      node?.setAttribute("role", "button");
      node?.setAttribute("data-label", p.label);
    });
    return marker.addTo(map);
  });

  function fit(which = region) {
    if (which && REGIONS[which]) map.fitBounds(REGIONS[which].bounds, { padding: [padding, padding] });
    else if (markers.length) {
      const b = L.latLngBounds(points.map((p) => [p.lat, p.long]));
      map.fitBounds(b.pad(0.15), { maxZoom: 8, padding: [padding, padding] });
    } else map.fitBounds(REGIONS.both.bounds);
  }
  fit();
  return {
    map,
    markers,
    fit,
    refresh() {
      map.invalidateSize();
      fit();
    },
  };
}

/** Buttons that move a map to Germany, China or all its markers. */
export function regionButtons(handle, names = ["germany", "china", "all"]) {
  const bar = document.createElement("div");
  bar.className = "map-regions";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "Zoom the map to");
  for (const name of names) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = name === "all" ? "All markers" : REGIONS[name].label;
    b.addEventListener("click", () => handle.fit(name === "all" ? null : name));
    bar.append(b);
  }
  return bar;
}
