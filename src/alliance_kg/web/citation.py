"""How to cite the dataset or one of its resources: one citation line (title, publisher, data
version, date, IRI, licence) for every resource page and download, and BibTeX and CSL-JSON for
the dataset on the home page. Built from the served generation, so the version is the data's.

The date is the day the reader retrieved it: the dataset has no release date of its own, and a
citation of living data needs the access date with the version (DataCite's recommendation).

A page's citation line names the dataset by its title in the page's language where the dataset's
description has one (``stores.void.TITLE``: German and English), else in English; the publisher
is a name with no translations. BibTeX and CSL-JSON keep the English title: they are read by
reference managers, not by the page's reader.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..namespaces import BASE
from ..stores.void import LICENSE, TITLE as TITLES
from .i18n import t
from .language import pick_label

#: The title the machine-readable citations (BibTeX, CSL-JSON) and downloads give.
TITLE = TITLES["en"]
PUBLISHER = "alliance-kg project"
LICENCE_NAME = "CC BY 4.0"


def _version(version: str) -> str:
    return version[:12]


def line(version: str, iri: str = BASE, label: str | None = None, today: date | None = None,
         retrieved: bool = True, lang: str = "en") -> str:
    """``Label. In: Title (version …). Publisher. IRI (retrieved …). Licence: CC BY 4.0.``

    ``lang`` is the language of the connecting words ("In:", "data version", "retrieved",
    "Licence") and of the dataset's title where it has one in that language (else English): a
    page's citation speaks the page's language; the publisher is a name and stays as it is.
    ``retrieved=False`` leaves the date out, for bytes that are cached and checksummed (a dump):
    a date baked into them would go stale while the server runs and change the checksum."""
    day = (today or date.today()).isoformat()
    part = f"{label}. {t('cite_in', lang)} " if label else ""
    access = f" ({t('cite_retrieved', lang)} {day})" if retrieved else ""
    title = pick_label(TITLES, lang) or TITLE
    return (f"{part}{title} ({t('cite_version', lang)} {_version(version)}). {PUBLISHER}. {iri}"
            f"{access}. {t('cite_licence', lang)}: {LICENCE_NAME} ({LICENSE}).")


def bibtex(version: str, today: date | None = None) -> str:
    day = today or date.today()
    return (f"@misc{{alliance_kg_{_version(version)},\n"
            f"  title     = {{{TITLE}}},\n"
            f"  author    = {{{{{PUBLISHER}}}}},\n"
            f"  publisher = {{{PUBLISHER}}},\n"
            f"  year      = {{{day.year}}},\n"
            f"  version   = {{{_version(version)}}},\n"
            f"  url       = {{{BASE}}},\n"
            f"  urldate   = {{{day.isoformat()}}},\n"
            f"  note      = {{Licence: {LICENCE_NAME}}}\n"
            "}")


def csl_json(version: str, today: date | None = None) -> str:
    day = today or date.today()
    item: dict[str, Any] = {
        "id": f"alliance-kg-{_version(version)}", "type": "dataset", "title": TITLE,
        "author": [{"literal": PUBLISHER}], "publisher": PUBLISHER, "version": _version(version), "URL": BASE,
        "accessed": {"date-parts": [[day.year, day.month, day.day]]}, "license": str(LICENSE),
    }
    return json.dumps([item], ensure_ascii=False, indent=2)
