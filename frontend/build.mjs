// Builds the workbench into src/alliance_kg/web/static/dist/ — everything the pages need,
// so that the server works with no network: JavaScript bundles, one CSS file (Leaflet's
// styles included) and the country outlines the maps draw instead of tiles.
//
//   npm ci && npm run build      (once, at set-up)
//   npm run watch                (rebuild on change while editing static/app/)

import { build, context } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const app = resolve(here, "../src/alliance_kg/web/static/app");
const dist = resolve(here, "../src/alliance_kg/web/static/dist");

// Country outlines: the two alliance countries at 1:50m, their surroundings at 1:110m
// (Natural Earth, via world-atlas), coordinates rounded to ~100 m. ISO 3166 numeric ids.
const FOCUS = new Set(["276", "156"]); // Germany, China
const VIEW = { west: -30, east: 160, south: -15, north: 80 }; // Europe to East Asia

function round(coords) {
  return typeof coords[0] === "number"
    ? [Math.round(coords[0] * 1000) / 1000, Math.round(coords[1] * 1000) / 1000]
    : coords.map(round);
}

function bounds(coords, box = [180, 90, -180, -90]) {
  if (typeof coords[0] === "number") {
    box[0] = Math.min(box[0], coords[0]); box[1] = Math.min(box[1], coords[1]);
    box[2] = Math.max(box[2], coords[0]); box[3] = Math.max(box[3], coords[1]);
  } else coords.forEach((c) => bounds(c, box));
  return box;
}

function countries() {
  const detailed = require("world-atlas/countries-50m.json");
  const coarse = require("world-atlas/countries-110m.json");
  const focus = feature(detailed, detailed.objects.countries).features.filter((f) => FOCUS.has(f.id));
  const context = feature(coarse, coarse.objects.countries).features.filter((f) => {
    if (FOCUS.has(f.id) || !f.geometry) return false;
    const [w, s, e, n] = bounds(f.geometry.coordinates);
    return e > VIEW.west && w < VIEW.east && n > VIEW.south && s < VIEW.north;
  });
  const features = [...context, ...focus].map((f) => ({
    type: "Feature",
    id: f.id,
    properties: { name: f.properties.name, focus: FOCUS.has(f.id) },
    geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
  }));
  return JSON.stringify({
    type: "FeatureCollection",
    attribution: "Natural Earth (public domain) via world-atlas 2",
    features,
  });
}

const options = {
  entryPoints: {
    query: resolve(app, "query.js"),
    home: resolve(app, "home.js"),
    resource: resolve(app, "resource.js"),
    site: resolve(app, "site.js"),
    workbench: resolve(app, "workbench.css"),
  },
  outdir: dist,
  bundle: true,
  format: "esm",
  splitting: true,
  minify: true,
  sourcemap: true,
  target: ["es2020"],
  // Sources live beside the Python package; their npm imports resolve from here.
  nodePaths: [resolve(here, "node_modules")],
  loader: { ".png": "file", ".svg": "file" },
  assetNames: "assets/[name]-[hash]",
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "info",
  legalComments: "linked",
};

// dist/ is committed (installs need no Node): start empty so that no stale chunk survives
// and the folder is exactly what these sources build to (tests/test_packaging.py checks it).
if (!process.argv.includes("--watch")) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
writeFileSync(resolve(dist, "countries.geojson"), countries());
if (process.argv.includes("--watch")) {
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
