"""What a bulk import of batteries leaves in the history, and its first import into an empty battery table.

A battery imported without a vehicle has no `+` history row until it first changes (its run's BatteryImportBatch
tells its creation): the history page and `battery_history` must show exactly what a stored `+` row shows, before
and after the battery changes (through the services, a second import, a deletion). A large first import builds the
battery table's plain indexes after its rows, in its transaction: the same indexes afterwards, and all of them
still there when the import fails.
"""

import pytest
from django.db import connection
from django.urls import reverse
from django_tenants.utils import schema_context

from portal.batteries.choices import BatteryStatus
from portal.batteries.importing import targets
from portal.batteries.importing.targets import BATTERIES
from portal.batteries.models import Battery, BatteryImportBatch
from portal.batteries.selectors import battery_history
from portal.batteries.services import battery_delete, battery_update
from portal.vehicles.choices import ImportMode, ImportStatus
from portal.vehicles.importing.pipeline import import_run
from tenants.choices import Role
from tests.vehicles.factories import vehicle_make
from tests.vehicles.import_samples import csv_bytes, job_make, media_root

from ..conftest import client_for
from .factories import identifier_next, model_make

pytestmark = pytest.mark.django_db

HISTORY = Battery.history.model


@pytest.fixture
def media(tmp_path):
    with media_root(tmp_path):
        yield tmp_path


def _run(partner, rows, *, user=None, header=("identifier", "model", "vin", "fitted_on", "status")):
    job = job_make(
        partner,
        csv_bytes(rows, header=list(header)),
        name="packs.csv",
        user=user,
        kind=BATTERIES,
        mode=ImportMode.VALID_ROWS,
    )
    with schema_context(partner.schema_name):
        timings = import_run(job_id=job.pk, partner_id=partner.pk).timings
        job.refresh_from_db()
    job.timings = timings
    return job


def _rows(battery):
    """The battery's stored history rows, oldest first, as the fields a reader is shown."""
    return [
        (row.history_type, row.history_user_id, row.history_change_reason, row.status, row.vehicle_id, row.values)
        for row in HISTORY.objects.filter(id=battery.pk).order_by("history_date", "history_id")
    ]


def test_an_imported_battery_shows_its_creation_before_and_after_it_changes(world, media):
    uploader = world.person(world.alpha, Role.MEMBER)
    model = model_make(world.alpha)
    vehicle = vehicle_make(world.alpha)
    loose, fitted = identifier_next(), identifier_next()
    job = _run(
        world.alpha,
        [(loose, model.code, "", "", ""), (fitted, model.code, vehicle.vin, "2026-01-15", "")],
        user=uploader,
    )
    assert job.status == ImportStatus.SUCCEEDED and job.rows_created == 2, job.error_message
    with schema_context(world.alpha.schema_name):
        loose_battery, fitted_battery = Battery.objects.get(identifier=loose), Battery.objects.get(identifier=fitted)
        # The fitted battery's `+` row is written with it; the other's creation is the run's batch row.
        assert _rows(fitted_battery) == [("+", uploader.pk, "Import of packs.csv", "original", vehicle.pk, {})]
        assert _rows(loose_battery) == []
        batch = BatteryImportBatch.objects.get()
        assert batch.first_id <= loose_battery.pk <= batch.last_id and batch.history_user_id == uploader.pk
        for battery in (loose_battery, fitted_battery):
            (step,) = battery_history(battery=battery)
            assert (step.kind, step.who, step.changes) == ("+", uploader, [])
            assert step.when == battery.created_at
    # The history page shows it too: one step, created, by the uploader.
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = client.get(reverse("batteries:battery_history", kwargs={"identifier": loose}))
    assert page.status_code == 200
    assert [step.who for step in page.context["changes"]] == [uploader]

    # The first change writes the stored `+` row (the state it was created with) before its own `~` row.
    with schema_context(world.alpha.schema_name):
        battery_update(battery=loose_battery, partner=world.alpha, status=BatteryStatus.REPURPOSED)
        assert _rows(loose_battery) == [
            ("+", uploader.pk, "Import of packs.csv", "original", None, {}),
            ("~", None, None, "repurposed", None, {}),
        ]
        created, changed = battery_history(battery=loose_battery)[::-1]
        assert (created.kind, created.who, created.when) == ("+", uploader, loose_battery.created_at)
        assert changed.kind == "~" and [change[0] for change in changed.changes] == ["status"]
        # Once only: the next change adds its `~` row alone.
        battery_update(battery=loose_battery, partner=world.alpha, status=BatteryStatus.WASTE)
        assert [row[0] for row in _rows(loose_battery)] == ["+", "~", "~"]


def test_a_second_import_and_a_deletion_keep_the_creation(world, media):
    uploader = world.person(world.alpha, Role.MEMBER)
    model = model_make(world.alpha)
    first, second = identifier_next(), identifier_next()
    _run(world.alpha, [(first, model.code, "", "", ""), (second, model.code, "", "", "")], user=uploader)
    again = _run(world.alpha, [(first, model.code, "", "", "repurposed")])
    assert again.rows_updated == 1, again.error_message
    with schema_context(world.alpha.schema_name):
        battery = Battery.objects.get(identifier=first)
        assert [(row[0], row[1], row[3]) for row in _rows(battery)] == [
            ("+", uploader.pk, "original"),
            ("~", None, "repurposed"),
        ]
        other = Battery.objects.get(identifier=second)
        pk = other.pk
        battery_delete(battery=other, partner=world.alpha)
        other.pk = pk
        assert [(row[0], row[1], row[3]) for row in _rows(other)] == [
            ("+", uploader.pk, "original"),
            ("-", None, "original"),
        ]


def _indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
            [table],
        )
        return dict(cursor.fetchall())


def test_a_large_first_import_builds_the_indexes_after_its_rows(world, media, monkeypatch):
    monkeypatch.setattr(targets, "BULK_BUILD_ROWS", 2)
    model = model_make(world.alpha)
    with schema_context(world.alpha.schema_name):
        assert not Battery.objects.exists()
        before = _indexes(Battery._meta.db_table)
    assert len(before) >= 9
    codes = [identifier_next() for _ in range(3)]
    job = _run(world.alpha, [(code, model.code, "", "", "") for code in codes])
    assert job.status == ImportStatus.SUCCEEDED and job.rows_created == 3, job.error_message
    assert job.timings.get("upsert: build the indexes set aside") is not None
    with schema_context(world.alpha.schema_name):
        assert _indexes(Battery._meta.db_table) == before
        assert sorted(Battery.objects.values_list("identifier", flat=True)) == sorted(codes)
        # Not empty any more: the next import inserts with the indexes in place.
        more = _run(world.alpha, [(identifier_next(), model.code, "", "", "") for _ in range(3)])
        assert more.rows_created == 3 and "upsert: build the indexes set aside" not in more.timings


def test_a_failing_first_import_leaves_the_table_and_its_indexes_as_they_were(world, media, monkeypatch):
    monkeypatch.setattr(targets, "BULK_BUILD_ROWS", 2)
    model = model_make(world.alpha)
    with schema_context(world.alpha.schema_name):
        before = _indexes(Battery._meta.db_table)

    def broken(*args, **kwargs):
        raise RuntimeError("the webhook queue is down")

    monkeypatch.setattr(targets, "imported_event", broken)
    with pytest.raises(RuntimeError):
        _run(world.alpha, [(identifier_next(), model.code, "", "", "") for _ in range(3)])
    with schema_context(world.alpha.schema_name):
        assert _indexes(Battery._meta.db_table) == before
        assert not Battery.objects.exists() and not BatteryImportBatch.objects.exists()


def test_an_own_index_entry_without_its_battery_is_replaced_by_the_imported_one(world, media):
    from portal.batteries.registry.models import PassportIndex

    model = model_make(world.alpha)
    code = identifier_next()
    connection.set_schema_to_public()
    PassportIndex.objects.create(identifier=code, partner=world.alpha, battery_id=987654321)
    job = _run(world.alpha, [(code, model.code, "", "", "")])
    assert job.status == ImportStatus.SUCCEEDED and job.rows_created == 1, job.error_message
    with schema_context(world.alpha.schema_name):
        battery = Battery.objects.get(identifier=code)
    connection.set_schema_to_public()
    assert list(PassportIndex.objects.filter(identifier=code).values_list("partner", "battery_id")) == [
        (world.alpha.pk, battery.pk)
    ]
