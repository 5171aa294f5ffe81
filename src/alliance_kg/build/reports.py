"""Validation reports in the forms CI systems read: text for people, JSON for scripts, the
SHACL report as Turtle, JUnit XML for test dashboards and GitHub workflow annotations."""

from __future__ import annotations

import json
from typing import Callable
from xml.etree import ElementTree as ET

from .validation import Finding, Report


def _where(f: Finding) -> str:
    return f.location


def as_text(report: Report) -> str:
    lines = []
    for f in report.findings:
        lines.append(f"{_where(f)}: {f.severity}: {f.message}")
        lines.append(f"    focus: {f.focus}")
        for label, value in (("path", f.path), ("value", f.value), ("shape", f.shape), ("constraint", f.component)):
            if value:
                lines.append(f"    {label}: {value}")
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(
        f"{verdict}: {report.count('Violation')} violation(s), {report.count('Warning')} warning(s), "
        f"{report.count('Info')} info"
    )
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    body = {
        "conforms": report.conforms,
        "counts": {s: report.count(s) for s in ("Violation", "Warning", "Info")},
        "findings": [f.as_dict() for f in report.findings],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def as_turtle(report: Report) -> str:
    return report.graph.serialize(format="turtle")


def as_junit(report: Report) -> str:
    """One test case per finding (failures for violations); a clean run is one passing case."""
    suite = ET.Element(
        "testsuite",
        name="alliance-kg validate",
        tests=str(max(1, len(report.findings))),
        failures=str(report.count("Violation")),
        errors="0",
        skipped="0",
    )
    if not report.findings:
        ET.SubElement(suite, "testcase", classname="alliance-kg", name="data conforms to shapes")
    for f in report.findings:
        case = ET.SubElement(
            suite, "testcase", classname=f.shape or "shapes", name=f"{f.focus} {f.path or ''}".strip(),
            file=f.file or "", line=str(f.line or 0),
        )
        detail = f"{_where(f)}: {f.message}\nfocus: {f.focus}\npath: {f.path}\nvalue: {f.value}\nshape: {f.shape}"
        if f.severity == "Violation":
            ET.SubElement(case, "failure", message=f.message, type=f.component or "Violation").text = detail
        else:
            ET.SubElement(case, "system-out").text = f"{f.severity}: {detail}"
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_GITHUB_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def _escape_github(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def as_github(report: Report) -> str:
    """``::error file=...,line=...,title=...::message`` lines, one per finding."""
    out = []
    for f in report.findings:
        props = [f"file={_escape_github(f.file, prop=True)}"] if f.file else []
        if f.line:
            props.append(f"line={f.line}")
        props.append("title=" + _escape_github(f"SHACL {f.severity}: {f.path or f.shape or ''}", prop=True))
        message = f"{f.message} (focus {f.focus})"
        out.append(f"::{_GITHUB_LEVEL.get(f.severity, 'error')} {','.join(props)}::{_escape_github(message)}")
    return "\n".join(out) + ("\n" if out else "")


FORMATTERS: dict[str, Callable[[Report], str]] = {
    "text": as_text,
    "json": as_json,
    "turtle": as_turtle,
    "junit": as_junit,
    "github": as_github,
}
