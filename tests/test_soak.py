"""The four-minute soak (benchmarks/soak.py) against a real server: mixed normal and hostile
traffic at concurrency 32, reloads every 30 s (one in three invalid), a serving process killed every
minute. The README shows a ten-minute run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_four_minute_soak_passes():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--minutes", "4", "--json"],
                            capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"the soak printed no report (exit {result.returncode}); its stderr ends:\n"
                             f"{result.stderr[-4000:]}\nits stdout ends:\n{result.stdout[-2000:]}") from None
    assert result.returncode == 0 and report["passed"], json.dumps(report, indent=2)
    assert report["reloads"].get("invalid 422", 0) >= 1 and report["reloads"].get("valid 200", 0) >= 1
    assert report["process_kills"] >= 1
    assert report["statuses"].get("normal 200", 0) > 1000
    assert report["statuses"].get("hostile 429", 0) > 0  # the hostile clients spent their budgets
    assert report["memory_growth_percent"] < 20
