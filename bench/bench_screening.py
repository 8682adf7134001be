"""Restricted-party screening measured: precision and recall on the labelled set, and the time per consignee.

The labelled set is tests/compliance/screening_pairs.py (generated, seeded: over 1,000 query / entry pairs in
Latin, simplified and traditional Chinese, Arabic transliterations and script, Thai, legal forms of six
languages, and near misses that must not match). Its entries are screened inside a list of 50,000 more
(bench_compliance's generated names, a fifth with a Chinese alias), as a real list would surround them.

Figures:
- `precision`, `recall`: over the labelled pairs at the default review score (goal ≥ 0.95 and ≥ 0.98); a pair
  is predicted a match when its entry is among the hits of its query.
- `pairs`: how many labelled pairs.
- `screen_ms`: median time of `ScreeningIndex.screen` for one query against the 50,000-entry index in memory.
"""

import random

from portal.compliance.screening import DEFAULT_THRESHOLDS
from tests.compliance.screening_pairs import ListEntry, evaluate, labelled_set

from .bench_compliance import ENTRIES, HAN, WORDS


def _others() -> list[ListEntry]:
    rng = random.Random(7)
    others = []
    for number in range(ENTRIES):
        name = " ".join(rng.sample(WORDS, rng.randint(2, 4))).title() + rng.choice([" LLC", " Co., Ltd.", " GmbH", ""])
        aliases = ("".join(rng.sample(HAN, rng.randint(4, 8))) + "有限公司",) if number % 5 == 0 else ()
        others.append(ListEntry(f"filler-{number}", name, aliases, rng.choice(["CN", "AE", "RU", "IR", "HK", ""])))
    return others


def run() -> dict:
    entries, pairs = labelled_set()
    result = evaluate(entries, pairs, review_score=DEFAULT_THRESHOLDS["REVIEW_SCORE"], others=_others())
    return {
        "precision": f"{result.precision:.3f}",
        "recall": f"{result.recall:.3f}",
        "pairs": result.pairs,
        "screen_ms": result.screen_ms,
    }
