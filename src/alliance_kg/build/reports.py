"""Validation reports in the forms CI systems read: text for people, JSON for scripts, the
SHACL report as Turtle, JUnit XML for test dashboards, GitHub workflow annotations and SARIF
2.1.0 for code scanning. Against a baseline (``report.baseline``) each says what is new and
what was fixed, and gates only on what is new."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable
from xml.etree import ElementTree as ET

from .. import __version__
from ..errors import InputError
from ..rdf import turtle
from .baseline import identity
from .validation import Finding, InvalidShapes, Report


def _where(f: Finding) -> str:
    return f.location


def as_text(report: Report) -> str:
    lines = []
    for f in _gated(report):
        lines.append(f"{_where(f)}: {f.severity}: {f.message}")
        lines.extend("    " + line for line in _details(f))
    comparison = report.baseline
    if comparison is not None:
        lines.append(f"baseline {comparison.source}: {len(comparison.new)} new, {len(comparison.unchanged)} "
                     f"unchanged (not shown), {len(comparison.fixed)} fixed")
        lines.extend(f"fixed: {f.summary}" for f in comparison.fixed)
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(
        f"{verdict}: {report.count('Violation')} violation(s), {report.count('Warning')} warning(s), "
        f"{report.count('Info')} info"
        + ("" if comparison is None else f"; {comparison.new_violations} new violation(s)")
    )
    return "\n".join(lines) + "\n"


def _details(f: Finding) -> list[str]:
    """What a finding is about, a ``label: value`` line each, in the text and JUnit reports alike:
    only what it has (a node shape's finding has no path, a missing value none), and the value
    as every report shows it (``rdf.shown``: ``"vierzehn"^^xsd:integer``, as written)."""
    return [f"{label}: {value}" for label, value in (("focus", f.focus), ("path", f.path), ("value", f.value),
                                                     ("shape", f.shape), ("constraint", f.component)) if value]


def _gated(report: Report) -> list[Finding]:
    """The findings a reader must act on: all of them, or against a baseline the new ones."""
    return report.findings if report.baseline is None else report.baseline.new


def as_json(report: Report) -> str:
    body = {
        "conforms": report.conforms,
        "counts": {s: report.count(s) for s in ("Violation", "Warning", "Info")},
        "findings": [f.as_dict() for f in report.findings],
    }
    comparison = report.baseline
    if comparison is not None:  # still a complete report, usable as the next baseline
        for finding, entry in zip(report.findings, body["findings"]):
            entry["baseline"] = comparison.state(finding)
        body["baseline"] = {"source": comparison.source, "new": len(comparison.new),
                            "unchanged": len(comparison.unchanged),
                            "fixed": [f.as_dict() for f in comparison.fixed]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def as_turtle(report: Report) -> str:
    """The SHACL report; values as the data wrote them, ill-typed ones too (``rdf.turtle``)."""
    return turtle(report.graph)


def as_junit(report: Report) -> str:
    """One test case per finding (failures for violations); a clean run is one passing case."""
    suite = ET.Element(
        "testsuite",
        name="alliance-kg validate",
        tests=str(max(1, len(report.findings))),
        failures=str(sum(1 for f in _gated(report) if f.severity == "Violation")),
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
        detail = "\n".join([f"{_where(f)}: {f.message}", *_details(f)])
        if f.severity == "Violation" and (report.baseline is None or report.baseline.is_new(f)):
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
    for f in _gated(report):
        props = [f"file={_escape_github(f.file, prop=True)}"] if f.file else []
        if f.line:
            props.append(f"line={f.line}")
        props.append("title=" + _escape_github(f"SHACL {f.severity}: {f.path or f.shape or ''}", prop=True))
        message = f"{f.message} (focus {f.focus})"
        out.append(f"::{_GITHUB_LEVEL.get(f.severity, 'error')} {','.join(props)}::{_escape_github(message)}")
    if report.baseline is not None:
        out.extend(f"::notice title=fixed since the baseline::{_escape_github(f.summary)}" for f in report.baseline.fixed)
    return "\n".join(out) + ("\n" if out else "")


# -- SARIF 2.1.0 ------------------------------------------------------------------------------------

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "note"}


def rule_id(f: Finding) -> str:
    """One rule per shape and constraint component (``<shape>/MinCount``); a SPARQL check is
    one rule (``check:<name>``)."""
    if f.component == "sparql-check" or not f.component:
        return f.shape or "constraint"
    return f"{f.shape or '[]'}/{f.component.rsplit('#', 1)[-1].removesuffix('ConstraintComponent')}"


def _artifact(file: str) -> dict:
    """A file as SARIF names it: relative to the working folder (the repository root in CI, so
    code scanning puts the finding on the changed line), else an absolute file: URI."""
    path = Path(file).resolve()
    try:
        return {"uri": path.relative_to(Path.cwd().resolve()).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": path.as_uri()}


def _sarif_result(f: Finding, rules: dict[str, int], state: str | None) -> dict:
    result: dict = {
        "ruleId": rule_id(f),
        "ruleIndex": rules[rule_id(f)],
        "level": _SARIF_LEVEL.get(f.severity, "error"),
        "message": {"text": f"{f.message} (focus {f.focus}{', path ' + f.path if f.path else ''}"
                            f"{', value ' + f.value if f.value else ''})"},
        # what the finding is, not where: a moved statement keeps its alert
        "partialFingerprints": {"alliance-kg/finding/v1": hashlib.sha256(repr(identity(f)).encode()).hexdigest()},
        "properties": {k: v for k, v in (("focus", f.focus), ("path", f.path), ("value", f.value),
                                         ("shape", f.shape), ("severity", f.severity)) if v},
    }
    if f.file:
        location: dict = {"artifactLocation": _artifact(f.file)}
        if f.line:
            location["region"] = {"startLine": f.line}
        result["locations"] = [{"physicalLocation": location}]
    if state:
        result["baselineState"] = state
    return result


def as_sarif(report: Report) -> str:
    comparison = report.baseline
    fixed = comparison.fixed if comparison is not None else []
    rules: dict[str, int] = {}
    descriptors = []
    for f in [*report.findings, *fixed]:
        rid = rule_id(f)
        if rid not in rules:
            rules[rid] = len(descriptors)
            descriptors.append({
                "id": rid,
                "name": rid.rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace(":", "-"),
                "shortDescription": {"text": f"{f.component or 'constraint'} of {f.shape or 'a shape'}"},
                "defaultConfiguration": {"level": _SARIF_LEVEL.get(f.severity, "error")},
                "properties": {"shape": f.shape or "", "component": f.component or ""},
            })
    results = [_sarif_result(f, rules, comparison.state(f) if comparison else None) for f in report.findings]
    results += [_sarif_result(f, rules, "absent") for f in fixed]
    return _sarif_log(descriptors, results)


def _sarif_log(descriptors: list[dict], results: list[dict], **run: object) -> str:
    """A SARIF log of one run of ours: its rules, its results and what else the run says."""
    body = {
        "tool": {"driver": {"name": "alliance-kg", "version": __version__,
                            "informationUri": "https://w3id.org/alliance-kg/", "rules": descriptors}},
        **run,
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [body]}, indent=2, ensure_ascii=False) + "\n"


FORMATTERS: dict[str, Callable[[Report], str]] = {
    "text": as_text,
    "json": as_json,
    "turtle": as_turtle,
    "junit": as_junit,
    "github": as_github,
    "sarif": as_sarif,
}


# -- unusable input ---------------------------------------------------------------------------------
# A run that stops on unusable input (exit 2: a file that does not parse, a broken shape) still
# writes the report asked for, in every format, so the error shows on its file and line there
# too and no report of an earlier run is left to be read as this one's: SARIF with an error
# result and the run marked as failed, a JUnit error, a GitHub annotation, JSON with an ``error``
# entry, text with a line per problem, and Turtle that holds no SHACL report at all.

#: What each kind of input error is (``InputError.kind``), for SARIF's rule descriptions.
INPUT_KINDS = {
    "syntax-error": "a file that does not parse",
    "invalid-shapes": "a shape that does not conform to SHACL-for-SHACL",
    "remote-context": "a JSON-LD context to be fetched from the network (nothing is fetched)",
    "unusable-input": "an input that cannot be used",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input and where it is."""

    kind: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def location(self) -> str:
        return ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None) or "(no file)"

    def as_dict(self) -> dict:
        return asdict(self)


def problems(error: InputError) -> list[Problem]:
    """What ``error`` says is wrong: one problem, or each broken shape at its file and line."""
    if isinstance(error, InvalidShapes):
        return [Problem(error.kind, f"{p.message} (shape {p.focus}{', ' + p.path if p.path else ''})",
                        p.file, p.line) for p in error.problems]
    return [Problem(error.kind, error.message, error.path, error.line, error.column)]


def error_text(error: InputError) -> str:
    """A line per problem at its file, line and column, as findings are, and a last line that
    says nothing was validated (where a run that did ends on "conforms" or "does not conform")."""
    found = problems(error)
    lines = [f"{p.location}: error: {p.message}" for p in found]
    lines.append(f"not validated: {len(found)} problem(s) with the input, so it was not checked against the shapes")
    return "\n".join(lines) + "\n"


def error_turtle(error: InputError) -> str:
    """Turtle without a SHACL report in it, the problems in comments. A SHACL report says
    ``sh:conforms`` true or false, and either would be untrue here: the shapes never ran, and
    SHACL signals such a failure outside the report ("through implementation-specific
    channels": here exit 2 and stderr). So a consumer that looks for an ``sh:ValidationReport``
    finds none rather than a verdict, as JSON's ``conforms`` is null, while the file still
    parses as Turtle (an empty graph) and replaces an earlier run's."""
    head = ["alliance-kg validate: not validated, the input is unusable (exit 2).",
            "No sh:ValidationReport and no sh:conforms here: the shapes did not run.",
            *error_text(error).splitlines()[:-1]]
    return "".join(f"# {line}\n" for text in head for line in text.splitlines() or [""])


def error_json(error: InputError) -> str:
    """``conforms`` null (nothing was validated) and the error, with its problems (one, or each
    broken shape); not a baseline (``read_baseline`` refuses it)."""
    head = Problem(error.kind, error.message, error.path, error.line, error.column)
    body = {"conforms": None, "error": {**head.as_dict(), "problems": [p.as_dict() for p in problems(error)]}}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def error_junit(error: InputError) -> str:
    """One test case in error per problem."""
    found = problems(error)
    suite = ET.Element("testsuite", name="alliance-kg validate", tests=str(len(found)), failures="0",
                       errors=str(len(found)), skipped="0")
    for p in found:
        case = ET.SubElement(suite, "testcase", classname="alliance-kg", name=f"{p.kind}: {p.file or 'input'}",
                             file=p.file or "", line=str(p.line or 0))
        ET.SubElement(case, "error", message=p.message, type=p.kind).text = f"{p.location}: {p.message}"
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def error_github(error: InputError) -> str:
    """One ``::error file=...,line=...,col=...,title=...::message`` line per problem."""
    out = []
    for p in problems(error):
        props = [f"file={_escape_github(p.file, prop=True)}"] if p.file else []
        props += [f"{name}={value}" for name, value in (("line", p.line), ("col", p.column)) if value]
        props.append("title=" + _escape_github(f"alliance-kg: {p.kind.replace('-', ' ')}", prop=True))
        out.append(f"::error {','.join(props)}::{_escape_github(p.message)}")
    return "\n".join(out) + "\n"


def error_sarif(error: InputError) -> str:
    """An error result per problem, under a rule per kind (``input:syntax-error``), and the run's
    invocation marked as not successful, with the message."""
    found = problems(error)
    kinds = sorted({p.kind for p in found})
    descriptors = [{"id": f"input:{kind}", "name": kind,
                    "shortDescription": {"text": INPUT_KINDS.get(kind, INPUT_KINDS["unusable-input"])},
                    "defaultConfiguration": {"level": "error"}} for kind in kinds]
    results = []
    for p in found:
        result: dict = {"ruleId": f"input:{p.kind}", "ruleIndex": kinds.index(p.kind), "level": "error",
                        "message": {"text": p.message}}
        if p.file:
            location: dict = {"artifactLocation": _artifact(p.file)}
            if p.line:
                location["region"] = {"startLine": p.line, **({"startColumn": p.column} if p.column else {})}
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    notification = {"level": "error", "message": {"text": str(error)}}
    # Oxigraph, the JSON and XML parsers count columns in characters
    return _sarif_log(descriptors, results, columnKind="unicodeCodePoints",
                      invocations=[{"executionSuccessful": False, "toolExecutionNotifications": [notification]}])


#: The report of an input error in each ``--format`` (``tests`` check that every one has it).
ERROR_FORMATTERS: dict[str, Callable[[InputError], str]] = {
    "text": error_text,
    "json": error_json,
    "turtle": error_turtle,
    "junit": error_junit,
    "github": error_github,
    "sarif": error_sarif,
}
