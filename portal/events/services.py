"""Writes of alliance events: registration, cards, rankings and requests, the schedule, check-in and signings.

Every rule lives here (windows, roles, who may touch what); pages, the API and the admin actions call these.
Clock-dependent rules take `now` (a seam for tests); it defaults to the current time.
"""

import datetime
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.collaboration import services as collaboration
from portal.collaboration.choices import ParticipantStatus, Stage
from portal.collaboration.models import Participant, Project
from portal.core.caller import person_of
from tenants.choices import Role, role_at_least
from tenants.models import Membership, Partner, User

from .choices import CardKind, Interest, MeetingStatus, RequestStatus
from .models import (
    Announcement,
    Attendee,
    Card,
    Event,
    Meeting,
    MeetingNote,
    MeetingRequest,
    MeetingTable,
    Ranking,
    ScheduleRun,
    Signing,
    Slot,
)
from .notifications import announce, meeting_changed, request_answered, request_received, schedule_changed

SCHEDULE_TIME_LIMIT_S = 20.0


def _require_role(role: str | None, minimum: str) -> None:
    if not role_at_least(role, minimum):
        raise PermissionDenied(_("Your role does not allow this."))


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _requests_window(event: Event, now: datetime.datetime) -> None:
    if not event.requests_open(now):
        raise ValidationError({"event": _("Meeting requests for this event are closed.")}, code="window")


# --- staff: the event's grid -------------------------------------------------------------------------------


@transaction.atomic
def slots_generate(
    *, event: Event, day: datetime.date, start: datetime.time, end: datetime.time, minutes: int | None = None
) -> list[Slot]:
    """Cut a day's meeting hours (in the event's time zone) into slots of `minutes`; existing starts are kept."""
    import zoneinfo

    minutes = minutes or event.slot_minutes
    if minutes < 5 or minutes > 240:
        raise ValidationError({"minutes": _("A slot lasts between 5 and 240 minutes.")})
    if not (event.starts_on <= day <= event.ends_on):
        raise ValidationError({"day": _("The day is not one of the event's days.")})
    zone = zoneinfo.ZoneInfo(event.time_zone)
    at = datetime.datetime.combine(day, start, tzinfo=zone)
    stop = datetime.datetime.combine(day, end, tzinfo=zone)
    if stop <= at:
        raise ValidationError({"end": _("The meeting hours end before they start.")})
    step = datetime.timedelta(minutes=minutes)
    slots = []
    while at + step <= stop:
        slot, _created = Slot.objects.get_or_create(event=event, starts_at=at, defaults={"ends_at": at + step})
        slots.append(slot)
        at += step
    return slots


@transaction.atomic
def tables_create(*, event: Event, count: int, seats: int = 2, prefix: str = "T") -> list[MeetingTable]:
    """Add `count` tables of `seats` seats, named on from the tables the event has."""
    if count < 1 or count > 2000:
        raise ValidationError({"count": _("Add between 1 and 2,000 tables.")})
    if seats < 2:
        raise ValidationError({"seats": _("A meeting table has at least two seats.")})
    first = event.tables.count() + 1
    return MeetingTable.objects.bulk_create(
        [MeetingTable(event=event, name=f"{prefix}{n}", seats=seats) for n in range(first, first + count)]
    )


@transaction.atomic
def announcement_post(*, event: Event, text: str, by: User | None = None) -> Announcement:
    """Staff tell everyone taking part (a notice to each registered person)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the announcement.")})
    announcement = Announcement.objects.create(event=event, text=text[:2000])
    announce(event=event, text=text, actor=by)
    return announcement


# --- taking part -------------------------------------------------------------------------------------------


@transaction.atomic
def attendee_register(
    *,
    event: Event,
    partner: Partner,
    role: str,
    user: User,
    languages: list[str] | None = None,
    job_title: str = "",
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> Attendee:
    """A partner registers one of its members (managers register anyone; a member registers themself)."""
    if not event.is_published:
        raise PermissionDenied(_("This event is not open to partners."))
    if person_of(by) is None or person_of(by).pk != user.pk:
        _require_role(role, Role.MANAGER)
    else:
        _require_role(role, Role.MEMBER)
    if not event.registration_open(_now(now)):
        raise ValidationError({"event": _("Registration for this event is closed.")}, code="window")
    if not Membership.objects.filter(partner=partner, user=user).exists():
        raise ValidationError({"user": _("Only people of your partner can be registered.")})
    existing = Attendee.objects.filter(event=event, user=user).first()
    if existing is not None:
        if existing.partner_id != partner.pk:
            raise ValidationError({"user": _("This person is registered by another partner.")})
        return existing
    return Attendee.objects.create(
        event=event, partner=partner, user=user, languages=languages or [], job_title=job_title[:100]
    )


@transaction.atomic
def attendee_set_busy(*, attendee: Attendee, partner: Partner, busy_slots: list[int]) -> Attendee:
    """The slots a person cannot meet in (the scheduler keeps them free)."""
    if attendee.partner_id != partner.pk:
        raise PermissionDenied(_("Only its partner may change a registration."))
    known = set(Slot.objects.filter(event_id=attendee.event_id, pk__in=busy_slots).values_list("pk", flat=True))
    attendee.busy_slots = sorted(known)
    attendee.save(update_fields=["busy_slots"])
    return attendee


@transaction.atomic
def card_create(
    *,
    event: Event,
    partner: Partner,
    role: str,
    kind: str,
    title: str,
    description: str = "",
    tags: list[str] | None = None,
    categories: list[str] | None = None,
    markets: list[str] | None = None,
    is_private: bool = False,
    listing=None,
    product=None,
) -> Card:
    """Members put an offer or a need of their partner on the event's board (private: theirs alone)."""
    _require_role(role, Role.MEMBER)
    if not event.is_published:
        raise PermissionDenied(_("This event is not open to partners."))
    if kind not in CardKind.values:
        raise ValidationError({"kind": _("Choose offer or need.")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the card a title.")})
    if listing is not None and listing.partner_id != partner.pk:
        raise ValidationError({"listing": _("Only your partner's own needs and offers can be used.")})
    if product is not None and product.partner_id != partner.pk:
        raise ValidationError({"product": _("Only your partner's own products can be used.")})
    if listing is not None:
        tags = tags or list(listing.tags)
        markets = markets or list(listing.markets)
    if product is not None:
        categories = categories or [product.category]
        markets = markets or list(product.markets)
    return Card.objects.create(
        event=event,
        partner=partner,
        kind=kind,
        title=title[:200],
        description=description,
        tags=sorted(set(tags or [])),
        categories=sorted(set(categories or [])),
        markets=sorted({m.upper() for m in markets or []}),
        is_private=is_private,
        listing=listing,
        product=product,
    )


@transaction.atomic
def card_delete(*, card: Card, partner: Partner, role: str) -> None:
    _require_role(role, Role.MEMBER)
    if card.partner_id != partner.pk:
        raise PermissionDenied(_("Only its partner may remove a card."))
    card.delete()


# --- matchmaking -------------------------------------------------------------------------------------------


def _own_attendee(attendee: Attendee, partner: Partner) -> None:
    if attendee.partner_id != partner.pk:
        raise PermissionDenied(_("This person is not registered by your partner."))


def _meeting_for(request: MeetingRequest) -> Meeting:
    meeting, _created = Meeting.objects.get_or_create(request=request, defaults={"event_id": request.event_id})
    return meeting


@transaction.atomic
def ranking_set(
    *,
    attendee: Attendee,
    target: Attendee,
    level: str,
    partner: Partner,
    role: str,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> Ranking:
    """One person ranks another: must-meet or would-like sends a request (accepts theirs when they asked first);
    "no" declines a request from them. Only in the request window."""
    _require_role(role, Role.MEMBER)
    _own_attendee(attendee, partner)
    if level not in Interest.values:
        raise ValidationError({"level": _("Choose must meet, would like to meet or no.")})
    if target.event_id != attendee.event_id or target.partner_id == attendee.partner_id:
        raise ValidationError({"target": _("Choose a person of another partner at this event.")})
    now = _now(now)
    _requests_window(attendee.event, now)
    ranking, _created = Ranking.objects.update_or_create(
        attendee=attendee, target=target, defaults={"event_id": attendee.event_id, "level": level, "at": now}
    )
    theirs = MeetingRequest.objects.select_for_update().filter(requester=target, recipient=attendee).first()
    mine = MeetingRequest.objects.select_for_update().filter(requester=attendee, recipient=target).first()
    if level == Interest.NO:
        if theirs is not None and theirs.status == RequestStatus.PENDING:
            request_respond(request=theirs, partner=partner, role=role, accept=False, by=by, now=now)
        if mine is not None and mine.status == RequestStatus.PENDING:
            mine.status = RequestStatus.WITHDRAWN
            mine.responded_at = now
            mine.save(update_fields=["status", "responded_at"])
        return ranking
    if theirs is not None and theirs.status == RequestStatus.PENDING:
        theirs.must_meet = theirs.must_meet or level == Interest.MUST
        theirs.save(update_fields=["must_meet"])
        request_respond(request=theirs, partner=partner, role=role, accept=True, by=by, now=now)
    elif theirs is not None and theirs.status == RequestStatus.ACCEPTED:
        if level == Interest.MUST and not theirs.must_meet:
            theirs.must_meet = True
            theirs.save(update_fields=["must_meet"])
    elif mine is None:
        request_create(
            requester=attendee,
            recipient=target,
            partner=partner,
            role=role,
            must_meet=level == Interest.MUST,
            by=by,
            now=now,
        )
    else:
        updates = {"must_meet": level == Interest.MUST}
        if mine.status == RequestStatus.WITHDRAWN:
            updates.update(status=RequestStatus.PENDING, responded_at=None)
        MeetingRequest.objects.filter(pk=mine.pk).update(**updates)
    return ranking


@transaction.atomic
def request_create(
    *,
    requester: Attendee,
    recipient: Attendee,
    partner: Partner,
    role: str,
    must_meet: bool = False,
    message: str = "",
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> MeetingRequest:
    """Ask a person of another partner for a meeting (within the request window)."""
    _require_role(role, Role.MEMBER)
    _own_attendee(requester, partner)
    if recipient.event_id != requester.event_id or recipient.partner_id == requester.partner_id:
        raise ValidationError({"recipient": _("Choose a person of another partner at this event.")})
    now = _now(now)
    _requests_window(requester.event, now)
    if MeetingRequest.objects.filter(
        Q(requester=requester, recipient=recipient) | Q(requester=recipient, recipient=requester)
    ).exists():
        raise ValidationError({"recipient": _("A request between these two people exists already.")})
    request = MeetingRequest.objects.create(
        event_id=requester.event_id,
        requester=requester,
        recipient=recipient,
        requester_partner_id=requester.partner_id,
        recipient_partner_id=recipient.partner_id,
        must_meet=must_meet,
        message=message[:2000],
        created_at=now,
    )
    request_received(request=request, actor=by)
    return request


@transaction.atomic
def request_respond(
    *,
    request: MeetingRequest,
    partner: Partner,
    role: str,
    accept: bool,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> MeetingRequest:
    """The recipient's partner accepts (a meeting to schedule) or declines a pending request, in the window."""
    _require_role(role, Role.MEMBER)
    if request.recipient_partner_id != partner.pk:
        raise PermissionDenied(_("Only the person asked may answer."))
    now = _now(now)
    _requests_window(request.event, now)
    if request.status != RequestStatus.PENDING:
        raise ValidationError({"status": _("This request was answered already.")})
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    request.responded_at = now
    request.save(update_fields=["status", "responded_at"])
    if accept:
        _meeting_for(request)
    request_answered(request=request, actor=by)
    return request


# --- the schedule ------------------------------------------------------------------------------------------


def _scheduling():
    from . import scheduling  # the scheduler helper's pure module (OR-Tools CP-SAT with a greedy fallback)

    return scheduling


def schedule_inputs(*, event: Event):
    """The scheduler's problem for the event: people, mutually wanted meetings, slots, tables, locked placements."""
    scheduling = _scheduling()
    slot_ids = list(Slot.objects.filter(event=event).order_by("starts_at").values_list("pk", flat=True))
    meetings = list(
        Meeting.objects.filter(event=event)
        .exclude(status__in=[MeetingStatus.CANCELLED])
        .select_related("request__requester", "request__recipient")
        .order_by("pk")
    )
    people_ids = {m.request.requester_id for m in meetings} | {m.request.recipient_id for m in meetings}
    attendees = Attendee.objects.filter(pk__in=people_ids).only("pk", "busy_slots", "languages")
    every_slot = frozenset(slot_ids)
    attendees = list(attendees)
    # Someone who named no language is taken to speak every language named at the event.
    anything = frozenset({"*", *event.languages, *(code for a in attendees for code in a.languages)})
    people = [
        scheduling.Person(
            id=a.pk, available_slots=every_slot - set(a.busy_slots), languages=frozenset(a.languages) or anything
        )
        for a in attendees
    ]
    requests = [
        scheduling.MeetingRequest(
            id=m.pk, people=(m.request.requester_id, m.request.recipient_id), must_meet=m.request.must_meet
        )
        for m in meetings
    ]
    tables = [scheduling.Table(id=t.pk, seats=t.seats) for t in MeetingTable.objects.filter(event=event)]
    # Held or missed meetings keep their place, as do those staff locked.
    locked = tuple(
        (m.pk, m.slot_id, m.table_id)
        for m in meetings
        if m.slot_id and m.table_id and (m.locked or m.status in (MeetingStatus.HELD, MeetingStatus.NO_SHOW))
    )
    return people, requests, slot_ids, tables, locked, meetings


@transaction.atomic
def schedule_run(*, event: Event, by: User | None = None, time_limit_s: float = SCHEDULE_TIME_LIMIT_S) -> ScheduleRun:
    """Place every mutually wanted meeting (staff): locked and held ones stay; the rest is placed afresh."""
    Event.objects.select_for_update().filter(pk=event.pk).first()
    people, requests, slots, tables, locked, meetings = schedule_inputs(event=event)
    started = time.monotonic()
    scheduling = _scheduling()
    try:
        result = scheduling.schedule(people, requests, slots, tables, locked=locked, time_limit_s=time_limit_s)
    except scheduling.LockError as error:
        raise ValidationError({"locked": _("A locked meeting cannot be kept: %(why)s") % {"why": error}}) from error
    seconds = time.monotonic() - started
    now = timezone.now()
    changed = []
    before = {m.pk: (m.slot_id, m.table_id, m.status) for m in meetings}
    for meeting in meetings:
        if meeting.status in (MeetingStatus.HELD, MeetingStatus.NO_SHOW):
            continue
        place = result.placements.get(meeting.pk)
        slot_id, table_id = place if place else (None, None)
        status = MeetingStatus.SCHEDULED if place else MeetingStatus.UNSCHEDULED
        reason = "" if place else str(result.unplaced.get(meeting.pk, ""))[:40]
        if (meeting.slot_id, meeting.table_id, meeting.status, meeting.unplaced_reason) != (
            slot_id,
            table_id,
            status,
            reason,
        ):
            meeting.slot_id, meeting.table_id, meeting.status = slot_id, table_id, status
            meeting.unplaced_reason, meeting.updated_at = reason, now
            changed.append(meeting)
    _places_write(changed, now=now)
    moved = [m for m in changed if (m.slot_id, m.table_id, m.status) != before[m.pk]]
    schedule_changed(event=event, meetings=moved, actor=by)
    placed = sum(1 for m in meetings if m.slot_id and m.status != MeetingStatus.CANCELLED)
    bound = getattr(result, "bound", None)
    return ScheduleRun.objects.create(
        event=event,
        method=str(getattr(result, "method", ""))[:32],
        placed=placed,
        unplaced=len(meetings) - placed,
        bound=float(bound) if bound is not None else None,
        seconds=seconds,
        by_user=person_of(by),
    )


def _places_write(meetings: list[Meeting], *, now: datetime.datetime, batch: int = 1000) -> None:
    """Write a run's places in few statements: unplaced ones grouped by reason, placed ones through
    UPDATE … FROM (VALUES …) in batches (bulk_update's CASE per row grows too slow past a few thousand)."""
    unplaced: dict[str, list[int]] = {}
    placed = []
    for meeting in meetings:
        if meeting.slot_id:
            placed.append((meeting.pk, meeting.slot_id, meeting.table_id))
        else:
            unplaced.setdefault(meeting.unplaced_reason, []).append(meeting.pk)
    for reason, ids in unplaced.items():
        for start in range(0, len(ids), 5000):
            Meeting.objects.filter(pk__in=ids[start : start + 5000]).update(
                slot=None, table=None, status=MeetingStatus.UNSCHEDULED, unplaced_reason=reason, updated_at=now
            )
    table = connection.ops.quote_name(Meeting._meta.db_table)
    for start in range(0, len(placed), batch):
        rows = placed[start : start + batch]
        values = ", ".join(["(%s::integer, %s::integer, %s::integer)"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS m SET slot_id = v.slot, table_id = v.place, status = %s, unplaced_reason = '', "  # noqa: S608 - names from the model, values bound
                f"updated_at = %s FROM (VALUES {values}) AS v(id, slot, place) WHERE m.id = v.id",
                [MeetingStatus.SCHEDULED, now, *(value for row in rows for value in row)],
            )


def _busy(meeting: Meeting, slot_id: int, *, ignore: tuple[int, ...] = ()) -> None:
    """Refuse a place where one of the meeting's two people already meets someone, or is not available."""
    request = meeting.request
    people = {request.requester_id, request.recipient_id}
    clash = (
        Meeting.objects.filter(slot_id=slot_id)
        .exclude(pk__in=(meeting.pk, *ignore))
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(Q(request__requester_id__in=people) | Q(request__recipient_id__in=people))
        .exists()
    )
    if clash:
        raise ValidationError({"slot": _("One of the two people has another meeting in this slot.")})
    for attendee in (request.requester, request.recipient):
        if slot_id in attendee.busy_slots:
            raise ValidationError({"slot": _("One of the two people is not available in this slot.")})


@transaction.atomic
def meeting_place(*, meeting: Meeting, slot: Slot, table: MeetingTable, by: User | None = None) -> Meeting:
    """Staff put a meeting at a slot and table (and lock it there so a re-run keeps it)."""
    if slot.event_id != meeting.event_id or table.event_id != meeting.event_id:
        raise ValidationError({"slot": _("The slot and table must belong to the meeting's event.")})
    if Meeting.objects.filter(slot=slot, table=table).exclude(pk=meeting.pk).exists():
        raise ValidationError({"table": _("This table is taken in this slot.")})
    _busy(meeting, slot.pk)
    meeting.slot, meeting.table, meeting.locked = slot, table, True
    meeting.status, meeting.unplaced_reason, meeting.updated_at = MeetingStatus.SCHEDULED, "", timezone.now()
    meeting.save(update_fields=["slot", "table", "locked", "status", "unplaced_reason", "updated_at"])
    meeting_changed(meeting=meeting, actor=by)
    return meeting


@transaction.atomic
def meeting_lock(*, meeting: Meeting, locked: bool) -> Meeting:
    """Staff lock a placed meeting (a re-run keeps it) or release it."""
    if locked and not meeting.slot_id:
        raise ValidationError({"locked": _("Only a placed meeting can be locked.")})
    Meeting.objects.filter(pk=meeting.pk).update(locked=locked)
    meeting.locked = locked
    return meeting


@transaction.atomic
def meeting_swap(*, first: Meeting, second: Meeting, by: User | None = None) -> tuple[Meeting, Meeting]:
    """Staff swap two placed meetings' slots and tables (both locked afterwards); refused if anyone clashes."""
    if first.event_id != second.event_id or not first.slot_id or not second.slot_id or first.pk == second.pk:
        raise ValidationError({"meeting": _("Choose two placed meetings of the same event.")})
    _busy(first, second.slot_id, ignore=(second.pk,))
    _busy(second, first.slot_id, ignore=(first.pk,))
    now = timezone.now()
    (first.slot_id, first.table_id), (second.slot_id, second.table_id) = (
        (second.slot_id, second.table_id),
        (first.slot_id, first.table_id),
    )
    for meeting in (first, second):
        meeting.locked, meeting.updated_at = True, now
    Meeting.objects.bulk_update([first, second], ["slot", "table", "locked", "updated_at"])
    for meeting in (first, second):
        meeting_changed(meeting=meeting, actor=by)
    return first, second


# --- on the day and after ----------------------------------------------------------------------------------


def _side(meeting: Meeting, partner: Partner) -> None:
    request = meeting.request
    if partner.pk not in (request.requester_partner_id, request.recipient_partner_id):
        raise PermissionDenied(_("Your partner does not take part in this meeting."))


@transaction.atomic
def meeting_check_in(*, meeting: Meeting, partner: Partner, role: str, held: bool, by: User | None = None) -> Meeting:
    """Either side records that a scheduled meeting was held, or that the other side did not come."""
    _require_role(role, Role.MEMBER)
    _side(meeting, partner)
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.NO_SHOW):
        raise ValidationError({"status": _("Only a scheduled meeting can be checked in.")})
    meeting.status = MeetingStatus.HELD if held else MeetingStatus.NO_SHOW
    meeting.checked_in_at = timezone.now()
    meeting.updated_at = meeting.checked_in_at
    meeting.save(update_fields=["status", "checked_in_at", "updated_at"])
    meeting_changed(meeting=meeting, actor=by)
    return meeting


@transaction.atomic
def meeting_note_add(
    *, meeting: Meeting, partner: Partner, role: str, text: str, follow_up: bool = False, by: User | None = None
) -> MeetingNote | None:
    """A private note of one side on a meeting; `follow_up` records that both sides agreed to follow up."""
    _require_role(role, Role.MEMBER)
    _side(meeting, partner)
    text = (text or "").strip()
    if not text and not follow_up:
        raise ValidationError({"text": _("Write a note or mark a follow-up.")})
    if follow_up and meeting.status != MeetingStatus.HELD:
        raise ValidationError({"follow_up": _("Only a held meeting can be followed up.")})
    if follow_up and not meeting.follow_up:
        Meeting.objects.filter(pk=meeting.pk).update(follow_up=True, updated_at=timezone.now())
        meeting.follow_up = True
    if not text:
        return None
    return MeetingNote.objects.create(meeting=meeting, partner=partner, author=person_of(by), text=text[:5000])


@transaction.atomic
def signing_record(
    *,
    event: Event,
    partner: Partner,
    role: str,
    counterpart: Partner,
    title: str = "",
    summary: str = "",
    meeting: Meeting | None = None,
    project: Project | None = None,
    agreement=None,
    by: User | None = None,
) -> Signing:
    """An agreement signed at the event: opens a collaboration project in Signed with both partners, or moves the
    partners' project to Signed (with the agreement as evidence), and records the event as the project's origin."""
    _require_role(role, Role.MANAGER)
    if counterpart.pk == partner.pk or not counterpart.is_active or counterpart.is_public:
        raise ValidationError({"counterpart": _("Choose the other partner who signed.")})
    if not Attendee.objects.filter(event=event, partner=partner).exists():
        raise PermissionDenied(_("Your partner does not take part in this event."))
    if meeting is not None:
        _side(meeting, partner)
        sides = {meeting.request.requester_partner_id, meeting.request.recipient_partner_id}
        if meeting.event_id != event.pk or sides != {partner.pk, counterpart.pk}:
            raise ValidationError({"meeting": _("The meeting must be between the two signing partners.")})
    if project is None:
        title = (title or "").strip()
        if not title:
            raise ValidationError({"title": _("Name the project the agreement starts.")})
        project = collaboration.project_create(
            partner=partner,
            role=role,
            user=by,
            title=title[:200],
            summary=summary or f"{event.name}",
            stage=Stage.SIGNED,
            partners=[counterpart],
        )
        if agreement is not None:
            collaboration.document_upload(project=project, partner=partner, role=role, user=by, file=agreement)
        created = True
    else:
        taking_part = set(
            Participant.objects.filter(project=project, status=ParticipantStatus.ACCEPTED).values_list(
                "partner_id", flat=True
            )
        )
        if not {partner.pk, counterpart.pk} <= taking_part:
            raise ValidationError({"project": _("Both partners must take part in the project.")})
        if project.stage != Stage.DOCKED:
            raise ValidationError({"project": _("Only a project in Docked can be signed.")})
        collaboration.project_transition(
            project=project,
            version=project.version,
            to_stage=Stage.SIGNED,
            partner=partner,
            role=role,
            user=by,
            reason=str(event.name),
            evidence=agreement,
        )
        created = False
    if Signing.objects.filter(event=event, project=project).exists():
        raise ValidationError({"project": _("This project's signing at this event is recorded already.")})
    return Signing.objects.create(
        event=event,
        project=project,
        meeting=meeting,
        partner=partner,
        counterpart=counterpart,
        created_project=created,
        by_user=person_of(by),
    )
