"""Fuzzy restricted-party screening: names that must hit, near-misses that must not, every hit explained."""

import pytest
from django.test import override_settings

from portal.compliance.screening import index_get, thresholds
from portal.reference.names import name_key
from portal.reference.versions import reference_versions

from .factories import party_make

pytestmark = pytest.mark.django_db

LEITING = "Chongqing Leiting Jiche Co., Ltd."


@pytest.mark.parametrize(
    "name",
    [
        "重庆雷霆机车有限公司",
        "重庆雷霆机车股份有限公司",
        "ChongqingLeitingJiche",
        "CHONGQING LEITING JICHE CO LTD",
        "Chongqing Leiting Jiche Company Limited",
        "chongqing-leiting jiche, ltd",
        "Jiche Leiting Chongqing",
    ],
)
def test_names_of_the_same_company_get_the_same_key(name):
    key, reference = name_key(name), name_key(LEITING)
    assert key.compact == reference.compact or key.sorted == reference.sorted


def test_legal_form_words_alone_are_kept():
    assert name_key("Co., Ltd.").compact == "coltd"


def _index():
    return index_get(version=reference_versions()["screening"])


def _hits(name, country=""):
    return _index().screen(name, country=country)


@pytest.mark.parametrize(
    "consignee",
    [
        "重庆雷霆机车有限公司",
        "ChongqingLeitingJiche",
        "Chongqing Leiting Jiche Co Ltd",
        "Leiting Jiche, Chongqing",
        "Chongqing Leitting Jiche",
    ],
)
def test_must_hit(consignee):
    entry = party_make(LEITING, country="CN")
    party_make("Unrelated Marine Supplies Pte")
    hits = _hits(consignee, country="CN")
    assert [hit.entry.id for hit in hits] == [entry.pk]
    assert hits[0].score >= thresholds()["REVIEW_SCORE"]
    assert hits[0].country_agrees


@pytest.mark.parametrize(
    "consignee",
    [
        "Chongqing Leiting Trading Co.",
        "Shenzhen Leiting Jiche",
        "Chongqing Lifan Motorcycle",
        "Leiting",
        "Jiche Co Ltd",
    ],
)
def test_near_misses_do_not_hit(consignee):
    party_make(LEITING, country="CN")
    assert _hits(consignee, country="CN") == []


def test_an_alias_hit_says_which_alias():
    entry = party_make("Al Noor General Trading LLC", aliases=["Nur Trading FZE", "شركة النور للتجارة"], country="AE")
    hit = _hits("شركة النور للتجارة", country="AE")[0]
    assert hit.entry.id == entry.pk and hit.alias_index == 2 and hit.score == 100
    explained = hit.as_dict()
    assert explained["matched_name"] == "شركة النور للتجارة" and explained["matched_alias"] is True
    assert explained["entry_name"] == "Al Noor General Trading LLC" and explained["list_source"] == "Test list"


def test_a_hit_in_another_country_is_flagged():
    party_make(LEITING, country="CN")
    (hit,) = _hits("Chongqing Leiting Jiche", country="DE")
    assert hit.score == 100 and not hit.country_agrees


def test_the_index_follows_the_list():
    assert _hits("Kestrel Star Trading FZE") == []
    party_make("Kestrel Star Trading FZE")
    assert len(_hits("Kestrel Star Trading")) == 1


@override_settings(COMPLIANCE_SCREENING={"REVIEW_SCORE": 70, "BLOCK_SCORE": 99})
def test_thresholds_come_from_the_settings():
    party_make(LEITING, country="CN")
    assert thresholds() == {"REVIEW_SCORE": 70.0, "BLOCK_SCORE": 99.0}
    assert len(_hits("Chongqing Leiting Trading Co.")) == 1  # 77 of 100: a hit at 70, not at the default 85
