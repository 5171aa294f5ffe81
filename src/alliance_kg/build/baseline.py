"""Findings compared with an earlier run's: what is new, what is unchanged, what was fixed.

A repository with known warnings (or violations it cannot fix yet) keeps the JSON report of a
run as its baseline (``validate --format json -o baseline.json``); ``validate --baseline`` then
fails only on findings that are not in it, and ``diff`` uses the same comparison between two
versions of the data. A finding is matched by what it is, never by where: severity, focus
node, path, value, shape and constraint (``IDENTITY``), so moving a statement group to another
line or file does not make its findings new, and neither does a message worded anew (an edited
``sh:message``, or a baseline written by another engine or release: both engines give the same
identity for the same violation, ``validation.finish``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterable

from ..errors import InputError
from .validation import Finding

#: The fields that say what a finding is (file and line only say where it is, the message how
#: it is worded).
IDENTITY = ("severity", "focus", "path", "value", "shape", "component")


def identity(finding: Finding) -> tuple:
    return tuple(getattr(finding, name) for name in IDENTITY)


@dataclass
class Comparison:
    """Current findings against a baseline's."""

    new: list[Finding] = field(default_factory=list)
    unchanged: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    #: Where the baseline came from, for the report.
    source: str = ""

    def is_new(self, finding: Finding) -> bool:
        return id(finding) in {id(f) for f in self.new}

    def state(self, finding: Finding) -> str:
        """``new`` or ``unchanged`` (SARIF's ``baselineState`` words)."""
        return "new" if self.is_new(finding) else "unchanged"

    @property
    def new_violations(self) -> int:
        return sum(1 for f in self.new if f.severity == "Violation")


def compare(baseline: Iterable[Finding], current: Iterable[Finding], *, source: str = "") -> Comparison:
    """Match findings as multisets: two identical findings in the baseline excuse two now."""
    remaining = Counter(identity(f) for f in baseline)
    old = {identity(f): f for f in baseline}
    result = Comparison(source=source)
    unmatched = []
    for finding in current:
        key = identity(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
            result.unchanged.append(finding)
        else:
            unmatched.append(finding)
    for finding in unmatched:  # a baseline written before a finding was named as it is now
        earlier = next((key for key in _earlier(finding) if remaining[key] > 0), None)
        if earlier is not None:
            remaining[earlier] -= 1
            result.unchanged.append(finding)
        else:
            result.new.append(finding)
    for key, count in remaining.items():
        result.fixed.extend([old[key]] * count)
    return result


def _earlier(finding: Finding) -> list[tuple]:
    """How earlier releases identified ``finding``: its typed value shown by its lexical form
    alone (``9`` for ``"9"^^xsd:integer``), and a blank property shape that the compiled engine
    did not find again named by its path alone (``[<path>]``)."""
    key = identity(finding)
    keys = [key[:3] + (_lexical(finding.value),) + key[4:]]
    blank = f"[{finding.path}]" if finding.path else "[]"
    if (finding.shape or "").endswith(blank):
        keys.append(key[:4] + (blank,) + key[5:])
    return [k for k in keys if k != key]


_TYPED = re.compile(r'"((?:[^"\\]|\\.)*)"\^\^\S+')


def _lexical(value: str | None) -> str | None:
    """A typed value as findings showed it before (``"9"^^xsd:integer`` as ``9``)."""
    match = _TYPED.fullmatch(value or "")
    return match.group(1).replace('\\"', '"').replace("\\\\", "\\") if match else value


_FIELDS = {f.name for f in fields(Finding) if f.compare}  # not the value's term: reports do not write it


def read_baseline(path: str | Path) -> list[Finding]:
    """The findings of a JSON report (``validate --format json``); a file that is not one is
    unusable input (exit 2) naming the file and, for bad JSON, the line."""
    name = str(path)
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), path=name) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=name) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=name, line=exc.lineno, column=exc.colno) from None
    if isinstance(body, dict) and body.get("error") is not None:
        raise InputError("the report of a run that stopped on unusable input (it has an \"error\", no findings): "
                         "not a baseline", path=name)
    findings = body.get("findings") if isinstance(body, dict) else None
    if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
        raise InputError("not a validation report: expected the JSON of `validate --format json` "
                         "(an object with a list of findings)", path=name)
    try:
        return [Finding(**{k: v for k, v in f.items() if k in _FIELDS}) for f in findings]
    except TypeError as exc:  # a finding without severity, message or focus
        raise InputError(f"not a validation report: {exc}", path=name) from None
