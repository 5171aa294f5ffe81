"""The example queries the workbench and the home page offer (``queries/examples/*.rq``).

Each file opens with comment lines naming it: ``# title:`` and ``# description:`` in English,
then the same in other languages with the language's tag, ``# title@de:``,
``# description@zh:``. A page shows the title and description in its language, else English.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .language import foreign, pick_label_language

_HEADER = re.compile(r"^#\s*(title|description)(?:@([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*))?\s*:\s*(.*?)\s*$",
                     re.IGNORECASE)


def load_examples(folder: Path) -> list[dict[str, Any]]:
    """Example queries from ``*.rq`` files whose first comment lines give ``# title:`` and
    ``# description:`` (and their ``@lang`` translations); sorted by file name, so a numeric
    prefix orders them. ``title`` and ``description`` are the English ones, ``titles`` and
    ``descriptions`` all, by language."""
    examples = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        meta: dict[str, dict[str, str]] = {"title": {}, "description": {}}
        for line in text.splitlines():
            match = _HEADER.match(line)
            if match:
                field, lang, value = match.groups()
                meta[field.lower()][(lang or "en").lower()] = value
            elif line.strip() and not line.startswith("#"):
                break
        titles = meta["title"] or {"en": path.stem.replace("-", " ")}
        descriptions = meta["description"]
        examples.append({"name": path.stem, "title": pick_label_language(titles, "en")[0],
                         "description": pick_label_language(descriptions, "en")[0] or "",
                         "titles": titles, "descriptions": descriptions, "query": text})
    return examples


def localized(examples: list[dict[str, Any]], lang: str, page_lang: str) -> list[dict[str, str]]:
    """The examples as a page in ``page_lang`` shows them: title and description in ``lang``
    (the reader's language for labels), else English, and ``title_lang`` the ``lang`` attribute
    a title in another language than the page's needs ('' when none)."""
    shown = []
    for example in examples:
        title, title_lang = pick_label_language(example["titles"], lang)
        description, _ = pick_label_language(example["descriptions"], lang)
        shown.append({"name": example["name"], "title": title or example["name"], "description": description or "",
                      "title_lang": foreign(title_lang, page_lang), "query": example["query"]})
    return shown
