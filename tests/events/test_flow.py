"""The vertical slice: event → cards → requests → schedule → agenda → check-in → signing → project."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.collaboration.choices import Stage
from portal.collaboration.models import Participant
from portal.events import selectors, services
from portal.events.choices import CardKind, Interest, MeetingStatus, RequestStatus
from portal.events.models import Meeting, Signing
from tenants.choices import Role

from ..conftest import client_for
from .factories import attendee_for, card_for, event_make, person_of

pytestmark = pytest.mark.django_db


def _pair(world):
    event = event_make()
    alice = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    bob = attendee_for(event, world.beta, world.person(world.beta, Role.MEMBER))
    return event, alice, bob


def test_event_to_project(world):
    event, alice, bob = _pair(world)
    card_for(event, world.alpha, kind=CardKind.NEED)
    card_for(event, world.beta, kind=CardKind.OFFER)
    suggestions = selectors.suggestion_list(attendee=alice)
    assert [s.attendee for s in suggestions] == [bob]

    services.ranking_set(attendee=alice, target=bob, level=Interest.MUST, partner=world.alpha, role=Role.MEMBER)
    request = alice.requests_sent.get()
    assert request.status == RequestStatus.PENDING and request.must_meet
    # Bob wants it too: ranking him back accepts the request; a meeting waits for the scheduler.
    services.ranking_set(attendee=bob, target=alice, level=Interest.WOULD, partner=world.beta, role=Role.MEMBER)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    meeting = Meeting.objects.get(request=request)
    assert meeting.status == MeetingStatus.UNSCHEDULED

    run = services.schedule_run(event=event)
    meeting.refresh_from_db()
    assert run.placed == 1 and meeting.status == MeetingStatus.SCHEDULED and meeting.slot_id and meeting.table_id

    # Alice's agenda page and ICS file carry the meeting.
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    page = client.get(f"/events/{event.pk}/agenda/")
    assert page.status_code == 200 and meeting.table.name in page.content.decode()
    ics = client.get(f"/events/{event.pk}/agenda.ics")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert f"UID:event-{event.pk}-meeting-{meeting.pk}@" in body and body.count("BEGIN:VEVENT") == 1

    services.meeting_check_in(meeting=meeting, partner=world.beta, role=Role.MEMBER, held=True)
    services.meeting_note_add(
        meeting=meeting, partner=world.alpha, role=Role.MEMBER, text="Pilot in Q3", follow_up=True
    )
    signing = services.signing_record(
        event=event,
        partner=world.alpha,
        role=Role.MANAGER,
        counterpart=world.beta,
        meeting=meeting,
        title="V2X roadside pilot",
    )
    project = signing.project
    assert project.stage == Stage.SIGNED
    assert set(Participant.objects.filter(project=project).values_list("partner_id", flat=True)) == {
        world.alpha.pk,
        world.beta.pk,
    }
    # Provenance: the project's origin is the event (and the meeting it came from).
    assert Signing.objects.get(project=project).event == event
    assert project.event_signings.get().meeting == meeting

    rows = {row.step: row.value for row in selectors.funnel_rows(event=event, partner=None, staff=True)}
    assert rows == {
        "requests": 1,
        "accepted": 1,
        "scheduled": 1,
        "held": 1,
        "follow_up": 1,
        "projects": 1,
        "launched": 0,
    }


def test_signing_moves_a_docked_project_to_signed(world, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..collaboration.factories import project_for

    settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path)
    event, _alice, _bob = _pair(world)
    project = project_for(world.alpha, title="Swap packs", partners=[world.beta], stage=Stage.DOCKED)
    agreement = SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 signed\n%%EOF", content_type="application/pdf")
    signing = services.signing_record(
        event=event,
        partner=world.alpha,
        role=Role.MANAGER,
        counterpart=world.beta,
        project=project,
        agreement=agreement,
    )
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED and not signing.created_project
    assert project.transitions.last().evidence is not None


def test_signing_needs_a_manager(world):
    event, _alice, _bob = _pair(world)
    with pytest.raises(PermissionDenied):
        services.signing_record(
            event=event, partner=world.alpha, role=Role.MEMBER, counterpart=world.beta, title="Not allowed"
        )
    assert not Signing.objects.exists()


def test_a_person_of_another_partner_cannot_be_registered(world):
    event = event_make()
    stranger = person_of(world.beta, "stranger@beta.example.com")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        attendee_for(event, world.alpha, stranger)


def test_a_meeting_change_reaches_both_partners_webhooks_and_inboxes(world, settings):
    from django_tenants.utils import schema_context

    from portal.inbox.models import Notice
    from portal.integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

    settings.CELERY_TASK_ALWAYS_EAGER = False
    event, alice, bob = _pair(world)
    for partner in (world.alpha, world.beta):
        WebhookEndpoint.objects.create(
            partner=partner, url="https://erp.example.com/hooks", events=[WebhookEvent.MEETING_CHANGED], secret="s" * 64
        )
    services.ranking_set(attendee=alice, target=bob, level=Interest.MUST, partner=world.alpha, role=Role.MEMBER)
    with schema_context(world.beta.schema_name):
        assert Notice.objects.filter(user=bob.user, variant="event_request").exists()
    services.ranking_set(attendee=bob, target=alice, level=Interest.WOULD, partner=world.beta, role=Role.MEMBER)
    services.schedule_run(event=event)
    deliveries = WebhookDelivery.objects.filter(event=WebhookEvent.MEETING_CHANGED)
    assert sorted(d.endpoint.partner_id for d in deliveries) == sorted([world.alpha.pk, world.beta.pk])
    assert deliveries.first().payload["data"]["meetings"][0]["status"] == MeetingStatus.SCHEDULED
    with schema_context(world.alpha.schema_name):
        assert Notice.objects.filter(user=alice.user, variant="event_schedule").exists()
    # A check-in is one meeting's change: both partners hear of it again.
    meeting = Meeting.objects.get(event=event)
    services.meeting_check_in(meeting=meeting, partner=world.alpha, role=Role.MEMBER, held=True)
    assert WebhookDelivery.objects.filter(event=WebhookEvent.MEETING_CHANGED).count() == 4
    assert WebhookDelivery.objects.filter(payload__data__status=MeetingStatus.HELD).count() == 2
    with schema_context(world.beta.schema_name):
        assert Notice.objects.filter(user=bob.user, variant="event_meeting").exists()


def test_partners_see_the_funnel_only_where_disclosure_allows(world):
    """Two partners only: every alliance figure but zeros is hidden from partners; each sees its own."""
    event, alice, bob = _pair(world)
    services.ranking_set(attendee=alice, target=bob, level=Interest.MUST, partner=world.alpha, role=Role.MEMBER)
    rows = {row.step: row for row in selectors.funnel_rows(event=event, partner=world.alpha, staff=False)}
    assert rows["requests"].value is None and rows["requests"].own == 1
    assert rows["projects"].value == 0  # nothing happened: a zero reveals nobody
    page = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get(f"/events/{event.pk}/statistics/")
    assert page.status_code == 200 and "hidden" in page.content.decode()
