"""Dashboards, exports, runs and supply pages: staff see every cell, partners the disclosed ones and their own."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from portal.insights.choices import CellStatus
from portal.insights.models import Cell, Run
from portal.supply.models import SupplyReport
from tenants.choices import Role

from ..conftest import client_for
from ..queries import assert_same_queries, query_budget
from .conftest import MONTH

QUERY = "?measure=production&breakdown=category&first=2026-01&last=2026-06"


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


class _Shown(HTMLParser):
    """A page's text, script data and attribute values, without the random or hashed ones (CSRF tokens, nonces,
    static file names), so that a short figure cannot be found in them by chance."""

    RANDOM = {"href", "src", "action", "nonce", "integrity"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if "csrf" in (dict(attrs).get("name") or ""):
            return
        self.parts.extend(value for name, value in attrs if value and name not in self.RANDOM)

    def handle_data(self, data):
        self.parts.append(data)


def _shown(response) -> str:
    parser = _Shown()
    parser.feed(_text(response))
    parser.close()
    return "\n".join(parser.parts)


def test_a_partner_sees_shown_cells_and_its_own_figures_but_no_suppressed_value(world, cells):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = _shown(client.get("/statistics/" + QUERY))
    assert "8,812" in page or "8812" in page
    assert "4,713" not in page and "4713" not in page
    assert "suppressed" in page
    assert "1,234" in page or "1234" in page  # alpha's own figure, in full
    assert "987" not in page  # beta's own figure never reaches alpha
    export = _text(client.get("/statistics/export.csv" + QUERY))
    assert "8812.00" in export and "4713" not in export and "987654" not in export
    assert "1234.00" in export


def test_staff_see_every_cell_with_its_contributors(world, cells):
    client = client_for(None, world.staff)
    page = _text(client.get("/statistics/" + QUERY))
    assert "4,713" in page or "4713" in page
    export = _text(client.get("/statistics/export.csv" + QUERY))
    line = next(row for row in export.splitlines() if ",M1," in row)
    assert line.startswith("2026-03,M1,") and "4713.00" in line and line.endswith("primary")


def test_the_public_dashboard_is_for_staff_only(world, cells):
    member = world.person(world.alpha, Role.OWNER)
    for client in (client_for(None), client_for(None, member)):
        for path in ("/statistics/", "/statistics/export.csv", "/statistics/runs/"):
            response = client.get(path + QUERY)
            assert response.status_code in (302, 403), path
            assert "4713" not in _shown(response)


def test_another_partners_people_are_refused(world, cells):
    beta_owner = world.person(world.beta, Role.OWNER)
    response = client_for(world.alpha, beta_owner).get("/statistics/" + QUERY)
    assert response.status_code in (302, 403)
    assert "1234" not in _shown(response)


def test_a_bad_selection_is_explained_and_the_default_shown(world, cells):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    response = client.get("/statistics/?measure=block_reasons&breakdown=category&first=2026-13")
    assert response.status_code == 200
    text = _text(response)
    assert 'data-testid="selection-errors"' in text
    assert client.get("/statistics/export.pdf").status_code == 404


def test_xlsx_export(world, cells):
    response = client_for(None, world.staff).get("/statistics/export.xlsx" + QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_dashboard_keeps_its_query_budget_whatever_the_number_of_cells(world, cells):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    client.get("/statistics/" + QUERY)  # warm the session and the caches
    with query_budget(40) as few:
        client.get("/statistics/" + QUERY)
    Cell.objects.bulk_create(
        Cell(
            measure="production",
            breakdown="category",
            period=datetime.date(2026, m, 1),
            key=f"K{k}",
            value=Decimal(k),
            contributors=3,
            top_share=0.5,
            status=CellStatus.SHOWN,
        )
        for m in range(1, 7)
        for k in range(60)
    )
    with query_budget(40) as many:
        response = client.get("/statistics/" + QUERY)
    assert response.status_code == 200
    assert_same_queries(few, many, "the dashboard")


def test_staff_start_a_run_from_the_runs_page(world):
    client = client_for(None, world.staff)
    before = Run.objects.count()
    response = client.post("/statistics/runs/start/", {"kind": "full"})
    assert response.status_code == 302
    assert Run.objects.count() == before + 1
    assert client.post("/statistics/runs/start/", {"kind": "bogus"}).status_code == 302
    assert Run.objects.count() == before + 1
    assert "Statistics runs" in _text(client.get("/statistics/runs/"))


# ---------------------------------------------------------------- supply reports


def _reports(partner):
    with schema_context(partner.schema_name):
        return list(SupplyReport.objects.order_by("month").values_list("month", "total_value", "local_value"))


def test_a_member_reports_a_month_and_corrects_it(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    data = {"month": "2026-02", "total_value": "1000", "local_value": "450", "currency": "CNY", "note": ""}
    assert client.post("/supply/", data).status_code == 302
    assert client.post("/supply/", {**data, "local_value": "500"}).status_code == 302
    assert _reports(world.alpha) == [(datetime.date(2026, 2, 1), Decimal("1000.00"), Decimal("500.00"))]
    assert _reports(world.beta) == []
    assert "50.0 %" in _text(client.get("/supply/"))


def test_a_bad_month_is_explained_and_nothing_saved(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    data = {"month": "2026-02", "total_value": "100", "local_value": "450", "currency": "CNY"}
    response = client.post("/supply/", data)
    assert response.status_code == 400
    assert "cannot exceed" in _text(response)
    response = client.post("/supply/", {**data, "local_value": "50", "month": "2999-01"})
    assert response.status_code == 400
    assert _reports(world.alpha) == []


def test_a_viewer_cannot_report(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    response = client.post("/supply/", {"month": "2026-02", "total_value": "1", "local_value": "1", "currency": "CNY"})
    assert response.status_code == 403
    assert _reports(world.alpha) == []


def test_a_file_is_saved_whole_or_not_at_all(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    bad = "月份,合计,本地\n2026-01,1000,400\n2026-02,100,900\n".encode("gb18030")
    response = client.post("/supply/", {"file": SimpleUploadedFile("s.csv", bad, "text/csv")})
    assert response.status_code == 400
    assert "line 3" in _text(response)
    assert _reports(world.alpha) == []
    good = b"month;total;local\n2026-01;1000;400\n2026-02;2000;900\n"
    assert client.post("/supply/", {"file": SimpleUploadedFile("s.csv", good, "text/csv")}).status_code == 302
    assert [row[0].month for row in _reports(world.alpha)] == [1, 2]


def test_removing_a_month_needs_a_member_of_that_partner(world):
    with schema_context(world.alpha.schema_name):
        report = SupplyReport.objects.create(month=MONTH, total_value=10, local_value=5)
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert viewer.post(f"/supply/{report.pk}/delete/").status_code == 403
    beta_member = client_for(world.beta, world.person(world.beta, Role.MEMBER))
    assert beta_member.post(f"/supply/{report.pk}/delete/").status_code == 404  # beta's schema has no such row
    assert len(_reports(world.alpha)) == 1
    member = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    assert member.post(f"/supply/{report.pk}/delete/").status_code == 302
    assert _reports(world.alpha) == []
