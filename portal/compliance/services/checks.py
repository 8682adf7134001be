"""The check of a shipment: `shipment_check` is the one check (pages, API and re-check job all call it), its
reproduction from the tables' history, and the re-check of open shipments when the tables change."""

from __future__ import annotations

import datetime
import time

from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.caller import person_of
from portal.inbox.choices import NoticeKind
from portal.inbox.services import notify_many
from portal.integrations.models import WebhookEvent
from portal.integrations.webhooks import webhook_event_emit_here
from portal.reference.selectors import rule_set_as_of, rule_set_current, screened_parties_as_of
from portal.reference.versions import reference_versions, rules_version
from tenants.choices import Role
from tenants.models import Partner
from tenants.selectors import partner_url

from .. import selectors
from ..battery_passports import incomplete_batteries, passport_rules_apply
from ..choices import Trigger, Verdict
from ..dismissals import screening_without_dismissed
from ..freshness import stale_list_reasons
from ..models import Shipment, ShipmentCheck, ShipmentOverride
from ..screening import index_from_parties, index_get, thresholds
from ..verdict import NO_EXPORT_FACTS, Outcome, ShipmentFacts, evaluate


def _origin() -> str:
    """The exporting partner's country (export licence rules are the exporting country's)."""
    country = getattr(connection.tenant, "country", None)
    if country is None:  # a schema_context (tasks, shell) has no partner row: read it
        country = Partner.objects.filter(schema_name=connection.schema_name).values_list("country", flat=True).first()
    return str(country or "")


def _facts(shipment: Shipment) -> ShipmentFacts:
    return ShipmentFacts(
        destination=str(shipment.destination),
        consignee_name=shipment.consignee_name,
        consignee_country=str(shipment.consignee_country),
        hs_code=shipment.hs_code,
        expected_arrival=shipment.expected_arrival,
        origin=_origin(),
        ships_on=shipment.ships_on,
        manufacturer=shipment.manufacturer,
        after_sales_letter=shipment.after_sales_letter,
        shipment_certificate=shipment.shipment_certificate,
        producer=shipment.producer,
        taric_additional_code=shipment.taric_additional_code,
        invoice_price=shipment.invoice_price,
        invoice_declaration=shipment.invoice_declaration,
        price_undertaking_id=shipment.price_undertaking_id,
        undertaking_used=selectors.undertaking_use(shipment=shipment) if shipment.price_undertaking_id else 0,
    )


def shipment_evaluate(
    *, shipment: Shipment, rules=None, screening=None, today=None, limits=None, dismissals_at=None
) -> Outcome:
    """The verdict of a shipment now (or with given tables, to reproduce a stored check), without storing it."""
    rules = rule_set_current() if rules is None else rules
    screening = index_get(version=rules.versions["screening"]) if screening is None else screening
    # Hits officers found not to be the listed party stay out while the entry and the consignee are unchanged.
    screening = screening_without_dismissed(screening, at=dismissals_at)
    vehicles = selectors.check_vehicle_rows(shipment=shipment)
    model_ids = {row.model_id for row in vehicles}
    facts = _facts(shipment)
    licence_rules = [rule for rule in rules.export_licence_rules if str(rule.origin) == facts.origin]
    certificates = selectors.check_certificates(model_ids=model_ids) if model_ids else []
    return evaluate(
        facts=facts,
        vehicles=vehicles,
        models=selectors.check_models(model_ids=model_ids),
        certificates=certificates,
        elsewhere=selectors.check_vehicles_elsewhere(shipment=shipment) if vehicles else {},
        rules=rules,
        screening=screening,
        thresholds=limits or thresholds(),
        today=today or timezone.localdate(),
        export_facts=selectors.check_export_facts() if licence_rules else NO_EXPORT_FACTS,
        batteries=(
            incomplete_batteries(vehicle_ids=selectors.shipment_vehicle_ids(shipment=shipment))
            if vehicles and passport_rules_apply(rules=rules, destination=facts.destination)
            else ()
        ),
        # UN R156: the vehicles' RXSWINs are read only when an approval of the shipment's models lists some.
        rxswins=(
            selectors.check_vehicle_rxswins(shipment=shipment)
            if any(certificate.rxswins for certificate in certificates)
            else None
        ),
    )


def shipment_check(
    *, shipment: Shipment, user=None, trigger: str = Trigger.MANUAL, today: datetime.date | None = None
) -> ShipmentCheck:
    """Check the shipment, store the verdict with every reason and the table versions, and tell webhooks."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    rules = rule_set_current()
    limits = thresholds()
    outcome = shipment_evaluate(shipment=shipment, rules=rules, today=today, limits=limits)
    # A screening list past its refresh interval: a warning line on every check (a note: the verdict stays).
    outcome = Outcome(verdict=outcome.verdict, reasons=[*outcome.reasons, *stale_list_reasons(today=today)])
    with transaction.atomic():
        previous, previous_check_id = shipment.verdict, shipment.latest_check_id
        check = ShipmentCheck.objects.create(
            shipment=shipment,
            verdict=outcome.verdict,
            reasons=outcome.reasons_as_dicts(),
            rules_version=rules.rules_version,
            screening_version=rules.versions["screening"],
            versions=rules.versions,
            thresholds=limits,
            checked_on=today,
            expected_arrival=shipment.expected_arrival,
            destination=str(shipment.destination),
            consignee_name=shipment.consignee_name,
            vehicle_count=shipment.vehicle_count,
            trigger=trigger,
            checked_by=person_of(user),
            duration_ms=int((time.perf_counter() - started) * 1000),
        )
        # A new check is released only when the release is carried to it (below).
        Shipment.objects.filter(pk=shipment.pk).update(verdict=outcome.verdict, latest_check=check, release=None)
        shipment.verdict, shipment.latest_check, shipment.release = outcome.verdict, check, None
        if previous_check_id is not None and outcome.verdict != Verdict.CLEARED:
            _override_carry(shipment=shipment, previous_check_id=previous_check_id, check=check)
        if previous and previous != outcome.verdict:  # the inbox of its creator, managers and officers
            notify_many(
                kind=NoticeKind.VERDICT,
                people=[shipment.created_by_id],
                minimum_role=Role.MANAGER,
                officers=True,
                actor=user,
                params={
                    "reference": shipment.label,
                    "before_label": Verdict(previous).label,
                    "after_label": Verdict(outcome.verdict).label,
                },
                url=selectors.page_path("compliance:shipment_detail", pk=shipment.pk),
            )
        verdict_event_emit(
            shipment=shipment,
            check=check,
            previous_verdict=previous or None,
            reasons=[{"code": r.code, "severity": r.severity, "key": r.key} for r in outcome.reasons],
            rules_version=check.rules_version,
            screening_version=check.screening_version,
            trigger=trigger,
        )
    return check


def verdict_event_emit(*, shipment: Shipment, check: ShipmentCheck, **details) -> None:
    """The `compliance.verdict` webhook event of a check (or of its release)."""
    data = {"shipment": shipment.pk, "reference": shipment.reference, "check": check.pk, "verdict": check.verdict}
    webhook_event_emit_here(event=WebhookEvent.COMPLIANCE_VERDICT, data={**data, **details})


def release_keys(check: ShipmentCheck) -> list[str]:
    """The keys of the reasons a release of this check covers (every reason but the notes)."""
    return [item["key"] for item in check.reasons if item["severity"] != "info"]


def _override_carry(*, shipment: Shipment, previous_check_id: int, check: ShipmentCheck) -> None:
    """An officer's release stays with the shipment while a new check raises nothing the officer did not release."""
    override = shipment.overrides.filter(check_run_id=previous_check_id).order_by("-created_at").first()
    if override is not None and set(release_keys(check)) <= set(override.reason_codes):
        carried = ShipmentOverride.objects.create(
            shipment=shipment,
            check_run=check,
            verdict=check.verdict,
            reason_codes=override.reason_codes,
            reason=override.reason,
            officer=override.officer,
            officer_email=override.officer_email,
            approved_by=override.approved_by,
            approved_by_email=override.approved_by_email,
        )
        Shipment.objects.filter(pk=shipment.pk).update(release=carried)
        ShipmentCheck.objects.filter(pk=check.pk).update(released=True)
        shipment.release, check.released = carried, True


def check_reproduce(*, check: ShipmentCheck) -> Outcome:
    """Run a stored check again with the rule tables and screening list exactly as they were (from their history).

    The shipment's vehicles and certificates are read as they are now; on an unchanged shipment the outcome
    equals the stored one.
    """
    rules = rule_set_as_of(check.versions)
    version = check.versions.get("screening", check.screening_version)
    screening = index_from_parties(screened_parties_as_of(version), version=version)
    shipment = Shipment(
        pk=check.shipment_id,
        destination=check.destination,
        consignee_name=check.consignee_name,
        consignee_country=check.shipment.consignee_country,
        hs_code=check.shipment.hs_code,
        expected_arrival=check.expected_arrival,
        ships_on=check.shipment.ships_on,
        manufacturer=check.shipment.manufacturer,
        after_sales_letter=check.shipment.after_sales_letter,
        shipment_certificate=check.shipment.shipment_certificate,
        producer=check.shipment.producer,
        taric_additional_code=check.shipment.taric_additional_code,
        invoice_price=check.shipment.invoice_price,
        invoice_declaration=check.shipment.invoice_declaration,
        price_undertaking_id=check.shipment.price_undertaking_id,
    )
    return shipment_evaluate(
        shipment=shipment,
        rules=rules,
        screening=screening,
        today=check.checked_on,
        limits=check.thresholds,
        dismissals_at=check.checked_at,
    )


def shipments_recheck_behind(*, partner: Partner) -> dict:
    """Check again every open shipment (current schema) whose latest check used older tables; mail the changes.

    Idempotent: a shipment checked with the current tables is not behind any more, so a rerun does nothing.
    """
    versions = reference_versions()
    behind = selectors.open_shipments_behind(
        rules_version=rules_version(versions), screening_version=versions["screening"]
    ).select_related("created_by")
    changed = 0
    count = 0
    for shipment in behind.iterator(chunk_size=200):
        before = shipment.verdict
        check = shipment_check(shipment=shipment, trigger=Trigger.RECHECK)
        count += 1
        if check.verdict != before:
            changed += 1
            _verdict_changed_mail(shipment, partner=partner, before=before, after=check.verdict)
    return {"rechecked": count, "changed": changed}


def _verdict_changed_mail(shipment: Shipment, *, partner: Partner, before: str, after: str) -> None:
    send_mail(
        _("Shipment %(reference)s is now: %(verdict)s")
        % {
            "reference": shipment.label,
            "verdict": Verdict(after).label,
        },
        _(
            "The alliance changed its export rules or screening list, and shipment %(reference)s to "
            "%(destination)s was checked again: %(before)s → %(after)s.\n\n%(url)s"
        )
        % {
            "reference": shipment.label,
            "destination": shipment.destination.name,
            "before": Verdict(before).label if before else "—",
            "after": Verdict(after).label,
            "url": partner_url(partner, selectors.page_path("compliance:shipment_detail", pk=shipment.pk)),
        },
        None,
        selectors.compliance_recipients(partner=partner, also=[shipment.created_by]),
    )
