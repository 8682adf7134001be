"""Change capture: the partner-schema triggers mark exactly the (schema, source, month) rows a write touched."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from portal.compliance.models import Certificate, Shipment, ShipmentCheck, ShipmentVehicle
from portal.insights.capture.models import Mark
from portal.insights.capture.triggers import (
    CAPTURED,
    OPERATIONS,
    create_triggers_sql,
    drop_export_trigger_sql,
    drop_triggers_sql,
    export_trigger_sql,
    triggers_to_own_marks,
    triggers_to_public_marks,
)
from portal.insights.models import DirtyMonth
from portal.supply.models import SupplyReport
from portal.supply.services import supply_report_delete, supply_report_save
from portal.vehicles.models import Vehicle, VehicleModel

from .factories import (
    at,
    certificate_row,
    dirty,
    dirty_clear,
    model_row,
    month,
    partner_make,
    shipment_row,
    supply_row,
    vehicle_row,
)

JAN, FEB, MAR, APR = month(2025, 1), month(2025, 2), month(2025, 3), month(2025, 4)


def marks(schema: str, source: str, *months) -> set:
    return {(schema, source, m) for m in months}


# ---------------------------------------------------------------- vehicles


def test_vehicle_insert_marks_its_production_and_registration_months(world):
    model = model_row(world.alpha)
    dirty_clear()
    vehicle_row(world.alpha, model, datetime.date(2025, 1, 31), datetime.date(2025, 3, 2), "TH")
    assert dirty() == marks("alpha", "vehicles", JAN, MAR)
    dirty_clear()
    vehicle_row(world.alpha, model, datetime.date(2025, 2, 1))  # not registered: one month
    assert dirty() == marks("alpha", "vehicles", FEB)


def test_vehicle_update_marks_the_old_and_the_new_months(world):
    model = model_row(world.alpha)
    vehicle = vehicle_row(world.alpha, model, datetime.date(2025, 1, 10), datetime.date(2025, 2, 10), "CN")
    dirty_clear()
    with schema_context("alpha"):
        Vehicle.objects.filter(pk=vehicle.pk).update(production_date=datetime.date(2025, 3, 5))
    assert dirty() == marks("alpha", "vehicles", JAN, FEB, MAR)
    dirty_clear()
    with schema_context("alpha"):
        Vehicle.objects.filter(pk=vehicle.pk).update(registration_date=datetime.date(2025, 4, 5))
    assert dirty() == marks("alpha", "vehicles", MAR, FEB, APR)
    dirty_clear()
    with schema_context("alpha"):
        Vehicle.objects.filter(pk=vehicle.pk).update(registration_date=None, registration_country="")
    assert dirty() == marks("alpha", "vehicles", MAR, APR)


def test_vehicle_delete_marks_its_months(world):
    model = model_row(world.alpha)
    vehicle = vehicle_row(world.alpha, model, datetime.date(2025, 1, 10), datetime.date(2025, 4, 10), "CN")
    dirty_clear()
    with schema_context("alpha"):
        Vehicle.objects.filter(pk=vehicle.pk).delete()
    assert dirty() == marks("alpha", "vehicles", JAN, APR)


def test_one_statement_over_many_rows_marks_each_month_once(world):
    model = model_row(world.alpha)
    with schema_context("alpha"):
        Vehicle.objects.bulk_create(
            [
                Vehicle(vin=f"LSTBULK{n:010d}", model=model, production_date=datetime.date(2025, 1 + n % 3, 1 + n % 27))
                for n in range(300)
            ]
        )
    assert dirty() == marks("alpha", "vehicles", JAN, FEB, MAR)
    with schema_context("alpha"):
        assert Mark.objects.count() == 3
    assert not DirtyMonth.objects.exists()  # the legacy public table: nothing writes it any more


def test_a_model_category_change_marks_the_months_of_its_vehicles_only(world):
    changed, other = model_row(world.alpha, "L3e"), model_row(world.alpha, "L1e")
    vehicle_row(world.alpha, changed, datetime.date(2025, 1, 3), datetime.date(2025, 2, 3), "HU")
    vehicle_row(world.alpha, changed, datetime.date(2025, 1, 20))
    vehicle_row(world.alpha, other, datetime.date(2025, 4, 1), datetime.date(2025, 4, 2), "HU")
    dirty_clear()
    with schema_context("alpha"):
        VehicleModel.objects.filter(pk=changed.pk).update(category="L5e")
    assert dirty() == marks("alpha", "vehicles", JAN, FEB)


def test_a_write_in_one_partner_never_marks_another(world):
    model = model_row(world.beta)
    dirty_clear()
    vehicle_row(world.beta, model, datetime.date(2025, 2, 2))
    supply_row(world.beta, JAN, 100, 10)
    assert dirty() == marks("beta", "vehicles", FEB) | marks("beta", "supply", JAN)
    assert dirty("alpha") == set()


# ---------------------------------------------------------------- shipments


def test_shipping_a_shipment_marks_the_month_it_shipped(world):
    model = model_row(world.alpha)
    vehicles = [vehicle_row(world.alpha, model, datetime.date(2024, 12, 1)) for _ in range(2)]
    dirty_clear()
    shipment = shipment_row(world.alpha, vehicles)  # open: nothing to count yet
    assert dirty() == set()
    with schema_context("alpha"):
        Shipment.objects.filter(pk=shipment.pk).update(
            status="shipped", shipped_at=datetime.datetime(2025, 1, 31, 23, 59, tzinfo=datetime.UTC)
        )
    assert dirty() == marks("alpha", "shipments", JAN)  # the UTC month, like the measure
    dirty_clear()
    with schema_context("alpha"):
        ShipmentVehicle.objects.filter(shipment=shipment, vehicle=vehicles[0]).delete()
    assert dirty() == marks("alpha", "shipments", JAN)  # an item of a shipped shipment: its month


def test_items_of_a_shipped_shipment_mark_its_month(world):
    model = model_row(world.alpha)
    vehicle = vehicle_row(world.alpha, model, datetime.date(2024, 12, 1))
    shipped = shipment_row(world.alpha, shipped_at=at(datetime.date(2025, 3, 15)))
    dirty_clear()
    with schema_context("alpha"):
        ShipmentVehicle.objects.create(shipment=shipped, vehicle=vehicle)
    assert dirty() == marks("alpha", "shipments", MAR)


def test_moving_a_shipped_date_marks_both_months(world):
    shipment = shipment_row(world.alpha, shipped_at=at(datetime.date(2025, 1, 15)))
    dirty_clear()
    with schema_context("alpha"):
        Shipment.objects.filter(pk=shipment.pk).update(shipped_at=at(datetime.date(2025, 4, 15)))
    assert dirty() == marks("alpha", "shipments", JAN, APR)


def test_shipment_checks_mark_the_month_they_were_made(world):
    shipment = shipment_row(world.alpha)
    dirty_clear()
    with schema_context("alpha"):
        check = ShipmentCheck.objects.create(
            shipment=shipment,
            verdict="blocked",
            reasons=[{"code": "embargo", "severity": "block"}],
            rules_version=1,
            screening_version=1,
            checked_on=datetime.date.today(),
            expected_arrival=shipment.expected_arrival,
            destination="HU",
            consignee_name="x",
        )
    this_month = check.checked_at.astimezone(datetime.UTC).date().replace(day=1)
    assert dirty() == marks("alpha", "shipments", this_month)
    dirty_clear()
    with schema_context("alpha"):
        ShipmentCheck.objects.filter(pk=check.pk).update(checked_at=at(datetime.date(2025, 2, 10)))
    assert dirty() == marks("alpha", "shipments", this_month, FEB)
    dirty_clear()
    with schema_context("alpha"):
        ShipmentCheck.objects.filter(pk=check.pk).delete()
    assert dirty() == marks("alpha", "shipments", FEB)


def test_a_model_category_change_marks_the_exports_of_its_vehicles(world):
    model = model_row(world.alpha, "L3e")
    vehicle = vehicle_row(world.alpha, model, datetime.date(2025, 1, 3))
    shipment_row(world.alpha, [vehicle], shipped_at=at(datetime.date(2025, 3, 10)))
    dirty_clear()
    with schema_context("alpha"):
        VehicleModel.objects.filter(pk=model.pk).update(category="L1e")
    assert ("alpha", "shipments", MAR) in dirty()


# ---------------------------------------------------------------- certificates and supply reports


def test_certificates_mark_the_month_they_expire(world):
    dirty_clear()
    certificate = certificate_row(world.alpha, "un-r136", datetime.date(2025, 2, 28))
    certificate_row(world.alpha, "un38-3", None)  # never expires: no month
    assert dirty() == marks("alpha", "certificates", FEB)
    dirty_clear()
    with schema_context("alpha"):
        Certificate.objects.filter(pk=certificate.pk).update(valid_to=datetime.date(2025, 4, 1))
    assert dirty() == marks("alpha", "certificates", FEB, APR)
    dirty_clear()
    with schema_context("alpha"):
        Certificate.objects.filter(pk=certificate.pk).update(note="renamed")  # same month, marked again
        assert dirty() == marks("alpha", "certificates", APR)
        Certificate.objects.filter(pk=certificate.pk).delete()
    assert dirty() == marks("alpha", "certificates", APR)


def test_supply_reports_mark_their_month(world):
    dirty_clear()
    with schema_context("alpha"):
        report = supply_report_save(month=datetime.date(2025, 3, 17), total_value=Decimal(100), local_value=Decimal(40))
        assert dirty() == marks("alpha", "supply", MAR)
        dirty_clear()
        supply_report_save(month=MAR, total_value=Decimal(120), local_value=Decimal(40))  # a correction
        assert dirty() == marks("alpha", "supply", MAR)
        dirty_clear()
        SupplyReport.objects.filter(pk=report.pk).update(month=JAN)
        assert dirty() == marks("alpha", "supply", MAR, JAN)
        dirty_clear()
        supply_report_delete(report=SupplyReport.objects.get(pk=report.pk))
    assert dirty() == marks("alpha", "supply", JAN)


def test_marking_a_month_again_keeps_one_row_and_refreshes_it(world):
    supply_row(world.alpha, JAN, 10, 1)
    with schema_context("alpha"):
        first = Mark.objects.get(source="supply", month=JAN)
        SupplyReport.objects.filter(month=JAN).update(note="again")
        again = Mark.objects.get(source="supply", month=JAN)
    assert again.pk == first.pk and again.marked_at >= first.marked_at


# ---------------------------------------------------------------- new partners and other connections


def _triggers(schema: str) -> set:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND t.tgname LIKE 'insights_%%'",
            [schema],
        )
        return set(cursor.fetchall())


def test_a_provisioned_partner_has_the_triggers(world):
    tables = [apps.get_model(label)._meta.db_table for label in CAPTURED]
    expected = {(table, f"insights_{suffix}") for table in tables for suffix in OPERATIONS}
    expected.add((VehicleModel._meta.db_table, "insights_exports_upd"))  # a model's exports (migration 0002)
    assert _triggers("alpha") == expected
    gamma = partner_make("gamma")
    assert _triggers("gamma") == expected
    dirty_clear()
    model = model_row(gamma)
    vehicle_row(gamma, model, datetime.date(2025, 2, 2))
    supply_row(gamma, APR, 10, 5)
    certificate_row(gamma, "un-r136", datetime.date(2025, 3, 9))
    assert dirty() == marks("gamma", "vehicles", FEB) | marks("gamma", "supply", APR) | marks(
        "gamma", "certificates", MAR
    )


def test_a_write_from_the_public_search_path_is_marked_for_the_table_schema(world):
    model = model_row(world.alpha, "L3e")
    vehicle = vehicle_row(world.alpha, model, datetime.date(2025, 1, 3), datetime.date(2025, 2, 3), "HU")
    shipped = shipment_row(world.alpha, shipped_at=at(datetime.date(2025, 3, 1)))
    dirty_clear()
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert "alpha" not in cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO alpha.supply_supplyreport (month, total_value, local_value, currency, note, updated_at) "
            "VALUES ('2025-04-01', 10, 5, 'CNY', '', now())"
        )
        assert dirty() == marks("alpha", "supply", APR)
        dirty_clear()
        # The model trigger looks the vehicles up in the table's schema, not on the search path.
        cursor.execute("UPDATE alpha.vehicles_vehiclemodel SET category = 'L1e' WHERE id = %s", [model.pk])
        assert dirty() == marks("alpha", "vehicles", JAN, FEB)
        dirty_clear()
        # So does the shipment-item trigger, for its shipment's date.
        cursor.execute(
            "INSERT INTO alpha.compliance_shipmentvehicle (shipment_id, vehicle_id, added_at) VALUES (%s, %s, now())",
            [shipped.pk, vehicle.pk],
        )
        assert dirty() == marks("alpha", "shipments", MAR)
    assert not DirtyMonth.objects.exists()


def test_the_migrations_drop_and_reinstall_the_triggers_by_the_models_names(world):
    """The migrations' reverse and forward SQL, rendered from the models' `_meta`, leave the same triggers."""
    expected = _triggers("alpha")
    with schema_context("alpha"), connection.cursor() as cursor:
        cursor.execute(drop_export_trigger_sql())
        cursor.execute(drop_triggers_sql())
        assert _triggers("alpha") == set()
        cursor.execute(create_triggers_sql())
        cursor.execute(export_trigger_sql())
    assert _triggers("alpha") == expected


def _functions(schema: str) -> set:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT t.tgfoid::regproc::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND t.tgname LIKE 'insights_%%'",
            [schema],
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_triggers_mark_the_partners_own_table(world):
    """Every trigger calls the function that writes the schema's own marks, in alpha, the template and a clone."""
    assert _functions("alpha") == {"insights_mark_months"}
    assert _functions(settings.TENANT_BASE_SCHEMA) == {"insights_mark_months"}
    assert _functions(partner_make("delta").schema_name) == {"insights_mark_months"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.insights_capture_mark')")
        assert cursor.fetchone()[0] is None  # a tenant table only


def test_the_migration_moves_a_schemas_public_marks_into_its_own_table_and_back(world):
    """insights_capture 0004 on a schema marked by the legacy triggers: its marks move, no other schema's does."""
    dirty_clear()
    DirtyMonth.objects.create(schema_name="alpha", source="supply", month=JAN)
    DirtyMonth.objects.create(schema_name="beta", source="supply", month=FEB)
    with schema_context("alpha"), connection.schema_editor() as editor:
        triggers_to_public_marks(apps, editor)  # the state before 0004: legacy triggers, public marks
        assert _functions("alpha") == {"insights_mark_dirty"}
        SupplyReport.objects.create(month=MAR, total_value=1, local_value=1)  # marked by the legacy function
        assert set(DirtyMonth.objects.values_list("schema_name", "month")) == {
            ("alpha", JAN),
            ("alpha", MAR),
            ("beta", FEB),
        }
        triggers_to_own_marks(apps, editor)
    assert _functions("alpha") == {"insights_mark_months"}
    assert dirty("alpha") == marks("alpha", "supply", JAN, MAR)
    assert set(DirtyMonth.objects.values_list("schema_name", "month")) == {("beta", FEB)}
    supply_row(world.alpha, APR, 10, 1)
    assert dirty("alpha") == marks("alpha", "supply", JAN, MAR, APR)
