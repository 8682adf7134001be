"""The statistics API: the same disclosure as the dashboards, per caller; supply reports by key."""

from decimal import Decimal

from django_tenants.utils import schema_context

from portal.insights.choices import RiskKind
from portal.insights.models import RiskWarning
from portal.integrations.services import api_key_create
from portal.supply.models import SupplyReport

from ..conftest import client_for
from .conftest import MONTH

CELLS = "/api/v1/statistics/cells/?measure=production&breakdown=category&first=2026-01&last=2026-06"


def _auth(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}


def test_a_key_gets_disclosed_cells_and_its_own_figures(world, cells):
    _key, raw = api_key_create(partner=world.alpha, name="BI", scopes=["insights:read"])
    response = client_for(world.alpha).get(CELLS, **_auth(raw))
    assert response.status_code == 200, response.content
    rows = {row["key"]: row for row in response.json()["results"]}
    assert rows["L3e"]["value"] == "8812.00" and rows["L3e"]["own_value"] == "1234.00"
    assert rows["M1"]["value"] is None and rows["M1"]["suppressed"] is True
    assert rows["M1"]["own_value"] is None
    assert "contributors" not in rows["M1"]
    assert "987654" not in response.content.decode()


def test_the_key_of_another_partner_sees_only_its_own(world, cells):
    _key, raw = api_key_create(partner=world.beta, name="BI", scopes=["insights:read"])
    refused = client_for(world.alpha).get(CELLS, **_auth(raw))  # on alpha's host, beta's key is refused
    assert refused.status_code == 401 and "1234" not in refused.content.decode()
    rows = {row["key"]: row for row in client_for(world.beta).get(CELLS, **_auth(raw)).json()["results"]}
    assert rows["M1"]["own_value"] == "987654.00" and rows["M1"]["value"] is None
    assert rows["L3e"]["own_value"] is None


def test_a_key_without_the_statistics_scope_is_refused(world, cells):
    _key, raw = api_key_create(partner=world.alpha, name="ERP", scopes=["vehicles:read"])
    assert client_for(world.alpha).get(CELLS, **_auth(raw)).status_code == 403


def test_staff_get_every_value(world, cells):
    response = client_for(None, world.staff).get(CELLS)
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.json()["results"]}
    assert rows["M1"]["value"] == "4713.00" and rows["M1"]["contributors"] == 2


def test_a_bad_selection_is_a_clear_400(world, cells):
    _key, raw = api_key_create(partner=world.alpha, name="BI", scopes=["insights:read"])
    client = client_for(world.alpha)
    response = client.get("/api/v1/statistics/cells/?measure=nope", **_auth(raw))
    assert response.status_code == 400
    response = client.get("/api/v1/statistics/cells/?measure=block_reasons&breakdown=kind", **_auth(raw))
    assert response.status_code == 400 and "broken down" in response.content.decode()


def test_measures_targets_and_own_warnings(world):
    RiskWarning.objects.create(kind=RiskKind.PRODUCTION_DROP, partner=world.alpha, period=MONTH, value=40, threshold=30)
    RiskWarning.objects.create(kind=RiskKind.PRODUCTION_DROP, partner=world.beta, period=MONTH, value=55, threshold=30)
    _key, raw = api_key_create(partner=world.alpha, name="BI", scopes=["insights:read"])
    client = client_for(world.alpha)
    measures = client.get("/api/v1/statistics/measures/", **_auth(raw)).json()
    assert {m["code"] for m in measures} >= {"production", "exports", "supply_local", "project_stage_entries"}
    targets = client.get("/api/v1/statistics/targets/", **_auth(raw)).json()
    assert {t["metric"] for t in targets} == {"annual_units", "partners", "projects", "products"}
    warnings = client.get("/api/v1/statistics/warnings/", **_auth(raw)).json()["results"]
    assert [w["value"] for w in warnings] == [40.0]


def test_supply_reports_by_api_replace_a_month_and_validate(world):
    _key, raw = api_key_create(partner=world.alpha, name="ERP", scopes=["insights:write"])
    client = client_for(world.alpha)
    body = {"month": "2026-02-14", "total_value": "1000.00", "local_value": "400.00", "currency": "CNY"}
    created = client.post("/api/v1/supply-reports/", body, content_type="application/json", **_auth(raw))
    assert created.status_code == 201, created.content
    assert created.json()["month"] == "2026-02-01" and created.json()["local_rate"] == 40.0
    again = client.post(
        "/api/v1/supply-reports/", {**body, "local_value": "500.00"}, content_type="application/json", **_auth(raw)
    )
    assert again.status_code == 201
    bad = client.post(
        "/api/v1/supply-reports/", {**body, "local_value": "5000"}, content_type="application/json", **_auth(raw)
    )
    assert bad.status_code == 400
    with schema_context(world.alpha.schema_name):
        assert list(SupplyReport.objects.values_list("local_value", flat=True)) == [Decimal("500.00")]
    with schema_context(world.beta.schema_name):
        assert not SupplyReport.objects.exists()


def test_a_read_key_cannot_write_supply_reports(world):
    _key, raw = api_key_create(partner=world.alpha, name="BI", scopes=["insights:read"])
    body = {"month": "2026-02-01", "total_value": "1", "local_value": "1"}
    response = client_for(world.alpha).post(
        "/api/v1/supply-reports/", body, content_type="application/json", **_auth(raw)
    )
    assert response.status_code == 403
    with schema_context(world.alpha.schema_name):
        assert not SupplyReport.objects.exists()
