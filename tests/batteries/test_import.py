"""Bulk import of batteries and readings through the vehicle import's pipeline: rows, errors, dry run, upsert."""

import datetime

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from portal.batteries.choices import BatteryCategory, BatteryStatus, Granularity, ReadingSource
from portal.batteries.importing.targets import BATTERIES, READINGS, battery_template_header, parse_moment
from portal.batteries.models import Battery, BatteryFitment, BatteryReading
from portal.batteries.registry.models import PassportIndex
from portal.batteries.selectors import COLUMN_VALUES, battery_history, passports_missing
from portal.vehicles.choices import ImportMode, ImportProblemLevel, ImportStatus
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportRejection
from tests.vehicles.factories import vehicle_make
from tests.vehicles.import_samples import csv_bytes, job_make, media_root, xlsx_bytes

from .factories import battery_make, full_values, identifier_next, model_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path):
    with media_root(tmp_path):
        yield tmp_path


def _run(partner, content, *, kind=BATTERIES, name="batteries.csv", **fields):
    fields.setdefault("mode", ImportMode.VALID_ROWS)
    job = job_make(partner, content, name=name, kind=kind, **fields)
    with schema_context(partner.schema_name):
        import_run(job_id=job.pk, partner_id=partner.pk)
        job.refresh_from_db()
    return job


def _battery_values(category) -> dict:
    """Every static attribute value kept per battery, but those that are the battery's own columns."""
    values = full_values(category, Granularity.BATTERY)
    return {code: value for code, value in values.items() if code not in COLUMN_VALUES}


def _errors(partner, job) -> dict[int, list[tuple[str, str]]]:
    with schema_context(partner.schema_name):
        rows = ImportRejection.objects.filter(job=job, level=ImportProblemLevel.ERROR).order_by("line", "id")
        found: dict[int, list[tuple[str, str]]] = {}
        for row in rows:
            found.setdefault(row.line, []).append((row.column, row.reason))
        return found


def test_batteries_are_created_with_index_fitment_history_and_completeness(world, media):
    model = model_make(world.alpha, category=BatteryCategory.LMT, complete=True)
    partial = model_make(world.alpha, category=BatteryCategory.LMT, complete=False)
    vehicle = vehicle_make(world.alpha)
    with schema_context(world.alpha.schema_name):
        battery_values = _battery_values(BatteryCategory.LMT)
    codes = sorted(battery_values)
    header = ["Battery identifier", "Battery model code", "VIN", "Fitted on", *codes]
    first, second, third = identifier_next(), identifier_next(), identifier_next()
    rows = [
        (first, model.code, vehicle.vin, "2026-01-15", *(battery_values[code] for code in codes)),
        (second.lower(), model.code, "", "", *([""] * len(codes))),  # no battery values: incomplete
        (third, partial.code, "", "", *(battery_values[code] for code in codes)),  # model values missing
    ]
    job = _run(world.alpha, csv_bytes(rows, header=header))
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert (job.rows_created, job.rows_rejected) == (3, 0)
    with schema_context(world.alpha.schema_name):
        batteries = {battery.identifier: battery for battery in Battery.objects.select_related("battery_model")}
        assert set(batteries) == {first, second, third}
        missing = passports_missing(batteries.values())
        # The flag the import computed in SQL is the selectors' verdict.
        assert {identifier: battery.complete for identifier, battery in batteries.items()} == {
            first: True,
            second: False,
            third: False,
        }
        assert all(battery.complete == (not missing[battery.pk]) for battery in batteries.values())
        assert batteries[first].vehicle_id == vehicle.pk
        fitment = BatteryFitment.objects.get(battery=batteries[first])
        assert (fitment.vin, fitment.fitted_on, fitment.removed_on) == (vehicle.vin, datetime.date(2026, 1, 15), None)
        # The fitted battery's `+` row is written with it; the others' creation is the run's one batch row,
        # shown by the history as the same step (tests/batteries/test_import_history.py).
        assert Battery.history.filter(history_type="+").count() == 1
        assert all(battery_history(battery=battery)[-1].kind == "+" for battery in batteries.values())
    connection.set_schema_to_public()
    index = dict(
        PassportIndex.objects.filter(identifier__in=[first, second, third]).values_list("identifier", "partner")
    )
    assert index == {first: world.alpha.pk, second: world.alpha.pk, third: world.alpha.pk}


def test_every_error_of_a_row_is_reported_and_other_rows_import(world, media):
    model = model_make(world.alpha, category=BatteryCategory.LMT)
    theirs = battery_make(world.beta)  # another partner's passport
    good, duplicate = identifier_next(), identifier_next()
    rows = [
        (good, model.code, "", "", ""),
        ("bad id!", "NO-SUCH-MODEL", "", "", ""),
        (duplicate, model.code, "EV", "", ""),  # category differs from the model's
        (theirs.identifier, model.code, "", "", ""),
        (identifier_next(), model.code, "", "LBV00000000000000", "2026-01-01"),  # VIN not the partner's
        (identifier_next(), model.code, "", "LBV0000000000000", ""),  # 16 characters, no fitting date
        (good, model.code, "", "", ""),  # duplicate of line 2
    ]
    header = ["identifier", "model", "category", "vin", "fitted on"]
    job = _run(world.alpha, csv_bytes(rows, header=header))
    errors = _errors(world.alpha, job)
    assert job.rows_created == 1 and job.rows_rejected == 6
    assert [column for column, _reason in errors[3]] == ["identifier", "model"]
    assert errors[4][0][0] == "category"
    assert errors[5] == [("identifier", "This identifier is already used by another battery passport.")]
    assert errors[6] == [("vin", "No vehicle of yours has this VIN.")]
    assert [column for column, _reason in errors[7]] == ["vin", "fitted_on"]
    assert errors[8] == [("identifier", "The identifier is already on line 2 of this file.")]
    with schema_context(world.alpha.schema_name):
        assert list(Battery.objects.values_list("identifier", flat=True)) == [good]
    connection.set_schema_to_public()
    assert PassportIndex.objects.get(identifier=theirs.identifier).partner == world.beta


def test_all_or_nothing_and_dry_run_write_nothing(world, media):
    model = model_make(world.alpha)
    rows = [(identifier_next(), model.code), (identifier_next(), "NO-SUCH-MODEL")]
    content = csv_bytes(rows, header=["identifier", "model"])
    refused = _run(world.alpha, content, mode=ImportMode.ALL_OR_NOTHING)
    dry = _run(world.alpha, content, dry_run=True)
    assert refused.status == ImportStatus.FAILED and refused.rows_rejected == 1
    assert dry.status == ImportStatus.SUCCEEDED and (dry.rows_created, dry.rows_rejected) == (1, 1)
    with schema_context(world.alpha.schema_name):
        assert not Battery.objects.exists()
    connection.set_schema_to_public()
    assert not PassportIndex.objects.filter(identifier=rows[0][0]).exists()


def test_a_second_import_updates_changed_batteries_only(world, media):
    model = model_make(world.alpha, category=BatteryCategory.LMT)
    existing = battery_make(world.alpha, battery_model=model, complete=False)
    assert existing.complete is False
    other = battery_make(world.alpha, battery_model=model)
    with schema_context(world.alpha.schema_name):
        values = _battery_values(BatteryCategory.LMT)
    codes = sorted(values)
    header = ["identifier", "model", "status", *codes]
    rows = [
        (existing.identifier, model.code, "repurposed", *(values[code] for code in codes)),
        (other.identifier, model.code, "", *([""] * len(codes))),  # empty cells keep the values: unchanged
    ]
    job = _run(world.alpha, csv_bytes(rows, header=header))
    assert (job.rows_created, job.rows_updated, job.rows_unchanged) == (0, 1, 1), job.error_message
    with schema_context(world.alpha.schema_name):
        existing.refresh_from_db()
        assert existing.status == BatteryStatus.REPURPOSED and existing.complete is True
        assert Battery.history.filter(id=existing.pk, history_type="~").count() == 1
        assert not Battery.history.filter(id=other.pk, history_type="~").exists()
    again = _run(world.alpha, csv_bytes(rows, header=header))
    assert (again.rows_updated, again.rows_unchanged) == (0, 2)
    # A waste battery cannot become original again: refused by the status steps.
    back = _run(world.alpha, csv_bytes([(existing.identifier, model.code, "original")], header=header[:3]))
    assert _errors(world.alpha, back)[2][0][0] == "status"


def test_batteries_from_xlsx(world, media):
    model = model_make(world.alpha)
    identifier = identifier_next()
    job = _run(world.alpha, xlsx_bytes([(identifier, model.code)], header=["电池编码", "电池型号"]), name="b.xlsx")
    assert job.rows_created == 1, job.error_message


def test_readings_are_upserted_per_battery_time_and_source(world, media):
    battery = battery_make(world.alpha)
    header = ["identifier", "measured at", "SOH", "capacity fade", "cycles", "energy throughput", "event", "source"]
    rows = [
        (battery.identifier, "2026-03-01T08:30:00Z", "97,5", "2.5", "120", "800.5", "", ""),
        (battery.identifier, "2026-03-02", "97.4", "", "121", "", "thermal event", "bms"),
        (battery.identifier, "2026-03-02", "97.4", "", "121", "", "", "bms"),  # duplicate of line 3
        ("LA-NOT-OURS-1", "2026-03-02", "90", "", "", "", "", ""),
        (battery.identifier, "not a date", "101", "-1", "1.5", "x", "", "robot"),
    ]
    job = _run(world.alpha, csv_bytes(rows, header=header, sep=";"), kind=READINGS, name="readings.csv")
    errors = _errors(world.alpha, job)
    assert (job.rows_created, job.rows_rejected) == (2, 3), errors
    assert errors[4][0][0] == "measured_at"
    assert errors[5] == [("identifier", "No battery of yours has this identifier; import the batteries first.")]
    assert [column for column, _reason in errors[6]] == [
        "measured_at",
        "state_of_health",
        "capacity_fade",
        "energy_throughput",
        "cycles",
        "source",
    ]
    with schema_context(world.alpha.schema_name):
        readings = list(BatteryReading.objects.filter(battery=battery).order_by("measured_at"))
        assert [(str(r.state_of_health), r.cycles, r.source) for r in readings] == [
            ("97.50", 120, ReadingSource.IMPORT),
            ("97.40", 121, ReadingSource.BMS),
        ]
        assert readings[1].negative_event == "thermal event"
    changed = [(battery.identifier, "2026-03-01T08:30:00Z", "97", "2.5", "120", "800.5", "", "")]
    again = _run(world.alpha, csv_bytes(changed, header=header), kind=READINGS)
    assert (again.rows_created, again.rows_updated) == (0, 1)
    with schema_context(world.alpha.schema_name):
        assert BatteryReading.objects.filter(battery=battery).count() == 2


def test_readings_never_reach_another_partners_battery(world, media):
    theirs = battery_make(world.beta)
    job = _run(world.alpha, csv_bytes([(theirs.identifier, "2026-03-01", "90")], header=["id", "date", "soh"]))
    assert job.status == ImportStatus.FAILED  # "id" is no column name: the header is refused
    job = _run(
        world.alpha,
        csv_bytes([(theirs.identifier, "2026-03-01", "90")], header=["identifier", "date", "soh"]),
        kind=READINGS,
    )
    assert job.rows_rejected == 1 and job.rows_created == 0
    with schema_context(world.beta.schema_name):
        assert not BatteryReading.objects.filter(battery_id=theirs.pk).exists()


def test_moments_and_the_template():
    assert parse_moment("2026-03-01") == datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    assert parse_moment("2026-03-01T08:30:00+08:00").utcoffset() == datetime.timedelta(hours=8)
    assert parse_moment("2026-03-01 08:30").tzinfo == datetime.UTC
    assert parse_moment("yesterday") is None


def test_template_names_the_mandatory_attributes(world):
    header = battery_template_header()
    assert header[:2] == ["Battery identifier", "Battery model code"]
    assert len(header) > 6
