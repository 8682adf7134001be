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


def test_a_chinese_short_form_inside_a_longer_name_is_a_review_hit():
    """Unseen case: a four-character alias inside a longer consignee name scored 83.9, under the review score."""
    entry = party_make("重庆雷霆机车有限公司", aliases=["雷霆机车"], country="CN")
    consignee = "雷霆机车国际贸易（香港）有限公司"
    (hit,) = _hits(consignee, country="CN")
    assert hit.entry.id == entry.pk and hit.contained and hit.matched_name == "雷霆机车"
    assert hit.score == thresholds()["REVIEW_SCORE"] < thresholds()["BLOCK_SCORE"]  # a review, never a block alone
    assert hit.as_dict()["contained"] is True
    assert len(_hits("雷霆機車國際貿易有限公司", country="CN")) == 1  # the same in traditional characters
    assert _hits("重庆雷霆贸易有限公司", country="CN") == []  # the trade name alone is not the short form


def test_an_arabic_transliteration_with_establishment_and_a_plural_hits():
    """Unseen case: "Establishment" / "Est." and "Vehicles" / "Vehicle" around another spelling of the name."""
    entry = party_make("Al Rashid Vehicles Trading Establishment", country="AE")
    for consignee in ["Al-Rashed Vehicle Trading Est.", "El Rashid Vehicles Trading", "AlRachid Vehicle Trading Est"]:
        assert [hit.entry.id for hit in _hits(consignee, country="AE")] == [entry.pk], consignee
    assert _hits("Al Nasr Vehicles Trading Est.", country="AE") == []  # another name, the same trade words


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Al Noor Motors Establishment", "Al Noor Motor Est."),  # Arabic transliteration
        ("مؤسسة النور لتجارة السيارات", "شركة النور لتجارة السيارات ذ.م.م"),  # Arabic script
        ("บริษัท สยามยานยนต์ไฟฟ้า จำกัด", "สยามยานยนต์ไฟฟ้า จำกัด (มหาชน)"),  # Thai
        ("Siam EV Motors Co., Ltd.", "Siam EV Motor Public Company Limited"),  # Thai company in English
        ("Duna Autó Kft.", "Duna Autó Korlátolt Felelősségű Társaság"),  # Hungarian
        ("Rhein Fahrzeug GmbH", "Rhein Fahrzeug Gesellschaft mit beschränkter Haftung"),  # German
        ("Rhein Fahrzeug AG", "Rhein Fahrzeug e.K."),
        ("重慶雷霆機車股份有限公司", "重庆雷霆机车有限责任公司"),  # Chinese, traditional and simplified
        ("Kestrel Batteries Company Limited", "Kestrel Battery Ltd"),  # English, plural
    ],
)
def test_legal_forms_and_plurals_fold_per_language(one, other):
    assert name_key(one).compact == name_key(other).compact


def test_chinese_companies_of_other_cities_do_not_hit():
    party_make("宁波星辰新能源汽车有限公司", country="CN")
    assert _hits("西安星辰新能源汽车有限公司", country="CN") == []
    assert len(_hits("宁波星辰新能源汽车股份有限公司", country="CN")) == 1
