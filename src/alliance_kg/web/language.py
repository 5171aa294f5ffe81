"""Which language a page shows labels in, and the label to show: one rule for every page."""

from __future__ import annotations

from typing import Iterable

from flask import request

#: Tried after the reader's language, in this order ('' is a label without a language tag).
FALLBACK = ("en", "de", "")


def preferred_language(available: Iterable[str]) -> str:
    """``?lang=`` if given, else the best of ``available`` for the Accept-Language header, else English."""
    wanted = request.args.get("lang")
    if wanted:
        return wanted
    return request.accept_languages.best_match(sorted(a for a in available if a)) or "en"


def pick_label(labels: dict[str, str], lang: str) -> str | None:
    """The label in ``lang`` (or its base language), else the fallbacks, else any."""
    for key in (lang, lang.split("-")[0], *FALLBACK):
        if key in labels:
            return labels[key]
    return next(iter(labels.values()), None)
