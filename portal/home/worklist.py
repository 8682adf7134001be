"""The partner home's worklist: what needs the person now, each item one click from the page where it is fixed.

Reads only (selectors of several domains: this is the composition layer). A fixed number of queries whatever the
number of rows: one count and one short list per kind. What a link offers depends on the role: a person who may
fix a thing gets the form that fixes it, anyone else the page that shows it, read-only.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.collaboration.pipeline import TERMINAL
from portal.collaboration.selectors import invitation_list, project_list_for_partner
from portal.compliance.choices import ShipmentStatus, Verdict
from portal.compliance.selectors import certificate_list, shipment_list
from portal.vehicles.choices import ImportStatus
from portal.vehicles.importing.selectors import import_job_list
from tenants.choices import Role

SHOWN = 5
EXPIRY_DAYS = 30
FAILED_IMPORT_DAYS = 30


def stalled_after_days() -> int:
    """A project is stalled when its stage has not changed for this many days (settings.WORKLIST_STALLED_DAYS)."""
    return int(getattr(settings, "WORKLIST_STALLED_DAYS", 30))


@dataclass(frozen=True)
class Item:
    """One thing to do: what it is, a detail, and the link to where it is done."""

    label: str
    detail: str
    url: str
    when: datetime.date | None = None
    note: str = ""  # a name in its own script (a consignee), isolated from the detail in right-to-left pages


@dataclass
class Section:
    """One kind of work: how many there are, the first few, the action a link offers and where to see them all."""

    key: str
    title: str
    count: int
    action: str
    more_url: str
    items: list[Item] = field(default_factory=list)
    note: str = ""


@dataclass
class Worklist:
    sections: list[Section]

    @property
    def open_sections(self) -> list[Section]:
        return [section for section in self.sections if section.count]

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections)


def _url(name: str, *args) -> str:
    return reverse(name, args=args, urlconf=settings.ROOT_URLCONF)


def _shipments(*, can_fix: bool) -> list[Section]:
    waiting = shipment_list().filter(
        status=ShipmentStatus.OPEN, verdict__in=[Verdict.BLOCKED, Verdict.NEEDS_REVIEW], release__isnull=True
    )
    counts = waiting.aggregate(
        blocked=Count("pk", filter=Q(verdict=Verdict.BLOCKED)),
        review=Count("pk", filter=Q(verdict=Verdict.NEEDS_REVIEW)),
    )
    sections = []
    for verdict, key, title in (
        (Verdict.BLOCKED, "blocked", _("Blocked shipments")),
        (Verdict.NEEDS_REVIEW, "review", _("Shipments that need review")),
    ):
        rows = waiting.filter(verdict=verdict).order_by("expected_arrival", "pk")[:SHOWN]
        sections.append(
            Section(
                key=key,
                title=title,
                count=counts[key],
                action=_("Fix") if can_fix else _("View"),
                more_url=f"{_url('compliance:shipment_list')}?status={ShipmentStatus.OPEN}&verdict={verdict}&released=no",
                items=[
                    Item(
                        label=shipment.label,
                        detail=shipment.destination.name,
                        note=shipment.consignee_name,
                        url=_url("compliance:shipment_detail", shipment.pk),
                    )
                    for shipment in rows
                ],
            )
        )
    return sections


def _certificates(*, today: datetime.date, can_fix: bool) -> Section:
    due = certificate_list().filter(valid_to__lte=today + datetime.timedelta(days=EXPIRY_DAYS))
    rows = due.select_related("certificate_type").order_by("valid_to", "pk")[:SHOWN]
    return Section(
        key="certificates",
        title=_("Certificates expired or expiring within 30 days"),
        count=due.count(),
        action=_("Renew") if can_fix else _("View"),
        more_url=_url("compliance:certificate_list"),
        items=[
            Item(
                label=f"{certificate.certificate_type.name} {certificate.number}",
                detail=_("Expired on") if certificate.valid_to < today else _("Expires on"),
                when=certificate.valid_to,
                url=_url("compliance:certificate_update", certificate.pk)
                if can_fix
                else _url("compliance:certificate_list"),
            )
            for certificate in rows
        ],
    )


def _invitations(*, partner, can_answer: bool) -> Section:
    invitations = invitation_list(partner=partner)
    rows = invitations.order_by("-invited_at", "pk")[:SHOWN]
    return Section(
        key="invitations",
        title=_("Invitations waiting for your answer"),
        count=invitations.count(),
        action=_("Answer") if can_answer else _("View"),
        more_url=_url("collaboration:project-list"),
        note="" if can_answer else _("A manager or owner answers invitations."),
        items=[
            Item(
                label=invitation.project.title,
                detail=invitation.project.owner.name,
                url=_url("collaboration:project-detail", invitation.project_id),
            )
            for invitation in rows
        ],
    )


def _stalled(*, partner, now: datetime.datetime, can_move: bool) -> Section:
    days = stalled_after_days()
    stalled = (
        project_list_for_partner(partner=partner, accepted_only=True)
        .filter(owner=partner)  # the partner that moves it; the others follow its stage changes in the inbox
        .exclude(stage__in=TERMINAL)
        .filter(stage_changed_at__lt=now - datetime.timedelta(days=days))
    )
    rows = stalled.order_by("stage_changed_at", "pk")[:SHOWN]
    return Section(
        key="stalled",
        title=_("Stalled projects: no stage change for %(days)d days") % {"days": days},
        count=stalled.count(),
        action=_("Move on") if can_move else _("View"),
        more_url=_url("collaboration:board"),
        items=[
            Item(
                label=project.title,
                detail=_("%(stage)s since") % {"stage": project.get_stage_display()},
                when=project.stage_changed_at.date(),
                url=_url("collaboration:project-transition", project.pk)
                if can_move
                else _url("collaboration:project-detail", project.pk),
            )
            for project in rows
        ],
    )


def _failed_imports(*, now: datetime.datetime, can_retry: bool) -> Section:
    failed = import_job_list().filter(
        status=ImportStatus.FAILED, created_at__gte=now - datetime.timedelta(days=FAILED_IMPORT_DAYS)
    )
    rows = failed[:SHOWN]
    return Section(
        key="imports",
        title=_("Failed imports (last 30 days)"),
        count=failed.count(),
        action=_("See why") if can_retry else _("View"),
        more_url=_url("vehicles:import_list"),
        items=[
            Item(
                label=job.original_name,
                detail=_("Failed on"),
                when=job.created_at.date(),
                url=_url("vehicles:import_detail", job.pk),
            )
            for job in rows
        ],
    )


def worklist(*, partner, membership, now: datetime.datetime | None = None) -> Worklist:
    """What needs this member of the partner now (the partner's schema in use), as sections of work."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    may = membership.has_role
    return Worklist(
        sections=[
            *_shipments(can_fix=may(Role.MEMBER)),
            _certificates(today=today, can_fix=may(Role.MEMBER)),
            _invitations(partner=partner, can_answer=may(Role.MANAGER)),
            _stalled(partner=partner, now=now, can_move=may(Role.MANAGER)),
            _failed_imports(now=now, can_retry=may(Role.MEMBER)),
        ]
    )
