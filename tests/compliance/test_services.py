"""Adding vehicles, certificates' documents, overriding a verdict (and its audit), and shipping."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tenants.utils import schema_context
from openpyxl import Workbook

from portal.audit.choices import AuditAction
from portal.audit.models import AuditEvent
from portal.compliance.choices import ShipmentStatus, Verdict
from portal.compliance.models import ShipmentOverride, ShipmentVehicle
from portal.compliance.services.certificates import certificate_file_validate
from portal.compliance.services.checks import shipment_check
from portal.compliance.services.releases import shipment_release, shipment_ship
from portal.compliance.services.shipments import shipment_vehicles_add, shipment_vehicles_add_matching
from portal.compliance.services.vins import vins_from_file
from portal.vehicles.filters import VehicleFilterSet
from portal.vehicles.models import Vehicle, VehicleStatusChange
from portal.vehicles.selectors import vehicle_list
from portal.vehicles.services import vehicles_export
from tenants.choices import Role
from tenants.models import Membership

from ..vehicles.factories import vin_for
from .factories import PDF, eu_l3e_model, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db
REASON = "Checked the consignee's registry extract: a different company with a similar name."


def _items(partner, shipment):
    with schema_context(partner.schema_name):
        return set(ShipmentVehicle.objects.filter(shipment=shipment).values_list("vehicle__vin", flat=True))


def test_vehicles_by_list_must_all_be_in_the_registry_and_not_exported(world):
    model = eu_l3e_model(world.alpha)
    good, exported = vehicles_make(world.alpha, model, 2)
    shipment = shipment_make(world.alpha)
    unknown = vin_for("LAL")
    with schema_context(world.alpha.schema_name):
        vehicles_export(vehicle_ids=[exported.pk])
        with pytest.raises(ValidationError) as error:
            shipment_vehicles_add(shipment=shipment, vins=[good.vin, exported.vin, unknown.lower()])
    text = " ".join(error.value.messages)
    assert unknown in text and exported.vin in text and "exported" in text
    assert _items(world.alpha, shipment) == set(), "nothing is added when any VIN is refused"
    with schema_context(world.alpha.schema_name):
        result = shipment_vehicles_add(shipment=shipment, vins=[good.vin.lower(), good.vin])
    assert result.added == 1 and _items(world.alpha, shipment) == {good.vin}


def test_vehicles_by_filter_take_only_the_eligible_ones(world):
    model = eu_l3e_model(world.alpha)
    free, exported = vehicles_make(world.alpha, model, 2)
    shipment = shipment_make(world.alpha)
    with schema_context(world.alpha.schema_name):
        vehicles_export(vehicle_ids=[exported.pk])
        filterset = VehicleFilterSet({"model": model.pk}, queryset=vehicle_list())
        assert filterset.is_valid()
        result = shipment_vehicles_add_matching(shipment=shipment, queryset=filterset.qs)
    assert (result.added, result.skipped) == (1, 1) and _items(world.alpha, shipment) == {free.vin}


def test_vins_come_from_csv_and_xlsx_files():
    vins = [vin_for("LAL") for _ in range(3)]
    csv_file = SimpleUploadedFile("v.csv", f"vin;note\n{vins[0]};a\n{vins[1].lower()};b\n".encode())
    assert vins_from_file(csv_file) == vins[:2]
    workbook = Workbook()
    workbook.active.append(["VIN"])
    workbook.active.append([vins[2]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert vins_from_file(SimpleUploadedFile("v.xlsx", buffer.getvalue())) == [vins[2]]
    with pytest.raises(ValidationError):
        vins_from_file(SimpleUploadedFile("v.xlsx", b"PK\x03\x04 not really a workbook"))


def test_certificate_documents_are_sniffed_not_trusted():
    assert (
        certificate_file_validate(SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")) == "application/pdf"
    )
    fake = SimpleUploadedFile("c.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError):
        certificate_file_validate(fake)
    with override_settings(COMPLIANCE_CERTIFICATE_MAX_BYTES=10), pytest.raises(ValidationError):
        certificate_file_validate(SimpleUploadedFile("c.pdf", PDF))


def _blocked_shipment(world):
    """Blocked by missing certificates (a restricted-party hit would need two officers: see test_releases.py)."""
    model = eu_l3e_model(world.alpha, certified=False)
    vehicles = vehicles_make(world.alpha, model, 2)
    shipment = shipment_make(world.alpha, vehicles=vehicles)
    assert shipment.verdict == Verdict.BLOCKED
    return shipment, vehicles


def _officer(world, role=Role.MEMBER):
    person = world.person(world.alpha, role)
    membership = Membership.objects.get(user=person, partner=world.alpha)
    membership.is_compliance_officer = True
    membership.save()
    return person, membership


def test_a_blocked_shipment_cannot_ship(world):
    shipment, vehicles = _blocked_shipment(world)
    with schema_context(world.alpha.schema_name), pytest.raises(ValidationError):
        shipment_ship(shipment=shipment)
    with schema_context(world.alpha.schema_name):
        assert set(Vehicle.objects.filter(pk__in=[v.pk for v in vehicles]).values_list("status", flat=True)) == {
            "produced"
        }
        assert reload(world.alpha, shipment).status == ShipmentStatus.OPEN


def test_only_a_compliance_officer_with_a_reason_may_override(world):
    shipment, _vehicles = _blocked_shipment(world)
    manager = world.person(world.alpha, Role.MANAGER)
    plain = Membership.objects.get(user=manager, partner=world.alpha)
    with schema_context(world.alpha.schema_name):
        with pytest.raises(PermissionDenied):
            shipment_release(shipment=shipment, membership=plain, user=manager, reason=REASON)
        person, officer = _officer(world)
        with pytest.raises(ValidationError):
            shipment_release(shipment=shipment, membership=officer, user=person, reason="ok")
        assert not ShipmentOverride.objects.exists()


def test_an_override_is_audited_and_lets_the_shipment_go(world):
    shipment, vehicles = _blocked_shipment(world)
    person, officer = _officer(world)
    with schema_context(world.alpha.schema_name):
        override = shipment_release(shipment=shipment, membership=officer, user=person, reason=REASON)
        assert override.reason == REASON and override.officer_email == person.email
        assert override.check_run_id == shipment.latest_check_id and override.verdict == Verdict.BLOCKED
        assert override.reason_codes == [
            reason["key"] for reason in shipment.latest_check.reasons if reason["severity"] != "info"
        ]
        shipment_ship(shipment=shipment, user=person)
        statuses = set(Vehicle.objects.filter(pk__in=[v.pk for v in vehicles]).values_list("status", flat=True))
        history = VehicleStatusChange.objects.filter(vehicle__in=vehicles, to_status="exported")
        assert statuses == {"exported"} and history.count() == 2 and history.first().changed_by == person
        # The fresh check before shipping raised nothing new, so the release was carried to it (and kept).
        assert ShipmentOverride.objects.filter(shipment=shipment).count() == 2
    assert reload(world.alpha, shipment).status == ShipmentStatus.SHIPPED
    event = AuditEvent.objects.get(action=AuditAction.COMPLIANCE_OVERRIDE)
    assert (event.actor, event.partner, event.target_id) == (person, world.alpha, str(shipment.pk))
    assert event.details["reason"] == REASON and event.details["verdict"] == Verdict.BLOCKED


def test_a_refused_override_leaves_no_audit_event(world):
    shipment, _vehicles = _blocked_shipment(world)
    person, officer = _officer(world)
    with schema_context(world.alpha.schema_name), pytest.raises(ValidationError):
        shipment_release(shipment=shipment, membership=officer, user=person, reason="too short")
    assert not AuditEvent.objects.filter(action=AuditAction.COMPLIANCE_OVERRIDE).exists()


def test_an_override_does_not_cover_a_new_reason(world):
    shipment, vehicles = _blocked_shipment(world)
    person, officer = _officer(world)
    with schema_context(world.alpha.schema_name):
        shipment_release(shipment=shipment, membership=officer, user=person, reason=REASON)
        vehicles_export(vehicle_ids=[vehicles[0].pk])
        check = shipment_check(shipment=shipment)
        assert check.verdict == Verdict.BLOCKED
        assert not ShipmentOverride.objects.filter(check_run=check).exists()
        with pytest.raises(ValidationError):
            shipment_ship(shipment=shipment)


def test_a_cleared_shipment_ships_and_its_vehicles_become_exported(world):
    model = eu_l3e_model(world.alpha)
    vehicles = vehicles_make(world.alpha, model, 2)
    shipment = shipment_make(world.alpha, vehicles=vehicles)
    with schema_context(world.alpha.schema_name):
        shipment_ship(shipment=shipment)
        assert set(Vehicle.objects.filter(pk__in=[v.pk for v in vehicles]).values_list("status", flat=True)) == {
            "exported"
        }
        with pytest.raises(ValidationError):
            shipment_vehicles_add(shipment=reload(world.alpha, shipment), vins=[vehicles[0].vin])
