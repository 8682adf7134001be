"""Screening measured on the generated labelled set: precision and recall at the review score."""

from collections import Counter

from portal.compliance import screening
from portal.compliance.screening import DEFAULT_THRESHOLDS
from portal.reference.names import NameKey

from .screening_pairs import evaluate, labelled_set

REVIEW = DEFAULT_THRESHOLDS["REVIEW_SCORE"]


def _kinds(pairs) -> Counter:
    return Counter(pair.kind.split(":")[0] for pair in pairs)


def test_the_set_is_large_varied_and_the_same_every_time():
    entries, pairs = labelled_set()
    assert len(pairs) >= 1000 and len({entry.key for entry in entries}) == len(entries)
    assert (entries, pairs) == labelled_set()
    assert labelled_set(seed=1)[1] != pairs  # the seed matters, so the set is not one fixed list
    kinds = _kinds(pairs)
    for kind in [
        "legal form en",
        "legal form de",
        "legal form hu",
        "traditional characters",
        "pinyin",
        "short form inside a longer name",
        "transliteration",
        "establishment and plural",
        "arabic script, legal form",
        "thai legal form",
        "thai company in english",
        "near miss",
    ]:
        assert kinds[kind] >= 8, kind
    negatives = sum(not pair.match for pair in pairs)
    assert negatives >= 250  # near misses that must not match


def test_precision_and_recall_at_the_review_score():
    entries, pairs = labelled_set()
    result = evaluate(entries, pairs, review_score=REVIEW)
    assert result.precision >= 0.95, [(pair.kind, pair.query, pair.entry) for pair in result.raised]
    assert result.recall >= 0.98, [(pair.kind, pair.query, pair.entry) for pair in result.missed]


def test_the_measure_can_fail(monkeypatch):
    entries, pairs = labelled_set()
    assert evaluate(entries, pairs, review_score=60).precision < 0.95  # everything alike: near misses raised
    with monkeypatch.context() as patched:  # without the core check, near misses with the same trade words hit
        patched.setattr(screening, "cores_agree", lambda query, entry: True)
        assert evaluate(entries, pairs, review_score=REVIEW).precision < 0.95
    with monkeypatch.context() as patched:  # consignee names taken as they are written: variations are missed
        patched.setattr(screening, "name_key_cached", lambda name: NameKey(tuple(name.casefold().split())))
        assert evaluate(entries, pairs, review_score=REVIEW).recall < 0.98
