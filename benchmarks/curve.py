#!/usr/bin/env python3
"""The cost curve: load time, peak memory and q/s on the mix from 10k to 10M generated triples,
the embedded default beside the Oxigraph server, every size in the same run.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/curve.py
    .venv/bin/python benchmarks/curve.py --sizes 10k,100k --rounds 4

Each size is generated, built once on the Oxigraph path into the N-Quads dump the peer loads
(``run.prepare_data``), then for each system: the seconds from nothing to the first answer
(ours: ``alliance-kg serve`` parsing, inferring and validating the files into its in-memory
store; the Oxigraph server: ``oxigraph load`` of the dump, then ``serve-read-only`` on it), the
peak memory of either step (proportional set size of the process tree), and q/s on run.py's mix with unique texts at concurrency 1
and 8 (``run.measure_system``; the mix is sent fewer times at larger sizes, once from 1m).
Written to ``benchmarks/curve-<date>.json``, the table printed for the README. A script, not a
test: about an hour with 10m, which needs some 12 GB of memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the benchmark's data, servers and measurement)

PEER, OURS = "oxigraph-server", "memory"


def cell(ours: float, peer: float, unit: str, digits: int = 0) -> str:
    """``ours / peer (ratio)``: the ratio ours over the peer's, so above 1 is more (time, memory
    or q/s alike)."""
    return f"{ours:,.{digits}f} / {peer:,.{digits}f} {unit} ({ours / peer:.2f}×)" if peer else "—"


def qps_cell(ours: dict, peer: dict) -> str:
    """q/s as ``cell``, with the requests either system failed (stopped at the deadline, cut)."""
    text = cell(ours["qps"], peer["qps"], "q/s", 1)
    failed = [f"{who} {sum(f.values())} failed" for who, f in (("ours", ours.get("failed")), ("theirs", peer.get("failed"))) if f]
    return text + (f" [{', '.join(failed)}]" if failed else "")


def first_answers(results: dict) -> str:
    """Seconds to the first answer of each query of the mix at every size (the warm-up, one
    client): where the q/s of the large sizes come from."""
    sizes = list(results["sizes"])
    lines = ["| query | " + " | ".join(f"{s} ours / theirs s" for s in sizes) + " |", "|---|" + "---|" * len(sizes)]
    for name in results["queries"]:
        cells = [" / ".join(first_answer(results["sizes"][size]["systems"].get(who, {}), name) for who in (OURS, PEER))
                 for size in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def first_answer(figures: dict, name: str) -> str:
    seconds, rows = figures.get("first_s", {}).get(name), figures.get("rows", {}).get(name)
    if seconds is None:
        return "—"
    return f"{seconds:.1f}" if isinstance(rows, int) else f"failed ({seconds:.0f})"


def table(results: dict) -> str:
    lines = [f"Run {results['date']} on {results['machine']}; each cell: this endpoint's embedded "
             "default / the Oxigraph server (ours over theirs).", "",
             "| size | triples | load (to the first answer) | peak memory | unique c1 | unique c8 |",
             "|---|---|---|---|---|---|"]
    for size, entry in results["sizes"].items():
        ours, peer = entry["systems"].get(OURS, {}), entry["systems"].get(PEER, {})
        if "error" in ours or "error" in peer:
            lines.append(f"| {size} | {entry['triples']:,} | failed: {(ours.get('error') or peer.get('error'))[:120]} | | | |")
            continue
        lines.append(
            f"| {size} | {entry['triples']:,} | {cell(ours['load_s'], peer['load_s'], 's', 1)} | "
            f"{cell(ours['peak_mb'], peer['peak_mb'], 'MB')} | "
            f"{qps_cell(ours['unique-c1'], peer['unique-c1'])} | {qps_cell(ours['unique-c8'], peer['unique-c8'])} |")
    mismatches = {size: entry["row_mismatches"] for size, entry in results["sizes"].items() if entry.get("row_mismatches")}
    lines += ["", f"Row counts: {'both systems agree at every size' if not mismatches else json.dumps(mismatches)}",
              "", first_answers(results)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m,10m", help="comma-separated: " + ", ".join(bench.SIZES))
    parser.add_argument("--rounds", type=int, default=10, help="repetitions of the mix at 10k (fewer when larger)")
    parser.add_argument("--work", type=Path, help="folder for data and stores (default: a temporary one, kept)")
    parser.add_argument("--table", type=Path, metavar="JSON", help="only print the tables of a curve written before")
    bench.add_tuning_arguments(parser)
    args = parser.parse_args(argv)
    if args.table:
        print(table(json.loads(args.table.read_text(encoding="utf-8"))))
        return 0
    tuning = bench.tuning_from(parser, args)
    sizes = bench.parse_sizes(parser, args.sizes)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    work = args.work or Path(tempfile.mkdtemp(prefix="alliance-kg-curve-"))
    work.mkdir(parents=True, exist_ok=True)
    out = bench.ROOT / "benchmarks" / f"curve-{time.strftime('%Y-%m-%d')}.json"
    results: dict = {}
    for size in sizes:  # one size at a time, written as it is done: 10m takes long
        one = bench.run([size], [PEER, OURS], args.rounds, work, ("unique",), tuning=tuning)
        results = {**one, "sizes": {**results.get("sizes", {}), **one["sizes"]}}
        out.write_text(json.dumps(results, indent=2))
        bench.log(table(results))
    print(table(results))
    bench.log(f"written {out}; work folder {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
