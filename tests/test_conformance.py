"""The README's conformance table is the one the committed EARL reports give (``make conformance``
rewrites both; it runs this file last, after the suites have written their reports)."""

from __future__ import annotations

import earl


def test_every_suite_has_reports():
    suites = {path.stem.split("--")[0] for path in earl.FOLDER.glob("*.ttl")}
    assert {"sparql11-query", "sparql11-protocol", "shacl"} <= suites


def test_readme_conformance_table_is_current():
    earl.check_readme()
