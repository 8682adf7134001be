"""Import API: multipart upload (202) as a role matrix, progress, list, rejected rows (JSON and CSV), isolation."""

from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from portal.integrations.services import api_key_create
from portal.vehicles.importing import services
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportJob

from ..conftest import client_for
from ..queries import RealQueries, query_budget
from .import_samples import csv_bytes, good_rows, job_make, media_root, setup_partner

API = "/api/v1/vehicle-imports/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    with media_root(tmp_path / "media") as root:
        yield root


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(services, "import_job_queue", lambda *, job: sent.append((job.pk, connection.schema_name)))
    return sent


def jobs(partner) -> int:
    with schema_context(partner.schema_name):
        return ImportJob.objects.count()


def post(client, content: bytes, name="vehicles.csv", **headers):
    data = {"file": SimpleUploadedFile(name, content), "market": "cn", "mode": "valid_rows", "dry_run": "true"}
    return client.post(API, data, **headers)


@pytest.mark.parametrize(("role", "status"), [("owner", 202), ("manager", 202), ("member", 202), ("viewer", 403)])
def test_create_role_matrix(world, role, status, queued, django_capture_on_commit_callbacks):
    model = setup_partner(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, role))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, csv_bytes(good_rows(world.alpha, model.name, 2)))
    assert response.status_code == status, response.content
    if status == 202:
        body = response.json()
        assert (body["status"], body["market"], body["mode"], body["dry_run"]) == ("queued", "CN", "valid_rows", True)
        assert queued == [(ImportJob.objects.model._meta.pk.to_python(body["id"]), "alpha")]
        assert jobs(world.alpha) == 1
    else:
        assert jobs(world.alpha) == 0 and queued == []
    assert client.get(API).status_code == 200


@pytest.mark.parametrize(("scopes", "status"), [(["vehicles:write"], 202), (["vehicles:read"], 403), ([], 403)])
def test_create_with_api_keys(world, scopes, status, queued):
    model = setup_partner(world.alpha)
    _key, secret = api_key_create(partner=world.alpha, name="erp", scopes=scopes)
    response = post(
        client_for(world.alpha),
        csv_bytes(good_rows(world.alpha, model.name, 1)),
        HTTP_AUTHORIZATION=f"Api-Key {secret}",
    )
    assert response.status_code == status, response.content
    assert jobs(world.alpha) == (1 if status == 202 else 0)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        (b"\x00\x01\x02\x03" * 1000, "a.csv", "binary"),
        (b"a" * 50_000, "a.csv", "longer than"),
        (b"plate,plant\r\nX,Y\r\n", "a.csv", "no column for vin"),
        (b"not a zip", "a.xlsx", "not an Excel workbook"),
    ],
)
def test_bad_upload_is_a_400_and_stores_nothing(world, queued, content, name, message, settings):
    setup_partner(world.alpha)
    response = post(client_for(world.alpha, world.person(world.alpha, "member")), content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert jobs(world.alpha) == 0 and queued == []
    assert not Path(settings.MEDIA_ROOT).exists() or not [
        p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()
    ]


def test_json_body_is_refused(world, queued):
    response = client_for(world.alpha, world.person(world.alpha, "member")).post(
        API, {"market": "CN"}, content_type="application/json"
    )
    assert response.status_code == 415
    assert jobs(world.alpha) == 0


def test_progress_list_and_rejections(world):
    model = setup_partner(world.alpha)
    rows = [*good_rows(world.alpha, model.name, 2), ("+BAD", model.name, "2025-01-01", "P")]
    job = job_make(world.alpha, csv_bytes(rows), mode="valid_rows")
    with schema_context("alpha"):
        connection.set_tenant(world.alpha)
        import_run(job_id=job.pk)
    connection.set_schema_to_public()
    viewer = client_for(world.alpha, world.person(world.alpha, "viewer"))
    body = viewer.get(f"{API}{job.pk}/").json()
    assert (body["status"], body["progress_percent"], body["rows_created"], body["rows_rejected"]) == (
        "succeeded",
        100,
        2,
        1,
    )
    assert [item["id"] for item in viewer.get(API).json()["results"]] == [str(job.pk)]
    errors = viewer.get(f"{API}{job.pk}/errors/").json()
    assert errors["count"] == 2  # every error of the row: too short, and a character no VIN has
    assert [error | {"reason": ""} for error in errors["results"]] == [
        {"line": 4, "column": "vin", "value": "+BAD", "reason": ""}
    ] * 2
    response = viewer.get(f"{API}{job.pk}/errors.csv/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "4,vin,'+BAD," in b"".join(response.streaming_content).decode()
    assert viewer.get(f"{API}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert viewer.get(f"{API}a5AddA5b12b-C827c199Fb7fBE65e67d63e/").status_code == 404  # not a UUID


def test_other_partner_sees_nothing(world):
    job = job_make(world.alpha, b"vin,model,production_date\r\n")
    _key, beta_secret = api_key_create(partner=world.beta, name="beta", scopes=["vehicles:read"])
    callers = [
        (client_for(world.alpha, world.person(world.beta, "owner")), {}),
        (client_for(world.beta, world.person(world.beta, "owner")), {}),
        (client_for(world.alpha), {"HTTP_AUTHORIZATION": f"Api-Key {beta_secret}"}),
        (client_for(world.beta), {"HTTP_AUTHORIZATION": f"Api-Key {beta_secret}"}),
        (client_for(world.alpha), {}),
    ]
    for client, headers in callers:
        for url in (f"{API}{job.pk}/", f"{API}{job.pk}/errors/", f"{API}{job.pk}/errors.csv/"):
            assert client.get(url, **headers).status_code in (401, 403, 404)
        listing = client.get(API, **headers)
        assert str(job.pk) not in listing.content.decode()


def test_openapi_documents_the_import_endpoints(db, tmp_path, capsys):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(target))
    assert "imports.py" not in capsys.readouterr().err  # no warning about this module
    paths = yaml.safe_load(target.read_text())["paths"]
    assert "multipart/form-data" in paths["/api/v1/vehicle-imports/"]["post"]["requestBody"]["content"]
    assert "202" in paths["/api/v1/vehicle-imports/"]["post"]["responses"]
    assert "/api/v1/vehicle-imports/{id}/errors/" in paths
    assert "text/csv" in paths["/api/v1/vehicle-imports/{id}/errors.csv/"]["get"]["responses"]["200"]["content"]


def _queries(client, url) -> int:
    client.get(url)  # steady state: after a first request the host's partner comes from the shared cache
    with RealQueries(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_jobs(world):
    viewer = client_for(world.alpha, world.person(world.alpha, "viewer"))
    for _ in range(2):
        job_make(world.alpha, b"vin,model,production_date\r\n", user=world.person(world.alpha, "member"))
    few = {url: _queries(viewer, url) for url in (API, "/vehicles/imports/")}
    for _ in range(8):
        job_make(world.alpha, b"vin,model,production_date\r\n", user=world.person(world.alpha, "member"))
    for url, count in few.items():
        assert _queries(viewer, url) == count, url
        with query_budget(count):
            viewer.get(url)
