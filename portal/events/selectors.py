"""Reads of alliance events. What a partner may see is decided here, once, for pages and the API alike:
published events; every partner's public cards and its own private ones; requests and meetings its people are in."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from portal.collaboration.choices import ParticipantStatus, Stage
from portal.collaboration.models import Participant
from portal.core.caller import person_of
from portal.insights.disclosure import is_safe
from tenants.models import Partner

from .choices import MeetingStatus, RequestStatus
from .models import Attendee, Card, Event, Meeting, MeetingNote, MeetingRequest, Signing


def event_list(*, staff: bool = False) -> QuerySet[Event]:
    """Events partners see (published), or every event for staff."""
    events = Event.objects.all()
    return events if staff else events.filter(is_published=True)


def event_get(*, pk: int, staff: bool = False) -> Event | None:
    return event_list(staff=staff).filter(pk=pk).first()


def attendee_of(*, event: Event, user) -> Attendee | None:
    """The visitor's own registration at the event (None when not registered)."""
    person = person_of(user)
    if person is None:
        return None
    return Attendee.objects.filter(event=event, user=person).select_related("user", "partner").first()


def attendee_list(*, event: Event, partner: Partner | None = None) -> QuerySet[Attendee]:
    """People registered (by `partner` when given)."""
    attendees = Attendee.objects.filter(event=event).select_related("user", "partner").order_by("partner__name", "id")
    return attendees.filter(partner=partner) if partner is not None else attendees


def card_visibility(*, partner: Partner | None) -> Q:
    """The one rule of who reads a card: everyone its public cards, only its partner its private ones."""
    return Q(is_private=False) | Q(partner=partner) if partner is not None else Q(is_private=False)


def card_list(*, event: Event, partner: Partner | None, staff: bool = False) -> QuerySet[Card]:
    """Cards a partner may read: every public card and its own private ones (staff: all)."""
    cards = Card.objects.filter(event=event).select_related("partner")
    if staff:
        return cards
    return cards.filter(card_visibility(partner=partner))


def request_list(*, event: Event | None = None, partner: Partner) -> QuerySet[MeetingRequest]:
    """Requests the partner's people sent or received."""
    requests = MeetingRequest.objects.filter(Q(requester_partner=partner) | Q(recipient_partner=partner))
    if event is not None:
        requests = requests.filter(event=event)
    return requests.select_related(
        "event", "requester__user", "recipient__user", "requester_partner", "recipient_partner", "meeting"
    )


def meeting_list(*, event: Event, partner: Partner | None = None, attendee: Attendee | None = None):
    """Meetings of one person, of a partner's people, or (both None: staff) all, in slot order."""
    meetings = Meeting.objects.filter(event=event).select_related(
        "slot",
        "table",
        "request__requester__user",
        "request__recipient__user",
        "request__requester_partner",
        "request__recipient_partner",
    )
    if attendee is not None:
        meetings = meetings.filter(Q(request__requester=attendee) | Q(request__recipient=attendee))
    elif partner is not None:
        meetings = meetings.filter(Q(request__requester_partner=partner) | Q(request__recipient_partner=partner))
    return meetings.order_by("slot__starts_at", "table__id", "id")


def meeting_get(*, pk: int, partner: Partner | None) -> Meeting | None:
    """One meeting, when the partner (None: staff) is one of its sides; with the partner's own notes."""
    meetings = Meeting.objects.select_related(
        "event", "slot", "table", "request__requester__user", "request__recipient__user"
    )
    if partner is not None:
        meetings = meetings.filter(
            Q(request__requester_partner=partner) | Q(request__recipient_partner=partner)
        ).prefetch_related(
            Prefetch("notes", queryset=MeetingNote.objects.filter(partner=partner).select_related("author"))
        )
    return meetings.filter(pk=pk).first()


def signing_list(*, event: Event | None = None, partner: Partner | None = None) -> QuerySet[Signing]:
    """Signings (of the partner's when given; staff: all)."""
    signings = Signing.objects.select_related("event", "project", "partner", "counterpart")
    if event is not None:
        signings = signings.filter(event=event)
    if partner is not None:
        signings = signings.filter(Q(partner=partner) | Q(counterpart=partner))
    return signings


# --- suggestions -------------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """A person of another partner worth meeting, with a score and why."""

    attendee: Attendee
    score: int
    reasons: list[str]
    level: str = ""


def suggestion_list(*, attendee: Attendee, limit: int = 50) -> list[Suggestion]:
    """People of other partners, best fit first: their public cards against all of my partner's cards (a need
    meets an offer on technology, category or market), plus partners mine already worked with.

    Other partners' private cards never count (a score must not reveal them); mine do, only for me.
    """
    event_id, partner_id = attendee.event_id, attendee.partner_id
    cards = list(Card.objects.filter(event_id=event_id).filter(Q(is_private=False) | Q(partner_id=partner_id)))
    mine = [c for c in cards if c.partner_id == partner_id]
    theirs = defaultdict(list)
    for card in cards:
        if card.partner_id != partner_id and not card.is_private:
            theirs[card.partner_id].append(card)
    projects = Participant.objects.filter(partner_id=partner_id, status=ParticipantStatus.ACCEPTED).values("project")
    past = set(
        Participant.objects.filter(project__in=projects, status=ParticipantStatus.ACCEPTED)
        .exclude(partner_id=partner_id)
        .values_list("partner_id", flat=True)
    )
    scores: dict[int, tuple[int, list[str]]] = {}
    for other, their_cards in theirs.items():
        score, reasons = 0, []
        for card in mine:
            for their in their_cards:
                if card.kind == their.kind:
                    continue
                tags = set(card.tags) & set(their.tags)
                categories = set(card.categories) & set(their.categories)
                markets = set(card.markets) & set(their.markets)
                points = 3 * len(tags) + 2 * len(categories) + len(markets)
                if points:
                    score += points
                    reasons.append(their.title)
        if other in past:
            score += 2
        if score:
            scores[other] = (score, sorted(set(reasons))[:3])
    if not scores:
        return []
    rankings = dict(attendee.rankings.values_list("target_id", "level"))
    people = (
        Attendee.objects.filter(event_id=event_id, partner_id__in=list(scores))
        .select_related("user", "partner")
        .order_by("id")
    )
    found = [
        Suggestion(
            attendee=person,
            score=scores[person.partner_id][0],
            reasons=scores[person.partner_id][1],
            level=rankings.get(person.pk, ""),
        )
        for person in people
    ]
    found.sort(key=lambda s: (-s.score, s.attendee.pk))
    return found[:limit]


# --- statistics --------------------------------------------------------------------------------------------

FUNNEL_STEPS = ["requests", "accepted", "scheduled", "held", "follow_up", "projects", "launched"]
LAUNCHED = {Stage.LAUNCHED}


def funnel_figures(*, event: Event) -> dict[str, dict[int, Decimal]]:
    """Each funnel step's count, by partner (a request or meeting counts for both sides), one query per table."""
    figures: dict[str, Counter] = {step: Counter() for step in FUNNEL_STEPS}
    requests = MeetingRequest.objects.filter(event=event).values_list(
        "requester_partner_id", "recipient_partner_id", "status", "meeting__status", "meeting__follow_up"
    )
    for requester, recipient, status, meeting_status, follow_up in requests:
        steps = ["requests"]
        if status == RequestStatus.ACCEPTED:
            steps.append("accepted")
            if meeting_status in (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.NO_SHOW):
                steps.append("scheduled")
            if meeting_status == MeetingStatus.HELD:
                steps.append("held")
                if follow_up:
                    steps.append("follow_up")
        for step in steps:
            figures[step][requester] += 1
            figures[step][recipient] += 1
    for partner, counterpart, stage in Signing.objects.filter(event=event).values_list(
        "partner_id", "counterpart_id", "project__stage"
    ):
        steps = ["projects"] + (["launched"] if stage in LAUNCHED else [])
        for step in steps:
            figures[step][partner] += 1
            figures[step][counterpart] += 1
    return {step: {p: Decimal(v) for p, v in counts.items()} for step, counts in figures.items()}


@dataclass(frozen=True)
class FunnelRow:
    step: str
    value: int | None  # None: suppressed for this reader
    own: int | None


def funnel_rows(*, event: Event, partner: Partner | None, staff: bool) -> list[FunnelRow]:
    """The event's funnel as a reader may see it: staff every figure; a partner the cells disclosure control lets
    through (enough partners, no dominant one: portal.insights.disclosure) and its own figures.

    A request between two partners is counted once in the alliance figure (each side contributes half of it).
    """
    rows = []
    for step, by_partner in funnel_figures(event=event).items():
        total = int(sum(by_partner.values()) / 2)
        shown = staff or is_safe(by_partner)
        own = int(by_partner.get(partner.pk, 0)) if partner is not None else None
        rows.append(FunnelRow(step=step, value=total if shown else None, own=own))
    return rows


def projects_from_events(*, partner: Partner | None = None) -> list[dict]:
    """Alliance-wide: projects that began at an event, by event and how far they got (stage counts)."""
    signings = Signing.objects.select_related("event", "project")
    if partner is not None:
        signings = signings.filter(Q(partner=partner) | Q(counterpart=partner))
    by_event: dict[int, dict] = {}
    for signing in signings.order_by("-event__starts_on", "event_id"):
        row = by_event.setdefault(signing.event_id, {"event": signing.event, "stages": Counter(), "total": 0})
        row["stages"][signing.project.stage] += 1
        row["total"] += 1
    for row in by_event.values():
        row["stage_counts"] = [(Stage(code).label, row["stages"][code]) for code in Stage.values if row["stages"][code]]
    return list(by_event.values())
