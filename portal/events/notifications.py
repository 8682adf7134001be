"""Telling people about their event meetings: inbox notices (portal.inbox) and webhooks (portal.integrations)."""

from django.conf import settings
from django.urls import reverse

from portal.inbox.choices import NoticeKind
from portal.inbox.services import notify_many
from portal.integrations.models import WebhookEvent
from portal.integrations.webhooks import webhook_event_emit
from tenants.models import Partner

from .choices import MeetingStatus


def _path(name: str, **kwargs) -> str:
    return reverse(f"events:{name}", kwargs=kwargs, urlconf=settings.ROOT_URLCONF)


def _names(request) -> dict:
    return {
        "event": request.event.name,
        "requester": request.requester.name,
        "recipient": request.recipient.name,
    }


def request_received(*, request, actor=None) -> None:
    """The person asked hears of the request (and where to answer it)."""
    notify_many(
        partner=request.recipient.partner,
        kind=NoticeKind.EVENT,
        variant="event_request",
        people=[request.recipient.user_id],
        actor=actor,
        params=_names(request),
        url=_path("requests", pk=request.event_id),
    )


def request_answered(*, request, actor=None) -> None:
    """The person who asked hears the answer."""
    variant = "event_accepted" if request.status == "accepted" else "event_declined"
    notify_many(
        partner=request.requester.partner,
        kind=NoticeKind.EVENT,
        variant=variant,
        people=[request.requester.user_id],
        actor=actor,
        params=_names(request),
        url=_path("requests", pk=request.event_id),
    )


def meeting_changed(*, meeting, actor=None) -> None:
    """Both people hear that their meeting moved, was placed or checked in; both partners' webhooks get it."""
    request = meeting.request
    data = {
        "event": meeting.event_id,
        "meeting": meeting.pk,
        "status": meeting.status,
        "slot_start": meeting.slot.starts_at.isoformat() if meeting.slot_id and meeting.slot else None,
        "table": meeting.table.name if meeting.table_id and meeting.table else None,
        "people": [request.requester_id, request.recipient_id],
    }
    params = {**_names(request), "status_label": MeetingStatus(meeting.status).label}
    partners = {request.requester_partner_id: [], request.recipient_partner_id: []}
    partners[request.requester_partner_id].append(request.requester.user_id)
    partners[request.recipient_partner_id].append(request.recipient.user_id)
    for partner in Partner.objects.filter(pk__in=list(partners)):
        notify_many(
            partner=partner,
            kind=NoticeKind.EVENT,
            variant="event_meeting",
            people=partners[partner.pk],
            actor=actor,
            params=params,
            url=_path("agenda", pk=meeting.event_id),
        )
        webhook_event_emit(partner=partner, event=WebhookEvent.MEETING_CHANGED, data=data)


def schedule_changed(*, event, meetings, actor=None) -> None:
    """After a scheduler run: one notice to each person whose meetings moved, and one webhook per partner listing
    its changed meetings (a run may move thousands: the work grows with partners, not with meetings)."""
    people: dict[int, set[int]] = {}
    changes: dict[int, list[dict]] = {}
    for meeting in meetings:
        request = meeting.request
        entry = {
            "meeting": meeting.pk,
            "status": meeting.status,
            "slot": meeting.slot_id,
            "table": meeting.table_id,
            "people": [request.requester_id, request.recipient_id],
        }
        for partner_id, attendee in (
            (request.requester_partner_id, request.requester),
            (request.recipient_partner_id, request.recipient),
        ):
            people.setdefault(partner_id, set()).add(attendee.user_id)
            changes.setdefault(partner_id, []).append(entry)
    for partner in Partner.objects.filter(pk__in=list(people)):
        notify_many(
            partner=partner,
            kind=NoticeKind.EVENT,
            variant="event_schedule",
            people=sorted(people[partner.pk]),
            actor=actor,
            params={"event": event.name},
            url=_path("agenda", pk=event.pk),
        )
        unique = list({entry["meeting"]: entry for entry in changes[partner.pk]}.values())
        webhook_event_emit(
            partner=partner, event=WebhookEvent.MEETING_CHANGED, data={"event": event.pk, "meetings": unique}
        )


def announce(*, event, text: str, actor=None) -> None:
    """Everyone registered for the event hears the staff's announcement."""
    people: dict[int, list[int]] = {}
    for partner_id, user_id in event.attendees.values_list("partner_id", "user_id"):
        people.setdefault(partner_id, []).append(user_id)
    for partner in Partner.objects.filter(pk__in=list(people)):
        notify_many(
            partner=partner,
            kind=NoticeKind.EVENT,
            people=people[partner.pk],
            actor=actor,
            params={"event": event.name, "text": text[:250]},
            url=_path("event-detail", pk=event.pk),
        )
