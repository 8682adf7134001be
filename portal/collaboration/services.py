"""Writes of collaboration projects: every rule (roles, transitions, versions, files) is checked here."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.core.caller import person_of
from portal.integrations.models import WebhookEvent
from portal.integrations.webhooks import webhook_event_emit
from tenants.choices import Role, role_at_least
from tenants.models import Partner, User

from .choices import ParticipantStatus, Stage, TimelineKind
from .models import Document, Listing, Milestone, Participant, Product, Project, TimelineEvent, Transition
from .notifications import notify_invitation, notify_stage_change
from .pipeline import TERMINAL, evidence_hint, transition_check

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Content type → the leading bytes a real file of that type starts with.
ALLOWED_DOCUMENTS = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (b"PK\x03\x04",),
    "application/msword": (b"\xd0\xcf\x11\xe0",),
    "application/vnd.ms-excel": (b"\xd0\xcf\x11\xe0",),
}


class VersionConflictError(Exception):
    """The project changed since the caller read it: reload, then apply the change again."""

    message = _("Someone else changed this project meanwhile. Reload it and apply your change again.")


def _require_role(role: str | None, minimum: str) -> None:
    if not role_at_least(role, minimum):
        raise PermissionDenied(_("Your role does not allow this."))


def _accepted(project: Project, partner: Partner) -> Participant:
    participant = Participant.objects.filter(
        project=project, partner=partner, status=ParticipantStatus.ACCEPTED
    ).first()
    if participant is None:
        raise PermissionDenied(_("Your partner does not take part in this project."))
    return participant


def _event(
    project: Project, kind: str, *, user: User | None, partner: Partner | None, text: str = "", params=None
) -> None:
    """A timeline line: a kind and codes (`params`, rendered in the reader's language), or a name as written."""
    TimelineEvent.objects.create(
        project=project, kind=kind, user=person_of(user), partner=partner, text=text[:500], params=params or {}
    )


def _bump(*, project: Project, version: int, **fields) -> None:
    """UPDATE … WHERE version = n: raises VersionConflictError when someone else wrote first; never overwrites."""
    now = timezone.now()
    fields.setdefault("updated_at", now)
    updated = Project.objects.filter(pk=project.pk, version=version).update(version=F("version") + 1, **fields)
    if updated != 1:
        raise VersionConflictError(VersionConflictError.message)
    for name, value in fields.items():
        setattr(project, name, value)
    project.version = version + 1


@transaction.atomic
def project_create(
    *,
    partner: Partner,
    role: str,
    user: User | None,
    title: str,
    summary: str = "",
    tags: list[str] | None = None,
    markets: list[str] | None = None,
    budget_range: str = "",
    stage: str = Stage.PROPOSED,
    partners: list[Partner] | None = None,
) -> Project:
    """Open a project owned by `partner` (members propose); `partners` join as accepted (matchmaking)."""
    _require_role(role, Role.MEMBER)
    project = Project.objects.create(
        owner=partner,
        title=title,
        summary=summary,
        tags=tags or [],
        markets=markets or [],
        budget_range=budget_range,
        stage=stage,
        created_by=person_of(user),
    )
    now = timezone.now()
    for member in [partner, *(partners or [])]:
        Participant.objects.create(
            project=project,
            partner=member,
            status=ParticipantStatus.ACCEPTED,
            invited_by=person_of(user),
            responded_at=now,
        )
    Transition.objects.create(project=project, to_stage=stage, by_user=person_of(user), by_partner=partner)
    _event(project, TimelineKind.CREATED, user=user, partner=partner, text=title)
    return project


@transaction.atomic
def project_update(
    *, project: Project, version: int, partner: Partner, role: str, user: User | None, **fields
) -> Project:
    """Edit a project's description (managers of the owner partner); checked against `version`."""
    _require_role(role, Role.MANAGER)
    if project.owner_id != partner.pk:
        raise PermissionDenied(_("Only the owner partner may edit the project."))
    allowed = {"title", "summary", "tags", "markets", "budget_range"}
    changes = {name: value for name, value in fields.items() if name in allowed}
    _bump(project=project, version=version, **changes)
    _event(project, TimelineKind.EDITED, user=user, partner=partner, params={"fields": sorted(changes)})
    return project


@transaction.atomic
def project_transition(
    *,
    project: Project,
    version: int,
    to_stage: str,
    partner: Partner,
    role: str,
    user: User | None,
    reason: str = "",
    evidence=None,
) -> Transition:
    """Move a project to another stage along the pipeline, recording who, when, why and the evidence."""
    is_owner = project.owner_id == partner.pk
    if is_owner:
        _accepted(project, partner)
    verdict = transition_check(from_stage=project.stage, to_stage=to_stage, is_owner_partner=is_owner, role=role)
    if not verdict.allowed:
        raise PermissionDenied(verdict.reason)
    reason = (reason or "").strip()
    if verdict.needs_reason and not reason:
        raise ValidationError({"reason": _("Moving a project back needs a reason.")})
    if verdict.needs_evidence and evidence is None:
        raise ValidationError({"evidence": evidence_hint(to_stage)})
    from_stage = project.stage
    now = timezone.now()
    _bump(project=project, version=version, stage=to_stage, stage_changed_at=now, updated_at=now)
    document = None
    if evidence is not None:
        document = document_upload(project=project, partner=partner, role=role, user=user, file=evidence)
    step = Transition.objects.create(
        project=project,
        from_stage=from_stage,
        to_stage=to_stage,
        by_user=person_of(user),
        by_partner=partner,
        at=now,
        reason=reason,
        evidence=document,
    )
    _event(
        project,
        TimelineKind.STAGE,
        user=user,
        partner=partner,
        params={"from": from_stage, "to": to_stage, "reason": reason[:500]},
    )
    others = list(
        Partner.objects.filter(participations__project=project, participations__status=ParticipantStatus.ACCEPTED)
    )
    notify_stage_change(project=project, partners=others, to_stage=to_stage, actor=user)
    audit_record(
        action=AuditAction.PROJECT_STAGE_CHANGED,
        actor=user,
        partner=partner,
        target=project,
        details={"from": from_stage, "to": to_stage, "reason": reason},
    )
    data = {"project": project.pk, "title": project.title, "from": from_stage, "to": to_stage, "reason": reason}
    for participant in others:
        webhook_event_emit(partner=participant, event=WebhookEvent.PROJECT_STAGE_CHANGED, data=data)
    return step


@transaction.atomic
def participant_invite(
    *, project: Project, partner: Partner, role: str, user: User | None, invitee: Partner
) -> Participant:
    """The owner partner's managers invite another partner (again, after a decline or a departure)."""
    _require_role(role, Role.MANAGER)
    if project.owner_id != partner.pk:
        raise PermissionDenied(_("Only the owner partner may invite partners."))
    if project.stage in TERMINAL:
        raise ValidationError(_("This project is closed."))
    if invitee.pk == partner.pk or not invitee.is_active or invitee.is_public:
        raise ValidationError({"partner": _("This partner cannot be invited.")})
    participant, created = Participant.objects.get_or_create(
        project=project, partner=invitee, defaults={"invited_by": person_of(user)}
    )
    if not created:
        if participant.status in (ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED):
            raise ValidationError({"partner": _("This partner is already invited or taking part.")})
        participant.status = ParticipantStatus.INVITED
        participant.invited_by = person_of(user)
        participant.invited_at = timezone.now()
        participant.responded_at = None
        participant.save()
    _event(project, TimelineKind.INVITED, user=user, partner=partner, text=invitee.name)
    notify_invitation(project=project, invitee=invitee, inviter=partner)
    return participant


@transaction.atomic
def participant_respond(
    *, project: Project, partner: Partner, role: str, user: User | None, action: str
) -> Participant:
    """A partner's managers accept or decline its invitation, or leave the project."""
    _require_role(role, Role.MANAGER)
    participant = Participant.objects.select_for_update().filter(project=project, partner=partner).first()
    expected = {
        "accept": ParticipantStatus.INVITED,
        "decline": ParticipantStatus.INVITED,
        "leave": ParticipantStatus.ACCEPTED,
    }
    if action not in expected:
        raise ValidationError({"action": _("Unknown action.")})
    if participant is None or participant.status != expected[action]:
        raise PermissionDenied(_("Your partner has no such invitation or participation."))
    if action == "leave" and project.owner_id == partner.pk:
        raise ValidationError(_("The owner partner cannot leave its project; withdraw it instead."))
    participant.status = {
        "accept": ParticipantStatus.ACCEPTED,
        "decline": ParticipantStatus.DECLINED,
        "leave": ParticipantStatus.LEFT,
    }[action]
    participant.responded_at = timezone.now()
    participant.save(update_fields=["status", "responded_at"])
    kind = {"accept": TimelineKind.ACCEPTED, "decline": TimelineKind.DECLINED, "leave": TimelineKind.LEFT}[action]
    _event(project, kind, user=user, partner=partner, text=partner.name)
    return participant


@transaction.atomic
def milestone_create(
    *,
    project: Project,
    partner: Partner,
    role: str,
    user: User | None,
    title: str,
    due_date: date,
    owner: Partner | None = None,
) -> Milestone:
    """Members of a participant add a milestone; its responsible partner must take part too."""
    _require_role(role, Role.MEMBER)
    _accepted(project, partner)
    if owner is not None:
        _accepted(project, owner)
    milestone = Milestone.objects.create(project=project, title=title, due_date=due_date, owner=owner or partner)
    params = {"title": title, "due": due_date.isoformat()}
    _event(project, TimelineKind.MILESTONE, user=user, partner=partner, params=params)
    return milestone


@transaction.atomic
def milestone_set_done(
    *, milestone: Milestone, partner: Partner, role: str, user: User | None, done: bool
) -> Milestone:
    """Members of a participant mark a milestone done (or open again)."""
    _require_role(role, Role.MEMBER)
    _accepted(milestone.project, partner)
    Milestone.objects.filter(pk=milestone.pk).update(done=done)
    milestone.done = done
    params = {"title": milestone.title, "done": done}
    _event(milestone.project, TimelineKind.MILESTONE, user=user, partner=partner, params=params)
    return milestone


def document_validate(file) -> str:
    """The file's checked content type; raises ValidationError for a too large or unexpected file."""
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")})
    content_type = (getattr(file, "content_type", "") or "").split(";")[0].strip().lower()
    signatures = ALLOWED_DOCUMENTS.get(content_type)
    if signatures is None:
        raise ValidationError({"file": _("Only PDF, PNG, JPEG and office documents are accepted.")})
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError({"file": _("The file's content does not match its type.")})
    return content_type


@transaction.atomic
def document_upload(*, project: Project, partner: Partner, role: str, user: User | None, file) -> Document:
    """Members of a participant upload a project document into private storage."""
    _require_role(role, Role.MEMBER)
    _accepted(project, partner)
    content_type = document_validate(file)
    name = (getattr(file, "name", "") or "document").rsplit("/", 1)[-1][:200]
    document = Document.objects.create(
        project=project,
        file=file,
        name=name,
        content_type=content_type,
        size=file.size,
        uploaded_by=person_of(user),
        partner=partner,
    )
    _event(project, TimelineKind.DOCUMENT, user=user, partner=partner, text=name)
    return document


@transaction.atomic
def product_create(*, partner: Partner, role: str, project: Project | None = None, **fields) -> Product:
    """Members add a product of their partner to the catalogue, optionally yielded by one of its projects."""
    _require_role(role, Role.MEMBER)
    if project is not None:
        _accepted(project, partner)
    return Product.objects.create(partner=partner, project=project, **fields)


@transaction.atomic
def listing_create(*, partner: Partner, role: str, **fields) -> Listing:
    """Members publish a need or an offer of their partner."""
    _require_role(role, Role.MEMBER)
    return Listing.objects.create(partner=partner, **fields)


@transaction.atomic
def listing_close(*, listing: Listing, partner: Partner, role: str) -> Listing:
    _require_role(role, Role.MEMBER)
    if listing.partner_id != partner.pk:
        raise PermissionDenied(_("Only its partner may close a listing."))
    listing.is_open = False
    listing.save(update_fields=["is_open"])
    return listing


@transaction.atomic
def suggestion_accept(
    *, listing: Listing, counterpart: Partner, partner: Partner, role: str, user: User | None
) -> Project:
    """Accepting a suggested partner opens a project in "negotiating" with both partners."""
    _require_role(role, Role.MANAGER)
    if listing.partner_id != partner.pk:
        raise PermissionDenied(_("Only its partner may act on a listing."))
    if counterpart.pk == partner.pk or not counterpart.is_active or counterpart.is_public:
        raise ValidationError({"partner": _("This partner cannot join.")})
    project = project_create(
        partner=partner,
        role=role,
        user=user,
        title=listing.title,
        summary=listing.description,
        tags=listing.tags,
        markets=listing.markets,
        stage=Stage.NEGOTIATING,
        partners=[counterpart],
    )
    notify_invitation(project=project, invitee=counterpart, inviter=partner)
    return project
