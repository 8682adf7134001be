"""Thailand EV 3.5 offset ledger: the arithmetic against hand-computed figures (2026 vs 2027 ratio, the export
weight before and after 2025-07-30, the projection), the ledger read from a partner's registry and shipments, the
page and the API (members write, viewers read, another partner sees and changes nothing), the query budget and the
statistics risk warning on and off."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.compliance import offsets
from portal.compliance.choices import ShipmentStatus
from portal.compliance.models import PlantLocation, Shipment, ShipmentVehicle, SubsidisedImport
from portal.compliance.offsets import Production, ledger_compute
from portal.insights.choices import RiskKind
from portal.insights.models import RiskRule, RiskWarning
from portal.insights.risks import offsets_behind, warnings_rebuild
from portal.reference.offsets import OffsetScheme
from portal.vehicles.models import Vehicle
from tenants.choices import Role

from ..conftest import client_for
from ..queries import RealQueries, assert_same_queries
from ..vehicles.factories import model_make, vin_for, wmi_ensure

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 10, 2)  # 90 days before the 2026 deadline; the rate window is 2026-07-05 … 2026-10-02
_serials = itertools.count(500_000)


def _scheme():
    return OffsetScheme.objects.prefetch_related("ratios", "export_weights").get(code="th-ev35")


# Credits on TODAY, by hand:
#   2023-12-31  10 made before the scheme began                       →  0
#   2025-06-01  50 exported 2025-07-29 (the day before the weight)    → 50 × 1   = 50
#   2025-07-01  20 exported 2025-07-30 (the weight's first day)       → 20 × 1.5 = 30
#   2026-01-15  40 not exported                                       → 40
#   2026-08-01  45 not exported (in the rate window)                  → 45
#   2026-09-01  30 exported 2026-09-20 (in the rate window)           → 30 × 1.5 = 45
#   2026-09-02   5 exported 2026-11-01 (after TODAY: not yet)         →  5 (in the window)
# credits 215; window 95 → 95 / 90 a day, 31.7 a month.
PRODUCTION = [
    Production(D(2023, 12, 31), None, 10),
    Production(D(2025, 6, 1), D(2025, 7, 29), 50),
    Production(D(2025, 7, 1), D(2025, 7, 30), 20),
    Production(D(2026, 1, 15), None, 40),
    Production(D(2026, 8, 1), None, 45),
    Production(D(2026, 9, 1), D(2026, 9, 20), 30),
    Production(D(2026, 9, 2), D(2026, 11, 1), 5),
]


def _ledger(imports: int, today=TODAY, production=PRODUCTION):
    scheme = _scheme()
    return ledger_compute(
        scheme=scheme,
        ratios=list(scheme.ratios.all()),
        weights=list(scheme.export_weights.all()),
        imports=imports,
        production=production,
        today=today,
    )


def test_the_rule_rows_hold_the_sources_and_dates():
    scheme = _scheme()
    assert (str(scheme.country), scheme.imports_from, scheme.imports_until) == ("TH", D(2024, 1, 1), D(2025, 12, 31))
    assert [(row.deadline, row.ratio) for row in scheme.ratios.all()] == [
        (D(2026, 12, 31), Decimal("2.00")),
        (D(2027, 12, 31), Decimal("3.00")),
    ]
    weight = scheme.export_weights.get()
    assert (weight.weight, weight.effective_from) == (Decimal("1.50"), D(2025, 7, 30))
    assert "2025-07-30" in weight.source_reference and "Bangkok Post" in scheme.source_reference
    assert scheme.history.count() == 1 and weight.history.count() == 1


def test_credits_count_exports_at_the_weight_from_its_first_day_only():
    ledger = _ledger(100)
    assert ledger.credits == Decimal("215.0")
    assert (ledger.produced, ledger.exported, ledger.exported_weighted) == (190, 100, 50)
    assert ledger.rate_per_month == Decimal("31.7")  # 95 credits in 90 days × 30
    # Once the November export happened, those 5 count 1.5 too: 2.5 more.
    assert _ledger(100, today=D(2026, 11, 2)).credits == Decimal("217.5")


def test_on_track_behind_and_the_projection_to_the_2026_deadline():
    # 110 imports → 220 by 2026-12-31; projection 215 + 95/90 × 90 = 310.
    on_track = _ledger(110)
    stage = on_track.current
    assert (on_track.status, stage.deadline, stage.obligation) == ("on_track", D(2026, 12, 31), Decimal("220.00"))
    assert (stage.days_left, stage.projected, stage.shortfall, stage.progress) == (90, Decimal("310.0"), 0, 98)
    # 160 imports → 320: 10 short; 105 still missing over 90 days = 35 a month needed.
    behind = _ledger(160)
    assert behind.status == "behind" and behind.behind
    assert (behind.current.shortfall, behind.current.required_per_month) == (Decimal("10.0"), Decimal("35.0"))
    # The 2027 stage is projected too: 480 needed, 215 + 95/90 × 455 = 695.3.
    later = behind.stages[1]
    assert (later.obligation, later.days_left, later.projected) == (Decimal("480.00"), 455, Decimal("695.3"))


def test_met_early_then_the_2027_ratio_no_longer_applies():
    ledger = _ledger(100)  # 215 ≥ 200
    assert (ledger.status, ledger.current.deadline) == ("met", D(2026, 12, 31))


def test_after_a_missed_2026_deadline_the_2027_ratio_decides():
    # On 2027-01-05 with 160 imports: 215 + 5 × 0.5 (the November export) = 217.5 by 2026-12-31 < 320: missed there.
    ledger = _ledger(160, today=D(2027, 1, 5))
    first, _second = ledger.stages
    assert (first.met, first.days_left, first.credits) == (False, 0, Decimal("217.5"))
    assert (ledger.status, ledger.current.deadline, ledger.current.obligation) == (
        "behind",
        D(2027, 12, 31),
        Decimal("480.00"),
    )
    # Both deadlines gone and neither met: missed (the subsidies are repayable).
    missed = _ledger(160, today=D(2028, 1, 2))
    assert (missed.status, missed.current.deadline) == ("missed", D(2027, 12, 31))


def test_no_imports_no_obligation():
    ledger = _ledger(0)
    assert (ledger.status, ledger.current, ledger.behind) == ("none", None, False)


# ---------------------------------------------------------------- from the partner's data


def _vehicles(partner, model, plant: str, produced: datetime.date, count: int) -> list[Vehicle]:
    wmi = wmi_ensure(partner).wmi
    with schema_context(partner.schema_name):
        return Vehicle.objects.bulk_create(
            Vehicle(vin=vin_for(wmi, next(_serials)), model=model, production_date=produced, plant=plant)
            for _ in range(count)
        )


def _shipped(partner, vehicles, *, origin: str, on: datetime.date, status=ShipmentStatus.SHIPPED) -> None:
    with schema_context(partner.schema_name):
        shipment = Shipment.objects.create(
            reference=f"TH-{next(_serials)}",
            origin=origin,
            destination="VN",
            consignee_name="Hanoi EV Trading",
            consignee_country="VN",
            incoterm="CIF",
            hs_code="8711.60",
            expected_arrival=on + datetime.timedelta(days=10),
            status=status,
            shipped_at=datetime.datetime.combine(on, datetime.time(10), tzinfo=datetime.UTC),
        )
        ShipmentVehicle.objects.bulk_create(ShipmentVehicle(shipment=shipment, vehicle=v) for v in vehicles)


IMPORTED_ON = D(2025, 3, 1)


def _import(partner, quantity: int, on=IMPORTED_ON) -> SubsidisedImport:
    scheme = OffsetScheme.objects.get(code="th-ev35")
    with schema_context(partner.schema_name):
        return SubsidisedImport.objects.create(
            scheme=scheme, model_name="Lingyun Star", quantity=quantity, imported_on=on
        )


def _thai_partner(partner):
    """Rayong (Thailand) made 60 + 30 vehicles; Chongqing (China) 100, which never count."""
    model = model_make(partner)
    with schema_context(partner.schema_name):
        PlantLocation.objects.create(plant="Rayong plant", country="TH")
        PlantLocation.objects.create(plant="Chongqing plant", country="CN")
    early = _vehicles(partner, model, "Rayong plant", D(2025, 5, 1), 60)
    recent = _vehicles(partner, model, "Rayong plant", D(2026, 8, 15), 30)
    chinese = _vehicles(partner, model, "Chongqing plant", D(2026, 8, 15), 100)
    _shipped(partner, early[:10], origin="TH", on=D(2025, 7, 1))  # before the weight: 1 each
    _shipped(partner, early[10:20], origin="TH", on=D(2025, 8, 1))  # 1.5 each
    _shipped(partner, early[20:30], origin="", on=D(2025, 8, 1))  # from China: not an export from Thailand
    _shipped(partner, early[30:40], origin="TH", on=D(2025, 8, 1), status=ShipmentStatus.CANCELLED)
    _shipped(partner, chinese[:10], origin="TH", on=D(2025, 8, 1))  # not made in Thailand
    return model, recent


def test_the_ledger_reads_the_registry_and_the_exports_from_thailand(world):
    _thai_partner(world.alpha)
    _import(world.alpha, 30)
    _import(world.alpha, 20, on=D(2025, 11, 30))
    with schema_context(world.alpha.schema_name):
        ledger = offsets.ledger_get(scheme=_scheme(), today=TODAY)
    # 90 made in Thailand; 20 exported from there, 10 of them after 2025-07-30: 90 + 10 × 0.5 = 95.
    assert (ledger.imports, ledger.produced, ledger.exported, ledger.exported_weighted) == (50, 90, 20, 10)
    assert ledger.credits == Decimal("95.0")
    # 50 imports → 100 by 2026-12-31; window: the 30 of 2026-08-15 → 30/90 a day → +30 by the deadline.
    assert (ledger.status, ledger.current.obligation, ledger.current.projected) == (
        "on_track",
        Decimal("100.00"),
        Decimal("125.0"),
    )


def test_an_import_outside_the_scheme_window_is_refused_and_nothing_saved(world):
    from django.core.exceptions import ValidationError

    from portal.compliance.services.offsets import subsidised_import_create

    with schema_context(world.alpha.schema_name):
        with pytest.raises(ValidationError) as error:
            subsidised_import_create(scheme=_scheme(), model_name="X", quantity=5, imported_on=D(2026, 2, 1))
        assert "imported_on" in error.value.message_dict
        assert SubsidisedImport.objects.count() == 0


# ---------------------------------------------------------------- page and API


def _today(monkeypatch):
    monkeypatch.setattr(offsets, "today", lambda: TODAY)


def test_a_member_adds_an_import_and_a_plant_and_reads_the_ledger(world, monkeypatch):
    _today(monkeypatch)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    form = {
        "kind": "import",
        "import-model_name": "Lingyun Star",
        "import-quantity": "40",
        "import-imported_on": "2025-04-01",
    }
    assert client.post("/compliance/thailand-ev35/", form).status_code == 302
    plant = {"kind": "plant", "plant-plant": "Rayong plant", "plant-country": "TH"}
    assert client.post("/compliance/thailand-ev35/", plant).status_code == 302
    page = client.get("/compliance/thailand-ev35/").content.decode()
    assert 'data-status="behind"' in page and "Lingyun Star" in page and "Rayong plant" in page
    assert "80 vehicles (2 per import)" in page and "Phuket News" in page
    bad = {**form, "import-imported_on": "2023-06-01"}
    response = client.post("/compliance/thailand-ev35/", bad)
    assert response.status_code == 200 and "covers imports from" in response.content.decode()
    with schema_context(world.alpha.schema_name):
        assert SubsidisedImport.objects.count() == 1


def test_a_viewer_reads_but_cannot_add_or_remove(world, monkeypatch):
    _today(monkeypatch)
    item = _import(world.alpha, 12)
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = viewer.get("/compliance/thailand-ev35/").content.decode()
    assert "Lingyun Star" in page and "Add a subsidised import" not in page
    form = {"kind": "import", "import-model_name": "X", "import-quantity": "1", "import-imported_on": "2025-04-01"}
    assert viewer.post("/compliance/thailand-ev35/", form).status_code == 404
    assert viewer.post(f"/compliance/thailand-ev35/import/{item.pk}/delete/").status_code == 403
    with schema_context(world.alpha.schema_name):
        assert SubsidisedImport.objects.count() == 1


def test_another_partner_sees_and_removes_nothing(world, monkeypatch):
    _today(monkeypatch)
    item = _import(world.alpha, 77)
    beta = client_for(world.beta, world.person(world.beta, Role.OWNER))
    page = beta.get("/compliance/thailand-ev35/").content.decode()
    assert "Lingyun Star" not in page and 'data-status="none"' in page
    beta.post(f"/compliance/thailand-ev35/import/{item.pk}/delete/")
    assert beta.get(f"/api/v1/subsidised-imports/{item.pk}/").status_code == 404
    assert beta.get("/api/v1/subsidised-imports/").json()["results"] == []
    assert beta.get("/api/v1/offset-ledgers/").json() == []
    with schema_context(world.alpha.schema_name):
        assert SubsidisedImport.objects.filter(pk=item.pk).exists()


def test_the_api_reads_the_ledger_and_members_record_imports(world, monkeypatch):
    _today(monkeypatch)
    member = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    body = {"scheme": "th-ev35", "model_name": "Lingyun Star", "quantity": 25, "imported_on": "2025-05-05"}
    created = member.post("/api/v1/subsidised-imports/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    refused = member.post(
        "/api/v1/subsidised-imports/", {**body, "imported_on": "2027-01-01"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "imported_on"
    (ledger,) = member.get("/api/v1/offset-ledgers/").json()
    assert (ledger["scheme"], ledger["imports"], ledger["status"]) == ("th-ev35", 25, "behind")
    assert [stage["obligation"] for stage in ledger["stages"]] == ["50.00", "75.00"]
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert viewer.post("/api/v1/subsidised-imports/", body, content_type="application/json").status_code == 403
    assert viewer.delete(f"/api/v1/subsidised-imports/{created.json()['id']}/").status_code == 403
    with schema_context(world.alpha.schema_name):
        assert SubsidisedImport.objects.count() == 1


def test_the_page_queries_do_not_grow_with_rows(world, monkeypatch):
    _today(monkeypatch)
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    _import(world.alpha, 10)
    client.get("/compliance/thailand-ev35/")  # warm the session and caches
    with RealQueries(connection) as few:
        assert client.get("/compliance/thailand-ev35/").status_code == 200
    _thai_partner(world.alpha)
    for _ in range(12):
        _import(world.alpha, 3)
    with RealQueries(connection) as many:
        assert client.get("/compliance/thailand-ev35/").status_code == 200
    assert_same_queries(few, many, "the Thailand EV 3.5 page")


# ---------------------------------------------------------------- the statistics risk warning


def test_the_risk_warning_fires_for_the_partner_behind_only(world):
    _thai_partner(world.alpha)
    _import(world.alpha, 80)  # 160 by 2026-12-31; projected 125: 35 short
    _thai_partner(world.beta)
    _import(world.beta, 50)  # 100; projected 125: on track
    rule = RiskRule.objects.get(kind=RiskKind.OFFSET_BEHIND)
    (warning,) = offsets_behind(rule, TODAY)
    assert (warning.partner_id, warning.subject, warning.value) == (world.alpha.pk, "Thailand EV 3.5", 35.0)
    warnings_rebuild(today=TODAY)
    stored = RiskWarning.objects.filter(kind=RiskKind.OFFSET_BEHIND)
    assert list(stored.values_list("partner_id", flat=True)) == [world.alpha.pk]
    # A tolerance above the shortfall turns it off.
    rule.threshold = 40
    rule.save()
    assert offsets_behind(rule, TODAY) == []
    # The partner's own dashboard shows it; the other partner's does not.
    rule.threshold = 0
    rule.save()
    warnings_rebuild(today=TODAY)
    alpha = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/statistics/").content.decode()
    beta = client_for(world.beta, world.person(world.beta, Role.VIEWER)).get("/statistics/").content.decode()
    assert "projected 35 vehicles short" in alpha and "projected 35 vehicles short" not in beta


def test_no_warning_without_imports(world):
    _thai_partner(world.alpha)
    assert offsets_behind(RiskRule.objects.get(kind=RiskKind.OFFSET_BEHIND), TODAY) == []
    assert timezone.now()  # the evaluator never asked the clock: TODAY was passed


def test_shipments_carry_their_origin_in_the_api(world):
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    body = {
        "origin": "TH",
        "destination": "VN",
        "consignee_name": "Hanoi EV Trading",
        "consignee_country": "VN",
        "incoterm": "CIF",
        "hs_code": "8711.60",
        "expected_arrival": "2027-01-20",
    }
    created = owner.post("/api/v1/shipments/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["origin"] == "TH"
    listed = owner.get("/api/v1/shipments/")
    assert listed.status_code == 200 and listed.json()["results"][0]["origin"] == "TH"


def test_staff_keep_the_rule_rows_in_the_admin_with_history(world):
    from portal.reference.offsets import OffsetRatio

    staff = client_for(None, world.staff)
    scheme = _scheme()
    page = staff.get(f"/admin/reference/offsetscheme/{scheme.pk}/change/")
    assert page.status_code == 200 and "Bangkok Post" in page.content.decode()
    ratio = scheme.ratios.get(deadline=D(2026, 12, 31))
    assert staff.get("/admin/reference/offsetratio/").status_code == 200
    assert staff.get(f"/admin/reference/offsetratio/{ratio.pk}/history/").status_code == 200
    # A row that ends before it starts is refused, and nothing changes.
    form = {
        "scheme": scheme.pk,
        "deadline": "2026-12-31",
        "ratio": "2.5",
        "effective_from": "2026-01-01",
        "effective_until": "2025-01-01",
        "source_reference": "test",
        "note": "",
    }
    assert staff.post("/admin/reference/offsetratio/add/", form).status_code == 200
    assert OffsetRatio.objects.count() == 2
    owner = client_for(None, world.person(world.alpha, Role.OWNER))
    assert owner.get("/admin/reference/offsetratio/").status_code in (302, 403, 404)


def test_the_api_lists_keep_their_queries_with_more_rows(world, monkeypatch):
    _today(monkeypatch)
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    _import(world.alpha, 10)
    for path in ("/api/v1/subsidised-imports/", "/api/v1/offset-ledgers/"):
        client.get(path)  # warm the session and caches
    few = {}
    for path in ("/api/v1/subsidised-imports/", "/api/v1/offset-ledgers/"):
        with RealQueries(connection) as few[path]:
            assert client.get(path).status_code == 200
    _thai_partner(world.alpha)
    for _ in range(12):
        _import(world.alpha, 3)
    for path in ("/api/v1/subsidised-imports/", "/api/v1/offset-ledgers/"):
        with RealQueries(connection) as many:
            assert client.get(path).status_code == 200
        assert_same_queries(few[path], many, path)


def test_the_shipment_page_says_where_it_is_exported_from(world):
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    with schema_context(world.alpha.schema_name):
        shipment = Shipment.objects.create(
            origin="TH",
            destination="VN",
            consignee_name="Hanoi EV Trading",
            consignee_country="VN",
            incoterm="CIF",
            hs_code="8711.60",
            expected_arrival=D(2027, 1, 20),
        )
    page = owner.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert 'data-testid="origin">Thailand<' in page
