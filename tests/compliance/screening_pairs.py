"""A labelled evaluation set for restricted-party screening, generated deterministically (seeded).

`labelled_set()` returns fictional list entries and (query, entry, must-match) pairs in the forms names take in
practice: Latin names with their legal forms in English, German and Hungarian (swapped, spelt out, dropped),
upper case, no spaces, word order, plural or singular, one typo; Chinese names in simplified and traditional
characters, with other legal forms, in pinyin, and short forms (four characters) inside a longer name; Arabic
names in several transliterations (Noor / Nour / Nur, Al- / El), with "Establishment" / "Est." and plurals, and
in Arabic script with another legal form; Thai names in Thai script and in English with their legal forms.
Near misses must not match: another distinctive word, name or trade name with the same city, trade words and
legal form; another city; the trade words alone.

Used by tests/compliance/test_screening_evaluation.py (precision and recall at the review score) and by
`bench screening`.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

from opencc import OpenCC
from pypinyin import lazy_pinyin

from portal.reference.names import listed

SEED = 20261207

_s2t = OpenCC("s2t")


@dataclass(frozen=True)
class ListEntry:
    """A fictional screening-list entry."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""


@dataclass(frozen=True)
class Pair:
    """A query, the entry it is compared with, whether it must match, and what kind of variation it is."""

    query: str
    entry: str  # ListEntry.key
    match: bool
    kind: str


LATIN_WORDS = listed(
    "Kestrel Marlow Brantwood Veridian Calloway Northgate Ashford Halvorsen Quillon Tarrant Everly Dunmore "
    "Redcliffe Winslow Castellan Larkspur Pemberton Ravenhill Sterling Thornbury Corvina Albrecht Kessler "
    "Lindqvist Moravia Ostrander Pellworm Rosslyn Sandover Tiverton Ulverston Valdane Wexford Yarrow Zephyrine "
    "Blackwater Coldstream Fairhaven Glenmore Hollister"
)
LATIN_SECOND = listed("Bay Ridge Field Point Gate Vale Brook Stone Crest Haven")
LATIN_TRADES = [
    ("Motors", "Motor"),
    ("Vehicles", "Vehicle"),
    ("Logistics", "Logistic"),
    ("Auto Parts", "Auto Part"),
    ("Batteries", "Battery"),
    ("Trading", "Trading"),
    ("Mobility Systems", "Mobility System"),
    ("Electric Cars", "Electric Car"),
]
LEGAL_FORMS = {
    "en": ["Co., Ltd.", "Company Limited", "Ltd", "LLC", "Inc.", "Corporation", "Limited Liability Company"],
    "de": ["GmbH", "Gesellschaft mit beschränkter Haftung", "AG", "GmbH & Co. KG", "Aktiengesellschaft", "e.K."],
    "hu": ["Kft.", "Korlátolt Felelősségű Társaság", "Zrt.", "Zártkörűen Működő Részvénytársaság", "Nyrt.", "Bt."],
}
COUNTRY = {"en": "GB", "de": "DE", "hu": "HU"}

CHINESE_CITIES = listed("重庆 深圳 上海 广州 杭州 宁波 天津 武汉 长沙 合肥 西安 成都 南京 苏州 青岛 厦门")
CHINESE_NAMES = listed(
    "雷霆 飞龙 东华 金鹰 星辰 华腾 蓝海 远航 宏达 天马 锦程 博远 鸿运 凯旋 恒通 信达 银河 凌云 瑞丰 嘉禾"
)
CHINESE_TRADES = ["机车", "汽车", "电池", "贸易", "动力", "新能源汽车", "汽车零部件", "电动车"]
CHINESE_FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
CHINESE_EXTRAS = ["进出口", "国际贸易", "销售服务", "科技发展"]

ARABIC_NAMES = [
    ["Noor", "Nour", "Nur"],
    ["Rashid", "Rashed", "Rachid"],
    ["Mansour", "Mansur", "Mansoor"],
    ["Hussein", "Husain", "Hossain"],
    ["Khalid", "Khaled"],
    ["Youssef", "Yousef", "Yusuf"],
    ["Faisal", "Faysal", "Feisal"],
    ["Hamad", "Hamed"],
    ["Salem", "Salim"],
    ["Zahrani", "Zahraani"],
    ["Qassimi", "Kassimi", "Qasimi"],
    ["Marzouqi", "Marzooqi", "Marzuqi"],
]
ARABIC_TRADES = [("Vehicles Trading", "Vehicle Trading"), ("Motors", "Motor"), ("Auto Spare Parts", "Auto Spare Part")]
ARABIC_ARTICLES = ["Al ", "Al-", "El ", "Al"]
ARABIC_FORMS = ["Establishment", "Est.", "Co. W.L.L.", "LLC", "FZE", "W.L.L."]
ARABIC_SCRIPT = [
    ("النور", "النسر"),
    ("الراشد", "الماجد"),
    ("المنصور", "المحمود"),
    ("الحسين", "الحمدان"),
    ("الخالدي", "الخليلي"),
    ("الفيصل", "الفاضل"),
]
ARABIC_SCRIPT_TRADES = ["لتجارة السيارات", "للسيارات الكهربائية", "لقطع غيار السيارات"]
ARABIC_SCRIPT_FORMS = [("شركة", ""), ("مؤسسة", ""), ("شركة", "ذ.م.م"), ("", "ذ.م.م")]

THAI_NAMES = [
    ("สยามยานยนต์ไฟฟ้า", "Siam EV Motors"),
    ("กรุงเทพออโตพาร์ท", "Krungthep Auto Parts"),
    ("ลานนาแบตเตอรี่", "Lanna Battery"),
    ("อันดามันโลจิสติกส์", "Andaman Logistics"),
    ("เจ้าพระยามอเตอร์", "Chao Phraya Motors"),
    ("อีสานพาวเวอร์", "Isan Power"),
    ("ชลบุรียานยนต์", "Chonburi Yanyon"),
    ("ภูเก็ตมารีน", "Phuket Marine"),
]
THAI_FORMS = [("บริษัท ", " จำกัด"), ("บริษัท ", " จำกัด (มหาชน)"), ("", " จำกัด"), ("บริษัท", "จำกัด")]
THAI_LATIN_FORMS = ["Co., Ltd.", "Company Limited", "Public Company Limited", "PCL"]


def _pinyin(*words: str) -> str:
    """Pinyin as names are romanised: one word per Chinese word ("Chongqing Leiting Jiche")."""
    return " ".join("".join(lazy_pinyin(word)).capitalize() for word in words)


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard inside a word: a letter doubled, dropped or two letters swapped."""
    at = rng.randrange(1, len(word) - 2)
    slip = rng.choice(["double", "drop", "swap"])
    if slip == "double":
        return word[:at] + word[at] + word[at:]
    if slip == "drop":
        return word[:at] + word[at + 1 :]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def _latin(rng: random.Random, entries: list[ListEntry], pairs: list[Pair]) -> None:
    words = LATIN_WORDS[:]
    rng.shuffle(words)
    for number, word in enumerate(words):
        language = ("en", "de", "hu")[number % 3]
        second = rng.choice(LATIN_SECOND) if number % 2 else ""
        plural, single = rng.choice(LATIN_TRADES)
        form, other_form = rng.sample(LEGAL_FORMS[language], 2)
        distinct = f"{word} {second}".strip()
        key = f"latin-{number}"
        entries.append(ListEntry(key, f"{distinct} {plural} {form}", country=COUNTRY[language]))

        def add(query: str, kind: str, match: bool = True, entry: str = key) -> None:
            pairs.append(Pair(query, entry, match, kind))

        add(f"{distinct} {plural} {other_form}", f"legal form {language}")
        add(f"{distinct} {plural}", "legal form dropped")
        add(f"{distinct} {single} {form}", "singular")
        add(f"{distinct} {plural} {form}".upper(), "upper case")
        add(f"{distinct}{plural}".replace(" ", ""), "no spaces")
        add(f"{plural}, {distinct}", "word order")
        add(f"{_typo(word, rng)} {second} {plural} {other_form}".replace("  ", " "), "typo")
        add(f"{distinct.replace(' ', '-')} {single}, {form.replace('.', '')}", "punctuation")
        other_word = words[(number + 1) % len(words)]
        add(f"{other_word} {second} {plural} {form}".replace("  ", " "), "near miss: other name", False)
        other_trade = next(trade for trade, _single in LATIN_TRADES if trade != plural)
        add(f"{distinct} {other_trade} {form}", "near miss: other trade", False)
        add(f"{second or 'General'} {plural} {form}", "near miss: trade words only", False)


def _chinese(rng: random.Random, entries: list[ListEntry], pairs: list[Pair]) -> None:
    names = CHINESE_NAMES[:]
    rng.shuffle(names)
    for number, trade_name in enumerate(names):
        city = CHINESE_CITIES[number % len(CHINESE_CITIES)]
        trade = CHINESE_TRADES[number % len(CHINESE_TRADES)]
        form, other_form = rng.sample(CHINESE_FORMS, 2)
        base = f"{city}{trade_name}{trade}"
        short = f"{trade_name}{trade}" if len(trade) == 2 else ""  # a four-character short form
        traditional = number % 4 == 3  # some entries are listed in traditional characters
        name = _s2t.convert(base + form) if traditional else base + form
        romanised = _pinyin(city, trade_name, trade)
        aliases = (f"{romanised} Co., Ltd.", short) if short else (f"{romanised} Co., Ltd.",)
        key = f"chinese-{number}"
        entries.append(ListEntry(key, name, aliases, country="CN"))

        def add(query: str, kind: str, match: bool = True, entry: str = key) -> None:
            pairs.append(Pair(query, entry, match, kind))

        add(base + other_form, "chinese legal form")
        add(_s2t.convert(base + other_form), "traditional characters")
        add(base + form if traditional else _s2t.convert(base + form), "simplified / traditional")
        add(f"{romanised} {rng.choice(['Co Ltd', 'Company Limited', 'Youxian Gongsi'])}", "pinyin")
        add(romanised.replace(" ", ""), "pinyin, no spaces")
        add(" ".join(syllable for syllable in lazy_pinyin(base)).upper(), "pinyin by syllable")
        if short:
            extra = rng.choice(CHINESE_EXTRAS)
            add(f"{city}{short}{extra}{rng.choice(CHINESE_FORMS)}", "short form inside a longer name")
            add(_s2t.convert(f"{short}{extra}有限公司"), "short form inside, traditional")
        other_name = names[(number + 1) % len(names)]
        add(f"{city}{other_name}{trade}{form}", "near miss: other trade name", False)
        other_trade = CHINESE_TRADES[(number + 3) % len(CHINESE_TRADES)]
        if not short:  # with a listed short form, any name holding it is a hit by design
            other_city = CHINESE_CITIES[(number + 5) % len(CHINESE_CITIES)]
            add(f"{other_city}{trade_name}{trade}{form}", "near miss: other city", False)
        add(f"{city}{trade_name[0]}{other_name[1]}{other_trade}{form}", "near miss: one character and trade", False)
        add(f"{_pinyin(city, other_name, trade)} Co Ltd", "near miss: other name, pinyin", False)


def _arabic(rng: random.Random, entries: list[ListEntry], pairs: list[Pair]) -> None:
    for number, spellings in enumerate(ARABIC_NAMES):
        for round_ in range(2):
            plural, single = ARABIC_TRADES[(number + round_) % len(ARABIC_TRADES)]
            spelling = spellings[0]
            form = ARABIC_FORMS[(number + round_) % len(ARABIC_FORMS)]
            key = f"arabic-{number}-{round_}"
            entries.append(ListEntry(key, f"Al {spelling} {plural} {form}", country="AE"))

            def add(query: str, kind: str, match: bool = True, entry: str = key) -> None:
                pairs.append(Pair(query, entry, match, kind))

            for variant in spellings[1:] or spellings:
                article = rng.choice(ARABIC_ARTICLES)
                add(f"{article}{variant} {single} {rng.choice(['Est.', 'Establishment'])}", "transliteration")
                add(f"{article}{variant} {plural}", "transliteration, no legal form")
            add(f"Al-{spelling} {single} Est.", "establishment and plural")
            add(f"El {spelling} {plural} {rng.choice(ARABIC_FORMS)}", "article")
            add(f"{spelling} {plural} {form}".upper(), "no article")
            other = ARABIC_NAMES[(number + 1 + round_) % len(ARABIC_NAMES)][0]
            add(f"Al {other} {plural} {form}", "near miss: other name", False)
            add(f"Al {rng.choice(ARABIC_NAMES[(number + 5) % len(ARABIC_NAMES)])} {single} Est.", "near miss", False)
    for number, (name, near) in enumerate(ARABIC_SCRIPT):
        for round_, trade in enumerate(ARABIC_SCRIPT_TRADES):
            prefix, suffix = ARABIC_SCRIPT_FORMS[(number + round_) % len(ARABIC_SCRIPT_FORMS)]
            key = f"arabic-script-{number}-{round_}"
            listed = f"{prefix} {name} {trade} {suffix}".strip()
            entries.append(ListEntry(key, f"Al {ARABIC_NAMES[number][0]} {round_} Trading", (listed,), "AE"))

            def add(query: str, kind: str, match: bool = True, entry: str = key) -> None:
                pairs.append(Pair(query, entry, match, kind))

            for other_prefix, other_suffix in ARABIC_SCRIPT_FORMS:
                add(f"{other_prefix} {name} {trade} {other_suffix}".strip(), "arabic script, legal form")
                add(f"{other_prefix} {near} {trade} {other_suffix}".strip(), "near miss: arabic script", False)


def _thai(rng: random.Random, entries: list[ListEntry], pairs: list[Pair]) -> None:
    for number, (thai, latin) in enumerate(THAI_NAMES):
        prefix, suffix = THAI_FORMS[number % len(THAI_FORMS)]
        key = f"thai-{number}"
        entries.append(ListEntry(key, f"{latin} Co., Ltd.", (f"{prefix}{thai}{suffix}",), "TH"))

        def add(query: str, kind: str, match: bool = True, entry: str = key) -> None:
            pairs.append(Pair(query, entry, match, kind))

        for other_prefix, other_suffix in THAI_FORMS:
            add(f"{other_prefix}{thai}{other_suffix}", "thai legal form")
        for form in THAI_LATIN_FORMS:
            add(f"{latin} {form}", "thai company in english")
        add(latin.upper().replace(" ", ""), "thai company, no spaces")
        other_thai, other_latin = THAI_NAMES[(number + 1) % len(THAI_NAMES)]
        add(f"บริษัท {other_thai} จำกัด", "near miss: other thai name", False)
        add(f"{other_latin} Public Company Limited", "near miss: other english name", False)
        rest = latin.split()[1:]
        other_first = THAI_NAMES[(number + 2) % len(THAI_NAMES)][1].split()[0]
        add(" ".join([other_first, *rest, "Co., Ltd."]), "near miss: other first word", False)


def labelled_set(seed: int = SEED) -> tuple[list[ListEntry], list[Pair]]:
    """The entries and the labelled pairs (the same for the same seed)."""
    rng = random.Random(seed)
    entries: list[ListEntry] = []
    pairs: list[Pair] = []
    for make in (_latin, _chinese, _arabic, _thai):
        make(rng, entries, pairs)
    return entries, pairs


@dataclass(frozen=True)
class Evaluation:
    """Precision and recall of the screening at a review score over the labelled pairs."""

    precision: float
    recall: float
    pairs: int
    missed: list[Pair]  # must match, did not
    raised: list[Pair]  # must not match, did
    screen_ms: float = 0.0  # median time to screen one query against the whole list

    def line(self) -> str:
        return f"precision={self.precision:.3f} recall={self.recall:.3f} pairs={self.pairs}"


def index_of(entries: list[ListEntry]):
    """A screening index of the entries (in memory, as the check builds it from the list)."""
    from portal.compliance.screening import Entry, ScreeningIndex
    from portal.reference.names import name_keys

    rows = [Entry(n, e.name, e.aliases, e.country, "", "Evaluation", e.key, "") for n, e in enumerate(entries)]
    return ScreeningIndex(0, rows, [name_keys([entry.name, *entry.aliases]) for entry in entries])


def evaluate(
    entries: list[ListEntry], pairs: list[Pair], *, review_score: float, others: list[ListEntry] = ()
) -> Evaluation:
    """Screen every query against the whole list (the entries, then `others`, e.g. a large filler list); a pair
    is predicted a match when its entry is among the query's hits."""
    index = index_of([*entries, *others])
    hits: dict[str, set[str]] = {}
    timings = []
    for query in sorted({pair.query for pair in pairs}):
        started = time.perf_counter()
        found = index.screen(query, review_score=review_score)
        timings.append(time.perf_counter() - started)
        hits[query] = {hit.entry.source_id for hit in found}
    missed = [pair for pair in pairs if pair.match and pair.entry not in hits[pair.query]]
    raised = [pair for pair in pairs if not pair.match and pair.entry in hits[pair.query]]
    positives = sum(pair.match for pair in pairs)
    true_positives = positives - len(missed)
    predicted = true_positives + len(raised)
    return Evaluation(
        precision=true_positives / predicted if predicted else 1.0,
        recall=true_positives / positives if positives else 1.0,
        pairs=len(pairs),
        missed=missed,
        raised=raised,
        screen_ms=round(statistics.median(timings) * 1000, 2),
    )
