"""Fuzzy restricted-party screening: names that must hit, near-misses that must not, every hit explained."""

import pytest
from django.test import override_settings

from portal.compliance.screening import index_get, thresholds
from portal.reference.models import ScreenedParty
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


def _owned(owners, name="Harbor Crest Vehicle Imports FZE"):
    return ScreenedParty.objects.create(
        name=name, country="AE", list_source="Ownership register", listed=False, owners=owners
    )


def test_a_consignee_owned_half_or_more_by_listed_parties_is_a_hit():
    party_make("Kestrel Star Trading FZE", country="AE")
    party_make("Al Noor Vehicles Trading Establishment", country="AE")
    entity = _owned(
        [{"name": "Kestrel Star Trading FZE", "share": 30}, {"name": "Al Noor Vehicles Trading Est.", "share": 20}]
    )
    (hit,) = _hits("Harbor Crest Vehicle Imports", country="AE")
    assert hit.entry.id == entity.pk and hit.ownership_share == 50
    assert [owner for owner, _share, _listed in hit.owned_by] == [
        "Kestrel Star Trading FZE",
        "Al Noor Vehicles Trading Est.",
    ]
    explained = hit.as_dict()
    assert (
        explained["ownership_share"] == 50
        and explained["owned_by"][1]["listed_as"] == "Al Noor Vehicles Trading Establishment"
    )


def test_owned_by_listed_parties_under_half_or_by_unlisted_owners_is_no_hit():
    party_make("Kestrel Star Trading FZE", country="AE")
    _owned([{"name": "Kestrel Star Trading FZE", "share": 49.9}, {"name": "Unlisted Family Office", "share": 50.1}])
    assert _hits("Harbor Crest Vehicle Imports", country="AE") == []


def test_an_owner_change_is_followed():
    party_make("Kestrel Star Trading FZE", country="AE")
    entity = _owned([{"name": "Kestrel Star Trading FZE", "share": 10}])
    assert _hits("Harbor Crest Vehicle Imports", country="AE") == []
    entity.owners = [{"name": "Kestrel Star Trading FZE", "share": 60}]
    entity.save()
    assert len(_hits("Harbor Crest Vehicle Imports", country="AE")) == 1


def test_owners_are_validated():
    from django.core.exceptions import ValidationError

    entity = ScreenedParty(name="X Holding", list_source="Register", owners=[{"name": "", "share": 120}])
    with pytest.raises(ValidationError):
        entity.full_clean()


def test_the_admin_keeps_owners_and_an_empty_owners_box(world):
    from ..conftest import client_for

    staff = client_for(None, world.staff)
    data = {"name": "Harbor Crest Holding", "list_source": "Register", "date_added": "2026-01-05", "owners": ""}
    assert staff.post("/admin/reference/screenedparty/add/", data).status_code == 302
    entity = ScreenedParty.objects.get(name="Harbor Crest Holding")
    assert entity.owners == [] and not entity.listed  # the box unticked: known for its owners only
    data.update(name="Harbor Crest Two", owners='[{"name": "Kestrel Star Trading FZE", "share": 60}]', listed="on")
    assert staff.post("/admin/reference/screenedparty/add/", data).status_code == 302
    assert ScreenedParty.objects.get(name="Harbor Crest Two").owners[0]["share"] == 60
    data.update(name="Harbor Crest Three", owners='[{"name": "", "share": 160}]')
    assert staff.post("/admin/reference/screenedparty/add/", data).status_code == 200  # refused, shown again
    assert not ScreenedParty.objects.filter(name="Harbor Crest Three").exists()


def test_the_verdict_says_who_owns_the_consignee(world):
    from portal.compliance.reasons import reasons_explained

    from .factories import eu_l3e_model, shipment_make, vehicles_make

    party_make("Kestrel Star Trading FZE", country="HU")
    _owned([{"name": "Kestrel Star Trading FZE", "share": 75}], name="Danube Owned Importer Kft.")
    model = eu_l3e_model(world.alpha)
    shipment = shipment_make(
        world.alpha, vehicles=vehicles_make(world.alpha, model, 1), consignee_name="Danube Owned Importer Kft."
    )
    (reason,) = [reason for reason in shipment.latest_check.reasons if reason["code"] == "screening_hit"]
    assert reason["params"]["ownership_share"] == 75
    text = reasons_explained([reason])[0]["text"]
    assert "listed parties own 75 % of it" in text and "Kestrel Star Trading FZE 75 %" in text
