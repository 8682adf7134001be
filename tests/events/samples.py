"""Isolation samples of events (see tests/isolation.py): the victim's people, cards, requests and meetings.

Events themselves are the alliance's (every partner reads a published one and takes part in it with its own
people), so event-level pages are SHARED; meetings, requests, notes and cards are the victim's.
"""

from portal.events import services
from portal.events.choices import CardKind, MeetingStatus, RequestStatus
from portal.events.models import Meeting, MeetingNote, MeetingRequest
from tenants.choices import Role
from tenants.models import Membership

from .factories import event_make, person_of


def _owner(partner):
    return Membership.objects.filter(partner=partner, role=Role.OWNER).select_related("user").first().user


def _event(partner, name="Victim expo"):
    """An event the victim's owner is registered for (so its own pages serve it)."""
    event = event_make(name=name)
    services.attendee_register(event=event, partner=partner, role=Role.OWNER, user=_owner(partner))
    return event


def _meeting(partner, *, text="victim"):
    """A meeting between two of the victim's people (no other partner is a side of it), placed and noted."""
    event = _event(partner)
    first = event.attendees.get(partner=partner)
    other = services.attendee_register(
        event=event,
        partner=partner,
        role=Role.OWNER,
        user=person_of(partner, f"colleague-{text}@{partner.schema_name}.example.com"),
    )
    request = MeetingRequest.objects.create(
        event=event,
        requester=other,
        recipient=first,
        requester_partner=partner,
        recipient_partner=partner,
        status=RequestStatus.ACCEPTED,
        message=f"SECRET-{partner.schema_name}-{text}-message",
    )
    meeting = Meeting.objects.create(
        event=event,
        request=request,
        slot=event.slots.first(),
        table=event.tables.first(),
        status=MeetingStatus.SCHEDULED,
    )
    MeetingNote.objects.create(meeting=meeting, partner=partner, text=f"SECRET-{partner.schema_name}-{text}-note")
    return meeting


def _pending_request(partner):
    meeting = _meeting(partner)
    MeetingRequest.objects.filter(pk=meeting.request_id).update(status=RequestStatus.PENDING)
    return {"pk": meeting.request_id}


def _card(partner):
    event = _event(partner)
    card = services.card_create(
        event=event, partner=partner, role=Role.MEMBER, kind=CardKind.NEED, title="Victim card", is_private=True
    )
    return {"pk": card.pk}


EVENT_PAGES = ["event-detail", "register", "cards", "people", "rank", "requests", "agenda", "agenda-ics", "statistics"]
STAFF_PAGES = ["staff-event-detail", "staff-schedule", "staff-grid", "staff-announce", "staff-swap"]

SAMPLES = {
    **{f"events:{name}": lambda partner: {"pk": _event(partner).pk} for name in EVENT_PAGES + STAFF_PAGES},
    **{
        f"events:{name}": lambda partner: {"pk": _meeting(partner).pk}
        for name in ["meeting-detail", "meeting-check-in", "meeting-note", "signing-create", "staff-meeting-lock"]
    },
    "events:card-delete": _card,
    "events:request-respond": _pending_request,
    "v1:event-detail": lambda partner: {"pk": _event(partner).pk},
    "v1:event-agenda": lambda partner: {"pk": _event(partner).pk},
    "v1:event-card-detail": _card,
    "v1:event-request-detail": _pending_request,
    "v1:event-request-answer": _pending_request,
}


def _plant(partner) -> list[str]:
    """A private card, a request's message and a meeting note of the victim (public schema, partner-owned)."""
    slug = partner.schema_name
    meeting = _meeting(partner, text="plant")
    services.card_create(
        event=meeting.event,
        partner=partner,
        role=Role.MEMBER,
        kind=CardKind.OFFER,
        title=f"SECRET-{slug}-private-card",
        description=f"SECRET-{slug}-private-card-text",
        is_private=True,
    )
    return [
        f"SECRET-{slug}-private-card",
        f"SECRET-{slug}-plant-message",
        f"SECRET-{slug}-plant-note",
    ]


PLANTS = [_plant]
# Events are the alliance's: another partner reads a published event and takes part in it with its own people.
SHARED = {
    **{f"events:{name}": {"get"} for name in EVENT_PAGES},
    **{f"events:{name}": {"get", "post"} for name in ["register", "cards", "rank"]},
    "v1:event-detail": {"get"},
    "v1:event-agenda": {"get"},
}
