"""The export licences page: members add licences, authorisations and outlets; viewers read; another partner sees
and changes nothing; the page's queries do not grow with rows; what is added changes the verdict."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.compliance.models import AfterSalesOutlet, ExportAuthorisation, ExportLicence
from tenants.choices import Role

from ..conftest import client_for
from ..queries import assert_same_queries, query_budget

pytestmark = pytest.mark.django_db

LICENCE = {
    "kind": "licence",
    "licence-number": "EL-2026-0001",
    "licence-issued_by": "MOFCOM",
    "licence-hs_codes": "8703.80.10.90",
    "licence-destinations": "sa, AE",
    "licence-valid_from": "2026-01-01",
    "licence-valid_to": "2026-12-31",
}


def _count(partner, model) -> int:
    with schema_context(partner.schema_name):
        return model.objects.count()


def test_a_member_adds_a_licence_an_authorisation_and_an_outlet(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    assert client.post("/compliance/licences/", LICENCE).status_code == 302
    authorisation = {
        "kind": "authorisation",
        "authorisation-manufacturer": "Chongqing Lingyun Motor Co., Ltd.",
        "authorisation-valid_from": "2026-01-01",
        "authorisation-valid_to": "2026-12-31",
    }
    assert client.post("/compliance/licences/", authorisation).status_code == 302
    outlet = {
        "kind": "outlet",
        "outlet-country": "SA",
        "outlet-name": "Riyadh Service",
        "outlet-address": "Olaya St 1",
        "outlet-contact": "+966 11 000",
    }
    assert client.post("/compliance/licences/", outlet).status_code == 302
    with schema_context(world.alpha.schema_name):
        licence = ExportLicence.objects.get()
        assert (licence.hs_codes, licence.destinations) == (["8703.80.10.90"], ["AE", "SA"])
        assert ExportAuthorisation.objects.count() == 1 and AfterSalesOutlet.objects.count() == 1
    page = client.get("/compliance/licences/").content.decode()
    assert "EL-2026-0001" in page and "Chongqing Lingyun Motor Co., Ltd." in page and "Riyadh Service" in page


def test_wrong_input_is_shown_on_the_form_and_nothing_is_saved(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    bad = {**LICENCE, "licence-destinations": "SA, XX", "licence-valid_to": "2025-12-31"}
    response = client.post("/compliance/licences/", bad)
    assert response.status_code == 200 and "Unknown country codes: XX" in response.content.decode()
    assert _count(world.alpha, ExportLicence) == 0


def test_a_viewer_reads_but_cannot_add_or_remove(world):
    with schema_context(world.alpha.schema_name):
        licence = ExportLicence.objects.create(
            number="EL-VIEW",
            hs_codes=["8703.80.10.90"],
            destinations=["SA"],
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2026, 12, 31),
        )
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = viewer.get("/compliance/licences/").content.decode()
    assert "EL-VIEW" in page and "Add a licence" not in page
    assert viewer.post("/compliance/licences/", LICENCE).status_code in (403, 404)
    assert viewer.post(f"/compliance/licences/licence/{licence.pk}/delete/").status_code == 403
    assert _count(world.alpha, ExportLicence) == 1


def test_another_partner_neither_sees_nor_removes_them(world):
    with schema_context(world.alpha.schema_name):
        licence = ExportLicence.objects.create(
            number="EL-ALPHA-SECRET",
            hs_codes=["8703.80.10.90"],
            destinations=["SA"],
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2026, 12, 31),
        )
    beta = client_for(world.beta, world.person(world.beta, Role.OWNER))
    assert "EL-ALPHA-SECRET" not in beta.get("/compliance/licences/").content.decode()
    beta.post(f"/compliance/licences/licence/{licence.pk}/delete/")
    assert _count(world.alpha, ExportLicence) == 1
    beta.post("/compliance/licences/", LICENCE)
    assert _count(world.alpha, ExportLicence) == 1 and _count(world.beta, ExportLicence) == 1


def test_a_member_removes_one(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    client.post("/compliance/licences/", LICENCE)
    with schema_context(world.alpha.schema_name):
        pk = ExportLicence.objects.get().pk
    assert client.post(f"/compliance/licences/licence/{pk}/delete/").status_code == 302
    assert _count(world.alpha, ExportLicence) == 0


def test_the_page_queries_do_not_grow_with_rows(world):
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))

    def add(count):
        with schema_context(world.alpha.schema_name):
            for number in range(count):
                ExportLicence.objects.create(
                    number=f"EL-{number}",
                    hs_codes=["8703.80.10.90"],
                    destinations=["SA"],
                    valid_from=datetime.date(2026, 1, 1),
                    valid_to=datetime.date(2026, 12, 31),
                )
                AfterSalesOutlet.objects.create(country="SA", name=f"Outlet {number}", address="-", contact="-")
                ExportAuthorisation.objects.create(
                    manufacturer=f"Maker {number}",
                    valid_from=datetime.date(2026, 1, 1),
                    valid_to=datetime.date(2026, 12, 31),
                )

    add(2)
    owner.get("/compliance/licences/")
    with query_budget(14) as few:
        assert owner.get("/compliance/licences/").status_code == 200
    add(6)
    with query_budget(14) as many:
        assert owner.get("/compliance/licences/").status_code == 200
    assert_same_queries(few, many, "/compliance/licences/")
