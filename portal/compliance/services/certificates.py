"""Writes of the certificate vault: certificates with their documents, and the expiry warnings they get."""

from __future__ import annotations

import datetime

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.core.caller import person_of
from portal.inbox.choices import NoticeKind
from portal.inbox.services import notify_many
from portal.reference.models import CertificateType
from tenants.choices import Role
from tenants.models import Partner
from tenants.selectors import partner_url

from .. import selectors
from ..models import Certificate, CertificateWarning

MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
CERTIFICATE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/webp", "image/tiff"}
CERTIFICATE_FIELDS = ("certificate_type", "number", "issuing_body", "valid_from", "valid_to", "note", "rxswins")


def _rxswins(values) -> list[str]:
    """The RXSWINs as given, trimmed, blanks dropped, each once (order kept); validated by the model's field."""
    return list(dict.fromkeys(text for text in (str(value).strip() for value in values or ()) if text))


def certificate_file_validate(file) -> str:
    """The document's real content type, sniffed from its bytes (the name and the browser's word are not trusted)."""
    limit = getattr(settings, "COMPLIANCE_CERTIFICATE_MAX_BYTES", MAX_CERTIFICATE_BYTES)
    if file.size > limit:
        raise ValidationError({"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}})
    if file.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in CERTIFICATE_TYPES:
        raise ValidationError({"file": _("Only PDF documents and images (PNG, JPEG, WebP, TIFF) are accepted.")})
    return kind.mime


def _certificate_clean(certificate: Certificate, vehicle_models) -> None:
    errors = {}
    if certificate.valid_to and certificate.valid_to < certificate.valid_from:
        errors["valid_to"] = _("A certificate cannot expire before it is valid.")
    if not list(vehicle_models):
        errors["vehicle_models"] = _("Choose the vehicle models the certificate covers.")
    max_months = certificate.certificate_type.max_validity_months
    if max_months and certificate.valid_to is None:
        errors["valid_to"] = _("A %(type)s expires: give the date.") % {"type": certificate.certificate_type.name}
    if errors:
        raise ValidationError(errors)
    certificate.full_clean(exclude=["file", "vehicle_models"])


def _attach(certificate: Certificate, file) -> None:
    certificate.content_type = certificate_file_validate(file)
    certificate.file_name = (getattr(file, "name", "") or "certificate").rsplit("/", 1)[-1][:200]
    certificate.size = file.size
    certificate.file.save(certificate.file_name, file, save=False)


@transaction.atomic
def certificate_create(
    *,
    certificate_type: CertificateType,
    number: str,
    issuing_body: str,
    vehicle_models,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    file=None,
    note: str = "",
    rxswins=(),
    user=None,
) -> Certificate:
    """Add a certificate of the partner, with its document when given (`rxswins`: those a UN R156 approval covers)."""
    vehicle_models = list(vehicle_models)
    certificate = Certificate(
        certificate_type=certificate_type,
        number=number.strip(),
        issuing_body=issuing_body.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        note=(note or "").strip(),
        rxswins=_rxswins(rxswins),
        uploaded_by=person_of(user),
    )
    _certificate_clean(certificate, vehicle_models)
    if file is not None:
        _attach(certificate, file)
    certificate.save()
    certificate.vehicle_models.set(vehicle_models)
    return certificate


@transaction.atomic
def certificate_update(
    *, certificate: Certificate, vehicle_models=None, file=None, user=None, **changes
) -> Certificate:
    """Change a certificate (a renewal is a new validity and document); its expiry warnings start again."""
    unknown = set(changes) - set(CERTIFICATE_FIELDS)
    if unknown:
        raise TypeError(f"certificate_update: unknown fields {sorted(unknown)}")
    if "rxswins" in changes:
        changes["rxswins"] = _rxswins(changes["rxswins"])
    for name, value in changes.items():
        setattr(certificate, name, value.strip() if isinstance(value, str) else value)
    models = list(vehicle_models) if vehicle_models is not None else list(certificate.vehicle_models.all())
    _certificate_clean(certificate, models)
    if file is not None:
        old = certificate.file.name
        _attach(certificate, file)
        if old:
            transaction.on_commit(lambda: certificate.file.storage.delete(old))
        certificate.uploaded_by = person_of(user) or certificate.uploaded_by
    certificate.save()
    certificate.vehicle_models.set(models)
    return certificate


EXPIRED_NOTICE = datetime.timedelta(days=7)


def _threshold(days_left: int) -> int | None:
    """The smallest warning threshold the certificate has reached (7 before 30 before 90)."""
    reached = [day for day in selectors.expiry_warning_days() if days_left <= day]
    return min(reached) if reached else None


def certificate_expiry_warnings_send(*, partner: Partner, today: datetime.date) -> int:
    """Warn the partner (whose schema is current) about certificates that expire soon; each warning once.

    Idempotent: a warning is kept once sent (certificate × threshold × expiry date); returns how many went out.
    """
    sent = 0
    within = max(selectors.expiry_warning_days())
    for certificate in selectors.certificates_expiring(within_days=within, today=today):
        threshold = _threshold((certificate.valid_to - today).days)
        if threshold is None:
            continue
        try:
            with transaction.atomic():
                warning = CertificateWarning.objects.create(
                    certificate=certificate, days_before=threshold, valid_to=certificate.valid_to
                )
                recipients = selectors.compliance_recipients(partner=partner)
                _expiry_mail(certificate, partner=partner, today=today, recipients=recipients)
                notify_many(  # the inbox of managers and officers, with the renewal form a click away
                    kind=NoticeKind.CERTIFICATE,
                    minimum_role=Role.MANAGER,
                    officers=True,
                    params={"number": certificate.number, "expiry_date": certificate.valid_to},
                    url=selectors.page_path("compliance:certificate_update", pk=certificate.pk),
                )
                warning.recipients = len(recipients)
                warning.save(update_fields=["recipients"])
        except IntegrityError:
            continue  # already warned at this threshold (a rerun, or two workers at once)
        sent += 1
    _expired_notify(today=today)
    return sent


def _expired_notify(*, today: datetime.date) -> None:
    """Certificates that expired in the last week: one inbox notice each (kept as a 0-day warning), no mail."""
    for certificate in selectors.certificate_list().filter(valid_to__lt=today, valid_to__gte=today - EXPIRED_NOTICE):
        try:
            with transaction.atomic():
                CertificateWarning.objects.create(certificate=certificate, days_before=0, valid_to=certificate.valid_to)
                notify_many(
                    kind=NoticeKind.CERTIFICATE,
                    variant="certificate_expired",
                    minimum_role=Role.MANAGER,
                    officers=True,
                    params={"number": certificate.number, "expiry_date": certificate.valid_to},
                    url=selectors.page_path("compliance:certificate_update", pk=certificate.pk),
                )
        except IntegrityError:
            continue  # told already


def _expiry_mail(certificate: Certificate, *, partner: Partner, today: datetime.date, recipients: list[str]) -> None:
    models = ", ".join(model.name for model in certificate.vehicle_models.all())
    send_mail(
        _("Certificate %(number)s expires on %(date)s")
        % {
            "number": certificate.number,
            "date": certificate.valid_to.isoformat(),
        },
        _(
            "The %(type)s %(number)s (%(models)s) of %(partner)s expires on %(date)s, in %(days)d days. "
            "Shipments that arrive later will be blocked until it is renewed.\n\n%(url)s"
        )
        % {
            "type": certificate.certificate_type.name,
            "number": certificate.number,
            "models": models,
            "partner": partner.name,
            "date": certificate.valid_to.isoformat(),
            "days": (certificate.valid_to - today).days,
            "url": partner_url(partner, selectors.page_path("compliance:certificate_update", pk=certificate.pk)),
        },
        None,
        recipients,
    )
