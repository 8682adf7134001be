"""Reads of export compliance (current partner schema)."""

from __future__ import annotations

import datetime
import operator

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from portal.vehicles.choices import VehicleStatus
from portal.vehicles.models import Vehicle, VehicleModel, VehicleStatusChange
from tenants.choices import Role
from tenants.models import Partner

from .choices import ReleaseRequestStatus, ShipmentStatus
from .models import (
    AfterSalesOutlet,
    Certificate,
    ExportAuthorisation,
    ExportLicence,
    ReleaseRequest,
    Shipment,
    ShipmentCheck,
    ShipmentOverride,
    ShipmentVehicle,
)
from .verdict import (
    AuthorisationFacts,
    CertificateFacts,
    ExportFacts,
    LicenceFacts,
    ModelFacts,
    VehicleRow,
)


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def certificate_list() -> QuerySet[Certificate]:
    """The partner's certificates with their type and models (three queries per page, whatever its size)."""
    return Certificate.objects.select_related("certificate_type").prefetch_related(
        Prefetch("vehicle_models", queryset=VehicleModel.objects.order_by("name").only("id", "name"))
    )


def certificate_get(*, pk) -> Certificate:
    """One certificate, or 404."""
    return _get(certificate_list(), pk)


def expiry_warning_days() -> list[int]:
    """How many days ahead expiry warnings go out (settings.COMPLIANCE_EXPIRY_WARNING_DAYS), largest first."""
    return sorted({int(day) for day in settings.COMPLIANCE_EXPIRY_WARNING_DAYS}, reverse=True)


def compliance_recipients(*, partner: Partner, also=()) -> list[str]:
    """E-mails of the partner's active owners, managers and compliance officers (and anyone named), each once."""
    people = partner.memberships.filter(user__is_active=True).select_related("user")
    emails = [m.user.email for m in people if m.role in (Role.OWNER, Role.MANAGER) or m.is_compliance_officer]
    emails += [user.email for user in also if user is not None and getattr(user, "email", "")]
    return sorted(set(emails))


def compliance_officers(*, partner: Partner) -> list:
    """The partner's active compliance officers (member role or above): who may release a shipment."""
    people = partner.memberships.filter(is_compliance_officer=True, user__is_active=True).select_related("user")
    return sorted(
        (m for m in people if m.has_role(Role.MEMBER)), key=lambda m: (m.user.full_name or m.user.email).lower()
    )


def page_path(name: str, **kwargs) -> str:
    """The path of a partner-host page by its URL name (the partner urlconf of settings.ROOT_URLCONF)."""
    return reverse(name, kwargs=kwargs, urlconf=settings.ROOT_URLCONF)


def certificates_expiring(*, within_days: int, today: datetime.date | None = None) -> QuerySet[Certificate]:
    """Certificates that expire between today and `within_days` from now, soonest first."""
    today = today or datetime.date.today()
    return certificate_list().filter(valid_to__gte=today, valid_to__lte=today + datetime.timedelta(days=within_days))


def shipment_list() -> QuerySet[Shipment]:
    """The partner's shipments with their release, if any (one query per page)."""
    return Shipment.objects.select_related("release")


def shipment_get(*, pk) -> Shipment:
    """One shipment with its latest check and release, or 404."""
    return _get(Shipment.objects.select_related("latest_check", "release", "created_by", "shipped_by"), pk)


def release_request_pending(*, shipment: Shipment) -> ReleaseRequest | None:
    """The shipment's release request waiting for a second officer, if any."""
    return shipment.release_requests.filter(status=ReleaseRequestStatus.PENDING).select_related("requested_by").first()


def release_request_get(*, shipment: Shipment, pk) -> ReleaseRequest:
    """One release request of the shipment, or 404."""
    return _get(shipment.release_requests.select_related("requested_by", "shipment"), pk)


def release_requests(*, shipment: Shipment) -> QuerySet[ReleaseRequest]:
    """A shipment's release requests, newest first (part of its audit trail)."""
    return shipment.release_requests.order_by("-created_at", "-id")


def certificate_shipments(*, certificate: Certificate) -> QuerySet[Shipment]:
    """The open and shipped shipments that carry vehicles of the models the certificate covers, newest first."""
    carrying = ShipmentVehicle.objects.filter(vehicle__model__in=certificate.vehicle_models.all()).values("shipment")
    return (
        shipment_list()
        .filter(pk__in=carrying, status__in=[ShipmentStatus.OPEN, ShipmentStatus.SHIPPED])
        .order_by("-created_at", "-id")
    )


def certificate_ids_by_number(*, numbers) -> dict[str, int]:
    """Certificate number → id (for links from verdict reasons, which name certificates by number)."""
    return dict(Certificate.objects.filter(number__in=list(numbers)).values_list("number", "pk"))


def shipment_vehicles(*, shipment: Shipment) -> QuerySet[Vehicle]:
    """The shipment's vehicles with their models, by VIN."""
    return Vehicle.objects.filter(shipment_items__shipment=shipment).select_related("model").order_by("vin")


def shipment_check_list() -> QuerySet[ShipmentCheck]:
    """Every stored check, newest first."""
    return ShipmentCheck.objects.select_related("shipment", "checked_by")


def shipment_check_get(*, pk) -> ShipmentCheck:
    """One stored check, or 404."""
    return _get(shipment_check_list(), pk)


def shipment_checks(*, shipment: Shipment) -> QuerySet[ShipmentCheck]:
    """A shipment's checks, newest first."""
    return shipment.checks.select_related("checked_by").order_by("-checked_at", "-id")


def shipment_overrides(*, shipment: Shipment) -> QuerySet[ShipmentOverride]:
    """A shipment's overrides, newest first (the audit trail of releases)."""
    return shipment.overrides.select_related("officer", "check_run").order_by("-created_at", "-id")


def shipment_override_current(*, shipment: Shipment) -> ShipmentOverride | None:
    """The release of the shipment's latest check, if officers released it."""
    return shipment.release if shipment.release_id is not None else None


def open_shipments_behind(*, rules_version: int, screening_version: int) -> QuerySet[Shipment]:
    """Open shipments whose latest check used older rule tables or an older screening list (or never ran)."""
    from django.db.models import Q

    return Shipment.objects.filter(status=ShipmentStatus.OPEN).filter(
        Q(latest_check__isnull=True)
        | ~Q(latest_check__rules_version=rules_version)
        | ~Q(latest_check__screening_version=screening_version)
    )


# --- what the check reads ---------------------------------------------------------------------------------------


def shipment_vehicle_ids(*, shipment: Shipment) -> QuerySet:
    """The ids of the shipment's vehicles, as a subquery (for reads of other tables by vehicle)."""
    return ShipmentVehicle.objects.filter(shipment_id=shipment.pk).values("vehicle_id")


CHECK_VEHICLE_COLUMNS = [  # VehicleRow's fields, in its order
    "vehicle_id",
    "vehicle__vin",
    "vehicle__status",
    "vehicle__model_id",
    "ever_exported",
    "vehicle__registration_date",
]


def check_vehicle_rows(*, shipment: Shipment) -> list[VehicleRow]:
    """The shipment's vehicles as the check needs them (one query, whatever the number of vehicles)."""
    exported_once = VehicleStatusChange.objects.filter(
        vehicle_id=OuterRef("vehicle_id"), to_status=VehicleStatus.EXPORTED
    )
    rows = (
        ShipmentVehicle.objects.filter(shipment=shipment)
        .annotate(ever_exported=Exists(exported_once))
        .values_list(*CHECK_VEHICLE_COLUMNS)
        .order_by()
    )
    # A shipment holds thousands of vehicles: the rows come in one fetch and become named tuples as they are (the
    # columns need no conversion), without the queryset's row-by-row iteration; columns are taken by their names.
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        if names == CHECK_VEHICLE_COLUMNS:  # as Django 5.2 writes it: each row is a VehicleRow as it comes
            return list(map(VehicleRow._make, cursor.fetchall()))
        pick = operator.itemgetter(*[names.index(name) for name in CHECK_VEHICLE_COLUMNS])
        return [VehicleRow._make(pick(row)) for row in cursor.fetchall()]


def check_export_facts() -> ExportFacts:
    """The partner's export licences, authorisations and after-sales outlet countries (three queries)."""
    return ExportFacts(
        licences=tuple(
            LicenceFacts(
                number=licence.number,
                hs_codes=tuple(licence.hs_codes),
                destinations=frozenset(licence.destinations),
                valid_from=licence.valid_from,
                valid_to=licence.valid_to,
            )
            for licence in ExportLicence.objects.all()
        ),
        authorisations=tuple(
            AuthorisationFacts(manufacturer=item.manufacturer, valid_from=item.valid_from, valid_to=item.valid_to)
            for item in ExportAuthorisation.objects.all()
        ),
        outlet_countries=frozenset(str(code) for code in AfterSalesOutlet.objects.values_list("country", flat=True)),
    )


def check_models(*, model_ids) -> dict[int, ModelFacts]:
    """The vehicle models of the shipment."""
    return {
        model.pk: ModelFacts(
            id=model.pk,
            name=model.name,
            category=model.category,
            battery_chemistry=model.battery_chemistry,
            battery_kwh=model.battery_kwh,
            hs_code=model.hs_code,
        )
        for model in VehicleModel.objects.filter(pk__in=list(model_ids))
    }


def check_certificates(*, model_ids) -> list[CertificateFacts]:
    """The certificates that cover any of the models, with every model each covers (one query)."""
    links = Certificate.vehicle_models.through.objects.filter(
        certificate__in=Certificate.objects.filter(vehicle_models__in=list(model_ids))
    ).values_list(
        "certificate_id",
        "vehiclemodel_id",
        "certificate__certificate_type_id",
        "certificate__number",
        "certificate__valid_from",
        "certificate__valid_to",
        "certificate__rxswins",
    )
    found: dict[int, dict] = {}
    for certificate_id, model_id, type_id, number, valid_from, valid_to, rxswins in links:
        entry = found.setdefault(
            certificate_id,
            {
                "type": type_id,
                "number": number,
                "from": valid_from,
                "to": valid_to,
                "rxswins": frozenset(rxswins or ()),
                "models": set(),
            },
        )
        entry["models"].add(model_id)
    return [
        CertificateFacts(
            id=pk,
            certificate_type_id=entry["type"],
            number=entry["number"],
            valid_from=entry["from"],
            valid_to=entry["to"],
            model_ids=frozenset(entry["models"]),
            rxswins=entry["rxswins"],
        )
        for pk, entry in found.items()
    ]


def check_vehicle_rxswins(*, shipment: Shipment) -> dict[int, str]:
    """Vehicle id → recorded RXSWIN (UN R156) of the shipment's vehicles that have one (one query; the check
    calls it only when a certificate of the shipment's models lists RXSWINs)."""
    return dict(
        ShipmentVehicle.objects.filter(shipment=shipment)
        .exclude(vehicle__rxswin="")
        .values_list("vehicle_id", "vehicle__rxswin")
        .order_by()
    )


def check_vehicles_elsewhere(*, shipment: Shipment) -> dict[str, list[str]]:
    """VIN → other open or shipped shipments that carry the same vehicle."""
    rows = (
        ShipmentVehicle.objects.filter(
            vehicle__shipment_items__shipment=shipment,
            shipment__status__in=[ShipmentStatus.OPEN, ShipmentStatus.SHIPPED],
        )
        .exclude(shipment=shipment)
        .values_list("vehicle__vin", "shipment_id", "shipment__reference")
    )
    elsewhere: dict[str, list[str]] = {}
    for vin, pk, reference in rows:
        elsewhere.setdefault(vin, []).append(reference or f"#{pk}")
    return elsewhere


def export_records() -> dict:
    """The partner's export licences, authorisations and after-sales outlets, for their page (three queries)."""
    return {
        "licences": list(ExportLicence.objects.order_by("-valid_to", "number")),
        "authorisations": list(ExportAuthorisation.objects.order_by("manufacturer", "-valid_to")),
        "outlets": list(AfterSalesOutlet.objects.order_by("country", "name")),
    }


def undertaking_use(*, shipment: Shipment) -> int:
    """Vehicles the partner shipped this calendar year under the shipment's price undertaking (other shipments)."""
    year = shipment.expected_arrival.year
    return (
        ShipmentVehicle.objects.filter(
            shipment__price_undertaking_id=shipment.price_undertaking_id,
            shipment__status=ShipmentStatus.SHIPPED,
            shipment__expected_arrival__year=year,
        )
        .exclude(shipment_id=shipment.pk)
        .count()
    )


def undertaking_use_this_year(*, year: int) -> dict[int, int]:
    """Undertaking id → vehicles the partner shipped under it in the year (by expected arrival), for the rules page."""
    rows = (
        ShipmentVehicle.objects.filter(
            shipment__status=ShipmentStatus.SHIPPED,
            shipment__price_undertaking_id__isnull=False,
            shipment__expected_arrival__year=year,
        )
        .values_list("shipment__price_undertaking_id")
        .annotate(vehicles=Count("pk"))
    )
    return dict(rows)
