"""Where a label goes in a list, as a reader of the page's language looks it up: one rule for
every list a page shows (the home page's members, a resource page's statements).

- Chinese labels sort by their pinyin, character by character, each by its syllable and then
  its tone, as a Chinese dictionary orders them and as ICU's Chinese collation (the browser's
  ``Intl.Collator("zh")``) does: 科隆 (kē) before 克尔斯特尔巴赫 (kè), 吕 (lǚ) before 罗 (luó),
  台州 (tāi) before 泰州 (tài). Code points would put 云浮 before 佛山, and a romanised label is
  no help for a German city (Köln's Chinese label 科隆 is Kelong, not Cologne).
- Other labels sort by their letters, case and accents aside, as German dictionaries (DIN 5007-1)
  file umlauts: Köln under K, Nürnberg under N, ß as ss.

Ties fall to the label itself, so an order never depends on the order the store answered in.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, pinyin

#: A Chinese character's reading as pypinyin gives it in TONE3: the syllable, its tone's digit
#: (5 for the neutral tone); ü is written v.
_SYLLABLE = re.compile(r"^([a-zv]+)([1-5])$")


@lru_cache(maxsize=4096)
def sort_key(label: str) -> tuple[tuple[tuple[str, int], ...], str]:
    """The key of ``label`` in a list: a unit for each Chinese character, its syllable's letters
    (ü as u) then its tone, read in the context of the whole label (pypinyin's phrases settle a
    character with two readings); a unit for each run of other text, its folded letters. The key
    does not depend on the page's language: a page shows labels in its own language, and a
    label's script says how to read it."""
    units = []
    for (reading,) in pinyin(label, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda text: [text]):
        syllable = _SYLLABLE.match(reading)
        units.append((folded(syllable[1].replace("v", "u")), int(syllable[2])) if syllable else (folded(reading), 0))
    return tuple(units), label


def folded(text: str) -> str:
    """``text`` compared as a reader would: no case, accents or apostrophes (ü as u, Ma'anshan as
    Maanshan, ß as ss)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c not in "'’ʼ")
