"""Which language a page speaks and shows labels in, and the label to show: one rule for every
page and for ``/suggest``.

The reader's choice, in order: ``?lang=`` on the URL, the ``akg_lang`` cookie the language
switch sets (remembered), the browser's Accept-Language, English. The interface speaks German,
English and Chinese (``i18n.py``); labels come in whatever languages the data has, with a
fallback. The choice never changes an IRI: it is a parameter or a cookie, never a path.
"""

from __future__ import annotations

from typing import Iterable
from urllib.parse import urlencode

from flask import request

#: Languages of the interface (navigation, headings, buttons, messages).
UI_LANGUAGES = ("de", "en", "zh")
#: Tried after the reader's language, in this order ('' is a label without a language tag).
FALLBACK = ("en", "de", "")
COOKIE = "akg_lang"


def _chosen() -> str | None:
    """An explicit choice: ``?lang=`` or the remembered cookie."""
    for value in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if value and len(value) <= 35 and value.replace("-", "").isalnum():
            return value
    return None


def ui_language() -> str:
    """The interface language: the reader's choice if we speak it, else Accept-Language, else English."""
    chosen = _chosen()
    if chosen and chosen.split("-")[0].lower() in UI_LANGUAGES:
        return chosen.split("-")[0].lower()
    return request.accept_languages.best_match(UI_LANGUAGES) or "en"


def preferred_language(available: Iterable[str] = ()) -> str:
    """The language to show labels in: the reader's choice, else the best of the interface
    languages and ``available`` for Accept-Language, else English."""
    chosen = _chosen()
    if chosen:
        return chosen
    offered = sorted(set(UI_LANGUAGES) | {a for a in available if a})
    return request.accept_languages.best_match(offered) or "en"


def pick_label(labels: dict[str, str], lang: str) -> str | None:
    """The label in ``lang`` (or its base language), else the fallbacks, else any."""
    return pick_label_language(labels, lang)[0]


def pick_label_language(labels: dict[str, str], lang: str) -> tuple[str | None, str]:
    """``pick_label`` and the language tag of the label it picked ('' for none or no label), so
    a page can mark a label that fell back to another language (``lang="en"`` for screen readers)."""
    for key in (lang, lang.split("-")[0], *FALLBACK):
        if key in labels:
            return labels[key], key
    return next(iter(labels.items()), (None, ""))


def foreign(label_lang: str, page_lang: str) -> str:
    """The ``lang`` attribute an element showing a label in ``label_lang`` needs on a page in
    ``page_lang``: '' when the page's language already covers it (or the label has no tag)."""
    if not label_lang or label_lang.split("-")[0].lower() == page_lang.split("-")[0].lower():
        return ""
    return label_lang


def switched(code: str) -> str:
    """The link of the language switch to ``code``: this page with its own parameters (a
    search's ``q``, a permalink's ``query``), ``lang`` replaced. A bare ``?lang=`` dropped them:
    a search page became a 400, a query page lost its query."""
    kept = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    return "?" + urlencode([*kept, ("lang", code)])
