"""The import pipeline called directly: encodings, separators, XLSX, headers, modes, dry run, re-import."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from portal.vehicles.choices import ImportMode, ImportStatus
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportJob, ImportRejection, Vehicle, VehicleStatusChange

from .factories import vin_for
from .import_samples import HEADER, csv_bytes, good_rows, job_make, media_root, setup_partner, xlsx_bytes


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    with media_root(tmp_path) as root:
        yield root


@pytest.fixture
def alpha(world):
    model = setup_partner(world.alpha, model_name="Thunder S1")
    return world.alpha, model


def run(partner, content, **fields) -> ImportJob:
    job = job_make(partner, content, **fields)
    with schema_context(partner.schema_name):
        connection.set_tenant(partner)
        import_run(job_id=job.pk)
        job.refresh_from_db()
    connection.set_schema_to_public()
    return job


def vehicles(partner) -> list[Vehicle]:
    with schema_context(partner.schema_name):
        return list(Vehicle.objects.order_by("vin"))


def rejections(partner, job) -> list[tuple]:
    with schema_context(partner.schema_name):
        return list(ImportRejection.objects.filter(job=job).values_list("line", "column", "reason"))


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("utf-16-le", ","), ("gb18030", ","), ("gbk", ";")],
)
def test_encodings_and_separators(alpha, encoding, sep):
    partner, model = alpha
    rows = good_rows(partner, model.name, 3, plant="重庆工厂")
    job = run(partner, csv_bytes(rows, sep=sep, encoding=encoding))
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert (job.rows_total, job.rows_created, job.rows_rejected) == (3, 3, 0)
    assert [(v.vin, v.plant) for v in vehicles(partner)] == sorted((row[0], "重庆工厂") for row in rows)


def test_utf16_big_endian_with_bom(alpha):
    import codecs

    partner, model = alpha
    text = csv_bytes(good_rows(partner, model.name, 2), sep="\t").decode()
    job = run(partner, codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert job.rows_created == 2


def test_chinese_headers_in_gbk_and_common_date_formats(alpha):
    partner, model = alpha
    rows = [
        (vin_for("LAL", 1), model.name, "2025/03/01", "一厂"),
        (vin_for("LAL", 2), model.name, "01.03.2025", "一厂"),
        (vin_for("LAL", 3), model.name, "2025年3月1日", "一厂"),
    ]
    job = run(partner, csv_bytes(rows, header=["车架号", "车型", "生产日期", "工厂"], encoding="gbk"))
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert {str(v.production_date) for v in vehicles(partner)} == {"2025-03-01"}


def test_lenient_headers(alpha):
    partner, model = alpha
    header = [" V.I.N ", "Model_Name", "Production Date", "FACTORY", "Unused column"]
    rows = [(vin_for("LAL", 1), model.name.upper(), "2025-03-01", "P1", "x")]
    job = run(partner, csv_bytes(rows, header=header))
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert vehicles(partner)[0].model_id == model.pk


def test_xlsx(alpha):
    import datetime

    partner, model = alpha
    rows = [
        (vin_for("LAL", 1), model.name, datetime.datetime(2025, 3, 1), "P1"),
        (vin_for("LAL", 2), model.name, "2025-03-02", None),
    ]
    job = run(partner, xlsx_bytes(rows), name="vehicles.xlsx")
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert [str(v.production_date) for v in vehicles(partner)] == ["2025-03-01", "2025-03-02"]


def bad_file(partner, model_name):
    rows = good_rows(partner, model_name, 4)
    vins = [row[0] for row in rows]
    broken = vins[1][:8] + ("0" if vins[1][8] != "0" else "1") + vins[1][9:]
    rows[1] = (broken, model_name, "2025-03-01", "P")  # check digit, line 3
    rows.append((vins[0], model_name, "2025-03-02", "P"))  # duplicate of line 2, line 6
    rows.append((vin_for("LAL", 99), "No such model", "2025-03-01", "P"))  # line 7
    rows.append((vin_for("LAL", 98), model_name, "2025-02-30", "P"))  # line 8
    return csv_bytes(rows), {vins[0], vins[2], vins[3]}


def test_all_or_nothing_refuses_everything_and_lists_every_rejection(alpha):
    partner, model = alpha
    content, _valid = bad_file(partner, model.name)
    job = run(partner, content, mode=ImportMode.ALL_OR_NOTHING)
    assert job.status == ImportStatus.FAILED
    assert "nothing was imported" in job.error_message
    assert vehicles(partner) == []
    found = rejections(partner, job)
    assert [(line, column) for line, column, _ in found] == [
        (3, "vin"),
        (6, "vin"),
        (7, "model"),
        (8, "production_date"),
    ]
    assert "line 2" in found[1][2]
    assert (job.rows_total, job.rows_valid, job.rows_rejected) == (7, 3, 4)


def test_valid_rows_mode_imports_the_rest(alpha):
    partner, model = alpha
    content, valid = bad_file(partner, model.name)
    job = run(partner, content, mode=ImportMode.VALID_ROWS)
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert {v.vin for v in vehicles(partner)} == valid
    assert (job.rows_created, job.rows_rejected) == (3, 4)
    with schema_context(partner.schema_name):
        assert VehicleStatusChange.objects.filter(source="import").count() == 3


def test_dry_run_changes_nothing(alpha):
    partner, model = alpha
    content, _valid = bad_file(partner, model.name)
    job = run(partner, content, mode=ImportMode.VALID_ROWS, dry_run=True)
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.rows_created, job.rows_rejected) == (3, 4)
    assert vehicles(partner) == []
    assert len(rejections(partner, job)) == 4


def test_reimport_creates_no_duplicates_and_updates_changes(alpha):
    partner, model = alpha
    rows = good_rows(partner, model.name, 5)
    first = run(partner, csv_bytes(rows))
    assert first.rows_created == 5
    again = run(partner, csv_bytes(rows))
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 5)
    rows[0] = (rows[0][0], model.name, "2025-01-01", "Other plant")
    header = [*HEADER, "status"]
    changed = run(
        partner, csv_bytes([(*row, "registered" if i == 1 else "") for i, row in enumerate(rows)], header=header)
    )
    assert (changed.rows_created, changed.rows_updated, changed.rows_unchanged) == (0, 2, 3)
    assert len(vehicles(partner)) == 5
    with schema_context(partner.schema_name):
        assert Vehicle.objects.get(vin=rows[0][0]).plant == "Other plant"
        assert Vehicle.objects.get(vin=rows[1][0]).status == "registered"
        change = VehicleStatusChange.objects.filter(vehicle__vin=rows[1][0]).order_by("id").last()
        assert (change.from_status, change.to_status, change.source) == ("produced", "registered", "import")


def test_finished_job_is_not_run_again(alpha):
    partner, model = alpha
    job = run(partner, csv_bytes(good_rows(partner, model.name, 2)))
    with schema_context(partner.schema_name):
        Vehicle.objects.all().delete()
        connection.set_tenant(partner)
        import_run(job_id=job.pk)
        assert Vehicle.objects.count() == 0
