"""The example queries the workbench and the home page offer (``queries/examples/*.rq``)."""

from __future__ import annotations

import re
from pathlib import Path

_HEADER = re.compile(r"^#\s*(title|description)\s*:\s*(.*?)\s*$", re.IGNORECASE)


def load_examples(folder: Path) -> list[dict[str, str]]:
    """Example queries from ``*.rq`` files whose first comment lines give ``# title:`` and
    ``# description:``; sorted by file name, so a numeric prefix orders them."""
    examples = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        meta = {"title": path.stem.replace("-", " "), "description": ""}
        for line in text.splitlines():
            match = _HEADER.match(line)
            if match:
                meta[match.group(1).lower()] = match.group(2)
            elif line.strip() and not line.startswith("#"):
                break
        examples.append({"name": path.stem, "title": meta["title"], "description": meta["description"],
                         "query": text})
    return examples
