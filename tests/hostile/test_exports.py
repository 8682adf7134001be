"""Formula injection: every CSV / XLSX download (found by walking every route) neutralises cells that start
with =, +, -, @, a tab or a carriage return, whatever field they came from."""

import csv
import io

import openpyxl
from django.test import Client
from django_tenants.utils import schema_context

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.collaboration import services as collaboration
from portal.core.spreadsheets import FORMULA_PREFIXES, safe_cell, safe_row
from portal.vehicles.models import ImportRejection
from tenants.choices import Role

from ..conftest import client_for
from ..isolation import OPEN_ROUTES, path_for, public_routes, tenant_routes
from ..vehicles.factories import model_make, vehicle_make
from ..vehicles.import_samples import finished_job_make
from .corpus import FORMULAS

SPREADSHEETS = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _plant_formulas(world):
    """A formula in every kind of text that some export writes out."""
    model = model_make(world.alpha, name=FORMULAS[0])
    for index, formula in enumerate(FORMULAS):
        vehicle_make(world.alpha, model=model, plant=formula[:120])
        collaboration.project_create(
            partner=world.alpha, role=Role.MANAGER, user=None, title=f"{formula} {index}"[:200]
        )
        audit_record(action=AuditAction.LOGIN_FAILED, actor=formula, partner=world.alpha, details={"email": formula})
    job = finished_job_make(world.alpha)
    with schema_context("alpha"):
        for line, formula in enumerate(FORMULAS, start=3):
            ImportRejection.objects.create(job=job, line=line, column=formula[:60], value=formula, reason=formula)


def _cells(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row if isinstance(cell, str)]


def test_every_spreadsheet_download_neutralises_formulas(world):
    _plant_formulas(world)
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(world.staff)
    samples: dict = {}
    targets = [
        (owner, path_for(route, world.alpha, cache=samples))
        for route in tenant_routes()
        if route.short_name not in OPEN_ROUTES and route.short_name != "logout"
    ]
    targets += [
        (staff, path_for(route, world.alpha, urlconf="portal.urls_public", cache=samples))
        for route in public_routes()
        if not route.is_admin and not route.needs_kwargs and route.short_name not in OPEN_ROUTES
    ]
    downloads, problems = 0, []
    for client, path in targets:
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(SPREADSHEETS):
            continue
        downloads += 1
        cells = _cells(response)
        planted = [cell for cell in cells if any(formula.strip() in cell for formula in FORMULAS)]
        if not planted:
            continue
        problems += [f"{path}: {cell!r}" for cell in cells if cell.startswith(FORMULA_PREFIXES)]
    assert downloads >= 6, f"only {downloads} spreadsheet downloads found"
    assert problems == [], "\n".join(problems)


def test_the_shared_rule():
    assert [safe_cell(value) for value in FORMULAS] == ["'" + value for value in FORMULAS]
    assert safe_row([-5, 3.5, None, "plain", "—dash"]) == [-5, 3.5, None, "plain", "—dash"]


def test_exports_write_through_the_shared_helper_only():
    """A new export that writes CSV or XLSX cells directly would skip the rule: use portal.core.spreadsheets."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.glob("portal/**/*.py"), *root.glob("tenants/**/*.py")]:
        if path.name == "spreadsheets.py" or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if (
            "csv.writer(" in text
            or "csv.DictWriter(" in text
            or (".append(" in text and "create_sheet" in text and "safe_row" not in text)
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
