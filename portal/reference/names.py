"""Normalised matching keys of company names.

The same key comes out for 重庆雷霆机车有限公司 and "Chongqing Leiting Jiche Co., Ltd.".

A name is folded (NFKC, case), Chinese legal forms are cut, Han characters become pinyin (pypinyin knows
the readings of place names such as 重庆 = Chongqing), every other script becomes ASCII (anyascii),
punctuation becomes space, and legal-form words (Co., Ltd., LLC, GmbH, …) are dropped. Two keys come out:
`compact` (the words run together, so "ChongqingLeitingJiche" equals "Chongqing Leiting Jiche") and `sorted`
(the words in alphabetical order, run together, so the word order does not matter).
"""

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii
from pypinyin import lazy_pinyin

# Longest first: 股份有限公司 must go before 有限公司 leaves a stray 股份.
CHINESE_LEGAL_FORMS = sorted(
    ["股份有限公司", "有限责任公司", "有限公司", "集团公司", "控股公司", "公司", "有限會社", "株式会社", "株式會社"],
    key=len,
    reverse=True,
)
# Words that say what kind of company it is, not which company (lower-case ASCII, after transliteration).
LEGAL_FORM_WORDS = frozenset(
    [
        "co",
        "company",
        "companies",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "lc",
        "llp",
        "lp",
        "plc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "sa",
        "sas",
        "sarl",
        "sl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "asa",
        "aps",
        "kft",
        "zrt",
        "nyrt",
        "bt",
        "kht",
        "sro",
        "as",
        "doo",
        "ooo",
        "oao",
        "zao",
        "pao",
        "jsc",
        "pjsc",
        "ojsc",
        "cjsc",
        "pte",
        "pvt",
        "sdn",
        "bhd",
        "tbk",
        "pt",
        "cv",
        "est",
        "fze",
        "fzc",
        "fzco",
        "fzllc",
        "wll",
        "jv",
        "kk",
        "youxian",
        "gongsi",
        "youxiangongsi",
        "gufen",
        "youxianzeren",
    ]
)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class NameKey:
    """The matching keys of one name."""

    words: tuple[str, ...]
    # Han text has no word breaks (one pinyin syllable per character): its words keep their order.
    ordered: bool = False

    @property
    def spaced(self) -> str:
        return " ".join(self.words)

    @property
    def compact(self) -> str:
        return "".join(self.words)

    @property
    def sorted(self) -> str:
        return self.compact if self.ordered else "".join(sorted(self.words))


def _transliterate(text: str) -> str:
    if _HAN.search(text):
        # Each Han character becomes its own syllable; other runs pass through unchanged.
        text = " ".join(lazy_pinyin(text, errors="default"))
    return anyascii(text)


def name_key(name: str) -> NameKey:
    """The matching keys of a company or person name (legal-form words dropped unless nothing else is left)."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    for form in CHINESE_LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form):
            text = text[: -len(form)]
            break
    words = [word for word in _NOT_ALNUM.split(_transliterate(text).lower()) if word]
    kept = [word for word in words if word not in LEGAL_FORM_WORDS]
    return NameKey(tuple(kept or words), ordered=bool(_HAN.search(text)))


def name_keys(names: list[str]) -> list[list[str]]:
    """[compact, sorted] per name, as stored on a screening entry (index 0 is the name, then the aliases)."""
    keys = []
    for name in names:
        key = name_key(name)
        keys.append([key.compact, key.sorted])
    return keys
