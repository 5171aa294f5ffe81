#!/usr/bin/env python3
"""Time the pipeline's steps on generated data: parse, infer, validate, and peak memory.

    .venv/bin/python benchmarks/pipeline.py                     # 10k, 100k, 1m
    .venv/bin/python benchmarks/pipeline.py --sizes 10k,100k --old
    .venv/bin/python benchmarks/pipeline.py --into oxigraph     # the Oxigraph path's steps

Each size runs in a fresh process (so peak memory is that size's). ``--old`` also times the
previous way on the same data — owlrl's full closure of all data, and pyshacl on a copy of the
union graph in one process with the checks evaluated by rdflib — and prints the ratios; at 1m
that takes far too long and is skipped. A script, not a test: minutes by size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from run import SIZES  # noqa: E402  (the cities generated per size, as the endpoint benchmark)


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def measure(folder: Path, old: bool, into: str = "rdflib") -> dict:
    """Parse, infer and validate ``folder`` (with the shipped ontology) in this process, on
    rdflib's model or on the Oxigraph path (``build.loading``, ``store_inference``,
    ``store_validation``)."""
    from alliance_kg.build.pipeline import with_ontology

    files = with_ontology([folder])
    if into == "oxigraph":
        from alliance_kg.build.loading import load_store
        from alliance_kg.build.store_inference import infer_store
        from alliance_kg.build.store_validation import validate_store

        figures, _ = steps(lambda: load_store(files), lambda loaded: len(loaded.store),
                           lambda loaded: infer_store(loaded.store), validate_store)
        return figures
    from alliance_kg.build.inference import infer
    from alliance_kg.build.sources import load_dataset
    from alliance_kg.build.validation import validate

    figures, loaded = steps(lambda: load_dataset(files), lambda loaded: len(loaded.dataset),
                            lambda loaded: infer(loaded.dataset),
                            lambda loaded, shapes: validate(loaded.dataset, shapes, locator=loaded.locator))
    if old:
        from alliance_kg.build.sources import load_shapes

        figures |= measure_old(loaded.dataset, load_shapes()[0])
    return figures


def steps(parse, size, infer, validate) -> tuple[dict, object]:
    """Time ``parse()``, ``infer(loaded)`` and ``validate(loaded, shapes)``, with peak memory
    after each; returns the figures and what was loaded."""
    from alliance_kg.build.sources import load_shapes

    figures: dict = {}
    started = time.perf_counter()
    loaded = parse()
    figures["parse_s"] = time.perf_counter() - started
    figures["quads"] = size(loaded)
    figures["peak_mb_parse"] = peak_mb()
    started = time.perf_counter()
    figures["inferred"] = infer(loaded)
    figures["infer_s"] = time.perf_counter() - started
    figures["peak_mb_infer"] = peak_mb()
    shapes, _ = load_shapes()
    started = time.perf_counter()
    report = validate(loaded, shapes)
    figures["validate_s"] = time.perf_counter() - started
    figures["findings"] = {s: report.count(s) for s in ("Violation", "Warning", "Info")}
    figures["conforms"] = report.conforms
    figures["peak_mb"] = peak_mb()
    return figures, loaded


def measure_old(dataset, shapes) -> dict:
    """The previous way: owlrl over everything; pyshacl on a copy, one process; rdflib checks."""
    from pyshacl import validate as shacl_validate

    from alliance_kg.build.inference import infer
    from alliance_kg.build.validation import default_checks, union_graph

    figures = {}
    started = time.perf_counter()
    figures["old_inferred"] = infer(dataset, fast=False)
    figures["old_infer_s"] = time.perf_counter() - started
    started = time.perf_counter()
    shacl_validate(union_graph(dataset), shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    for check in default_checks():
        list(dataset.query(check.read_text(encoding="utf-8")))
    figures["old_validate_s"] = time.perf_counter() - started
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--old", action="store_true", help="also time the previous way (not at 1m)")
    parser.add_argument("--into", choices=("rdflib", "oxigraph"), default="rdflib",
                        help="which path to time (default: rdflib, the reference)")
    parser.add_argument("--work", help="folder for the generated data (default: a temporary one)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one folder, print JSON
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(Path(args.one), args.old, args.into)))
        return 0
    from alliance_kg.build.generate import generate

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="alliance-kg-pipeline-"))
    rows = {}
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        if not SIZES.get(size):
            parser.error(f"unknown size {size!r}; use one of {', '.join(s for s in SIZES if SIZES[s])}")
        folder = work / f"data-{size}"
        if not folder.exists():
            generate(SIZES[size], folder)
        command = [sys.executable, __file__, "--one", str(folder), "--into", args.into]
        command += ["--old"] if args.old and size not in ("1m", "10m") else []
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        rows[size] = figures = json.loads(out.strip().splitlines()[-1])
        print(f"{size}: {figures['quads']:,} quads; parse {figures['parse_s']:.1f} s, "
              f"infer {figures['infer_s']:.1f} s ({figures['inferred']:,} triples), "
              f"validate {figures['validate_s']:.1f} s ({figures['findings']}); peak {figures['peak_mb']} MB"
              + (f"; old infer {figures['old_infer_s']:.1f} s ({figures['old_infer_s'] / figures['infer_s']:.0f}x), "
                 f"old validate {figures['old_validate_s']:.1f} s "
                 f"({figures['old_validate_s'] / figures['validate_s']:.1f}x)" if "old_infer_s" in figures else ""),
              flush=True)
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
