"""Normalised matching keys of company names.

The same key comes out for 重庆雷霆机车有限公司, 重慶雷霆機車股份有限公司 and "Chongqing Leiting Jiche Co., Ltd.".

A name is folded (NFKC, case), traditional Chinese is read as simplified (OpenCC), legal forms are cut in the
script they are written in (Chinese 有限公司…, Arabic شركة / مؤسسة…, Thai บริษัท … จำกัด (มหาชน)), Han characters
become pinyin (pypinyin knows the readings of place names such as 重庆 = Chongqing), every other script becomes
ASCII (anyascii), punctuation becomes space, legal-form phrases and words in English, German, Hungarian,
Arabic transliteration, Thai and pinyin (Co., Ltd., GmbH, Kft., Establishment/Est., Public Company Limited,
Youxian Gongsi, …) are dropped, and English plurals are folded to the singular ("Vehicles" = "Vehicle").
Two keys come out: `compact` (the words run together, so "ChongqingLeitingJiche" equals "Chongqing Leiting
Jiche") and `sorted` (the words in alphabetical order, run together, so the word order does not matter).

The `core` of a name is what is left without the words that say where and in which trade a company works
(cities, "Trading", "Motors", 机车, "Al"…): two names whose cores disagree are different companies however
alike the rest is ("Al Noor Vehicles Trading" is not "Al Nasr Vehicles Trading"); `cores_agree` decides.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from opencc import OpenCC
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz


def listed(text: str) -> list[str]:
    """The words of a space-separated list (long vocabularies read better as text)."""
    return text.split()


# Longest first: 股份有限公司 must go before 有限公司 leaves a stray 股份 (after traditional → simplified).
CHINESE_LEGAL_FORMS = sorted(
    [
        "集团股份有限公司",
        "集团有限公司",
        "控股有限公司",
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "集团公司",
        "控股公司",
        "公司",
        "集团",
        "有限会社",
        "株式会社",
    ],
    key=len,
    reverse=True,
)
# Arabic legal forms, as whole words anywhere in the name (company, establishment, LLC, PJSC, …).
ARABIC_LEGAL_FORMS = frozenset(["شركة", "شركه", "مؤسسة", "مؤسسه", "ذ.م.م", "ذمم", "ش.م.م", "ش.م.ع", "ش.م.ب", "ش.ذ.م.م"])
# Thai legal forms (company … limited, public, partnerships), cut wherever they stand; longest first.
THAI_LEGAL_FORMS = sorted(
    ["บริษัท", "บจก.", "บมจ.", "จำกัด", "(มหาชน)", "มหาชน", "ห้างหุ้นส่วนจำกัด", "ห้างหุ้นส่วนสามัญ", "หจก."],
    key=len,
    reverse=True,
)
# Words that say what kind of company it is, not which company (lower-case ASCII, after transliteration).
LEGAL_FORM_WORDS = frozenset(
    listed(
        # English
        "co company companies corp corporation inc incorporated ltd limited llc lc llp lp plc pcl pte pvt "
        # German
        "gmbh mbh ag kg ohg ug kgaa se ek aktiengesellschaft kommanditgesellschaft haftungsbeschrankt "
        # other European
        "sa sas sarl sl srl spa bv nv oy ab as asa aps sro doo ooo oao zao pao jsc pjsc ojsc cjsc "
        # Hungarian
        "kft zrt nyrt bt kkt kht rt "
        # Asia, Gulf and Arabic transliteration
        "sdn bhd tbk pt cv kk est estab establishment fze fzc fzco fzllc wll spc "
        "sharika sharikah sharikat sherka muassasa muassasah muassasat moassasa moasasa "
        # pinyin
        "youxian gongsi youxiangongsi gufen youxianzeren jituan"
    )
)
# Legal forms of several words (Hungarian, German, English, pinyin), dropped as a whole; longest first.
LEGAL_FORM_PHRASES = sorted(
    (
        tuple(phrase.split())
        for phrase in [
            "korlatolt felelossegu tarsasag",
            "zartkoruen mukodo reszvenytarsasag",
            "nyilvanosan mukodo reszvenytarsasag",
            "beteti tarsasag",
            "kozkereseti tarsasag",
            "gesellschaft mit beschrankter haftung",
            "gesellschaft mbh",
            "public company limited",
            "public limited company",
            "limited liability company",
            "limited liability partnership",
            "youxian zeren gongsi",
            "gufen youxian gongsi",
        ]
    ),
    key=len,
    reverse=True,
)
# Where and in which trade a company works: not the part of a name that tells companies apart.
GENERIC_WORDS = frozenset(
    listed(
        # articles and kinship words of Arabic names
        "al el ul bin ibn bint abu "
        # English trade words (singular: plurals are folded first)
        "general trading trade import export importer exporter international global group holding enterprise "
        "industrial industry technology tech energy electric power battery part spare supply service motor "
        "vehicle auto automobile automotive car logistic shipping freight transport mobility machinery "
        "equipment manufacturing commercial development investment new and the of for "
        # German and Hungarian trade words
        "fahrzeug fahrzeuge handel autohaus kereskedelmi jarmu "
        # pinyin trade words
        "jiche qiche maoyi jinchukou guoji keji shiye dongli dianchi xinnengyuan lingbujian diandongche "
        "konggu touzi fazhan wuliu zhizao gongye"
    )
)
# Chinese cities and provinces; with the trade words, cut from a Han name's core (重庆雷霆机车 → 雷霆).
CHINESE_PLACES = listed(
    "北京 上海 天津 重庆 深圳 广州 杭州 宁波 武汉 长沙 合肥 西安 成都 南京 苏州 无锡 常州 青岛 厦门 福州 郑州 "
    "济南 沈阳 大连 长春 昆明 南宁 南昌 石家庄 太原 柳州 芜湖 香港 澳门 台州 温州 佛山 东莞 广东 浙江 江苏 "
    "山东 安徽 湖南 湖北 河南 河北 四川 福建 中国"
)
CHINESE_TRADES = listed(
    "新能源汽车 新能源 电动汽车 电动车 汽车零部件 零部件 汽车 机车 摩托车 电池 动力 贸易 进出口 国际 科技 实业 "
    "工业 物流 制造 控股 投资 发展 汽车销售 销售 商贸 工贸"
)
_HAN_GENERIC = sorted({*CHINESE_PLACES, *CHINESE_TRADES}, key=len, reverse=True)
# Arabic trade words, as anyascii writes them ("لتجارة السيارات" → "ltjrh lsyrt").
_ARABIC_GENERIC = {
    word
    for term in [
        "تجارة",
        "لتجارة",
        "للتجارة",
        "السيارات",
        "للسيارات",
        "سيارات",
        "الكهربائية",
        "لقطع",
        "قطع",
        "غيار",
        "العامة",
        "والمقاولات",
        "للاستيراد",
        "والتصدير",
        "المحدودة",
    ]
    for word in re.split(r"[^a-z0-9]+", anyascii(term).lower())
    if word
}
_GENERIC = GENERIC_WORDS | _ARABIC_GENERIC | {"".join(lazy_pinyin(term)) for term in _HAN_GENERIC}
_PINYIN_PLACES = {place: "".join(lazy_pinyin(place)) for place in CHINESE_PLACES}
_PLACES = frozenset(_PINYIN_PLACES.values())
# Long generic strings cut from the ends of an unspaced word ("chongqingleitingjiche" → "leiting").
_GENERIC_AFFIXES = sorted((word for word in _GENERIC if len(word) >= 4), key=len, reverse=True)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiouy]")
_t2s = OpenCC("t2s")
# The names are NFKC-folded first (Thai ำ becomes two code points), so the forms are folded the same way.
THAI_LEGAL_FORMS = [unicodedata.normalize("NFKC", form).casefold() for form in THAI_LEGAL_FORMS]
ARABIC_LEGAL_FORMS = frozenset(unicodedata.normalize("NFKC", form) for form in ARABIC_LEGAL_FORMS)

# Cores this alike are the same name spelt another way (Rashid / Rashed, a typo).
CORE_SIMILARITY = 85.0


@dataclass(frozen=True)
class NameKey:
    """The matching keys of one name."""

    words: tuple[str, ...]
    # Han text has no word breaks (one pinyin syllable per character): its words keep their order.
    ordered: bool = False
    core_words: tuple[str, ...] = ()
    places: frozenset[str] = frozenset()  # Chinese cities and provinces the name starts with or names
    core_sorted_words: tuple[str, ...] = ()

    @property
    def spaced(self) -> str:
        return " ".join(self.words)

    @property
    def compact(self) -> str:
        return "".join(self.words)

    @property
    def sorted(self) -> str:
        return self.compact if self.ordered else "".join(sorted(self.words))

    @property
    def core(self) -> str:
        return "".join(self.core_words)

    @property
    def core_sorted(self) -> str:
        return "".join(_strip_affixes(word) for word in self.core_sorted_words) or self.core


def _transliterate(text: str) -> str:
    if _HAN.search(text):
        # Each Han character becomes its own syllable; other runs pass through unchanged.
        text = " ".join(lazy_pinyin(text, errors="default"))
    return anyascii(text)


def singular(word: str) -> str:
    """English plural to singular, the same way on both sides of a comparison ("vehicles" → "vehicle")."""
    if len(word) < 4 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s"):
        return word[:-1]
    return word


def _drop_phrases(words: list[str]) -> list[str]:
    kept, at = [], 0
    while at < len(words):
        for phrase in LEGAL_FORM_PHRASES:
            if tuple(words[at : at + len(phrase)]) == phrase:
                at += len(phrase)
                break
        else:
            kept.append(words[at])
            at += 1
    return kept


def _cut_script_forms(text: str) -> str:
    if _HAN.search(text):
        text = _t2s.convert(text)
        for form in CHINESE_LEGAL_FORMS:
            stripped = text.rstrip(" )）")
            if stripped.endswith(form) and len(stripped) > len(form):
                text = stripped[: -len(form)]
                break
    if _ARABIC.search(text):
        text = " ".join(word for word in text.split() if word not in ARABIC_LEGAL_FORMS)
    if _THAI.search(text):
        for form in THAI_LEGAL_FORMS:
            if len(text.replace(form, "").strip()) > 0:
                text = text.replace(form, " ")
    return text


def _words(text: str) -> list[str]:
    """The words, with runs of single letters joined: "W.L.L." is "wll", "e.K." is "ek"."""
    words: list[str] = []
    letter_run = False
    for word in _NOT_ALNUM.split(_transliterate(text).lower()):
        if not word:
            continue
        single = len(word) == 1 and word.isalpha()
        if single and letter_run:
            words[-1] += word
        else:
            words.append(word)
        letter_run = single
    return words


def _strip_affixes(word: str) -> str:
    """Cut generic strings from both ends of an unspaced word, keeping at least three letters."""
    if word.startswith(("al", "el")) and len(word) >= 5:
        word = word[2:]  # the Arabic article written together: "AlMansoor" is "Mansoor"
    changed = True
    while changed:
        changed = False
        for affix in _GENERIC_AFFIXES:
            if word.startswith(affix) and len(word) - len(affix) >= 3:
                word, changed = word[len(affix) :], True
            if word.endswith(affix) and len(word) - len(affix) >= 3:
                word, changed = word[: -len(affix)], True
    return word


def _han_core(text: str) -> str:
    """A Han name without its leading places and trailing trades (重庆雷霆机车 → 雷霆), at least two characters."""
    han = "".join(_HAN.findall(text))
    changed = True
    while changed:
        changed = False
        for term in _HAN_GENERIC:
            if han.startswith(term) and len(han) - len(term) >= 2:
                han, changed = han[len(term) :], True
            if han.endswith(term) and len(han) - len(term) >= 2:
                han, changed = han[: -len(term)], True
    return han


def name_key(name: str) -> NameKey:
    """The matching keys of a company or person name (legal-form words dropped unless nothing else is left)."""
    text = _cut_script_forms(unicodedata.normalize("NFKC", name or "").casefold())
    words = _drop_phrases(_words(text))
    kept = [singular(word) for word in words if word not in LEGAL_FORM_WORDS] or [singular(word) for word in words]
    ordered = bool(_HAN.search(text))
    places = frozenset(word for word in kept if word in _PLACES)
    if ordered and not re.search(r"[a-z]", _HAN.sub("", text)):
        han = _han_core(text)
        places |= {_PINYIN_PLACES[place] for place in CHINESE_PLACES if text.startswith(place)}
        core = tuple(_words(han))
        return NameKey(tuple(kept), ordered=True, core_words=core, places=places)
    # Pinyin written a syllable at a time ("Tian Jin Hong Da Qi Che") runs together before the ends are cut.
    specific = [word for word in kept if word not in _GENERIC]
    places |= {place for place in _PLACES if "".join(kept).startswith(place)}
    core = (_strip_affixes("".join(specific)),) if specific else ()
    return NameKey(
        tuple(kept), ordered=ordered, core_words=core, places=places, core_sorted_words=tuple(sorted(specific))
    )


def _skeleton(text: str) -> str:
    """Consonants only, doubled letters once: transliterations of one Arabic name agree (Noor, Nour, Nur → nr)."""
    return re.sub(r"(.)\1+", r"\1", _VOWELS.sub("", text.replace("kh", "k").replace("ch", "sh")))


def phonetic(compact: str) -> str:
    """A key for transliterations: no leading article, consonants only ("AlNoorMotor", "El Nour Motors" → nrmtr)."""
    if compact.startswith(("al", "el")) and len(compact) >= 6:
        compact = compact[2:]
    return _skeleton(compact)


def cores_agree(query: NameKey, entry: NameKey) -> bool:
    """Whether the parts of two names that tell companies apart agree (one empty: nothing to disagree on)."""
    if query.places and entry.places and not query.places & entry.places:
        return False  # Chinese companies are registered per city: 西安星辰汽车 is not 宁波星辰汽车
    a, b = query.core, entry.core
    if not a or not b or a == b:
        return True
    if max(fuzz.ratio(a, b), fuzz.ratio(query.core_sorted, entry.core_sorted)) >= CORE_SIMILARITY:
        return True
    if (len(b) >= 4 and b in query.compact) or (len(a) >= 4 and a in entry.compact):
        return True
    return bool(_skeleton(a)) and _skeleton(a) == _skeleton(b)


@lru_cache(maxsize=65536)
def name_key_cached(name: str) -> NameKey:
    """`name_key`, remembered (the screening index asks again for the names of its candidates)."""
    return name_key(name)


def name_keys(names: list[str]) -> list[list[str]]:
    """[compact, sorted, han] per name, as stored on a screening entry (index 0 is the name, then the aliases).

    `han` is the pinyin syllables, space-separated, of a name written in Han characters (for alias containment),
    else empty.
    """
    keys = []
    for name in names:
        key = name_key(name)
        keys.append([key.compact, key.sorted, key.spaced if key.ordered else ""])
    return keys
