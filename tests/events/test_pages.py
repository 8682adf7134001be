"""The partner pages end to end (forms through the services), the ICS file's format and announcements."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.collaboration.choices import Stage
from portal.events import services
from portal.events.agenda import agenda_ics
from portal.events.choices import CardKind, MeetingStatus, RequestStatus
from portal.events.models import Attendee, Card, Meeting, MeetingRequest, Signing
from portal.inbox.models import Notice
from tenants.choices import Role

from ..conftest import client_for
from .factories import attendee_for, event_make

pytestmark = pytest.mark.django_db


def test_pages_from_registration_to_signing(world):
    event = event_make()
    alpha_member = world.person(world.alpha, Role.MEMBER)
    beta_member = world.person(world.beta, Role.MEMBER)
    alpha = client_for(world.alpha, alpha_member)
    beta = client_for(world.beta, beta_member)

    # A member registers themself; a manager registers a colleague; a viewer cannot add a card.
    assert alpha.post(f"/events/{event.pk}/register/").status_code == 302
    manager = client_for(world.beta, world.person(world.beta, Role.MANAGER))
    assert (
        manager.post(f"/events/{event.pk}/register/", {"user": beta_member.pk, "languages": ["en"]}).status_code == 302
    )
    assert set(Attendee.objects.filter(event=event).values_list("user_id", flat=True)) == {
        alpha_member.pk,
        beta_member.pk,
    }
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert viewer.post(f"/events/{event.pk}/cards/", {"kind": "need", "title": "No"}).status_code == 403
    assert not Card.objects.exists()

    card = {"kind": CardKind.NEED, "title": "V2X roadside units", "tags": ["v2x"], "markets": ["CN"]}
    assert alpha.post(f"/events/{event.pk}/cards/", card).status_code == 302
    offer = {"kind": CardKind.OFFER, "title": "RSU supply", "tags": ["v2x"], "markets": ["CN"]}
    assert beta.post(f"/events/{event.pk}/cards/", offer).status_code == 302

    page = alpha.get(f"/events/{event.pk}/people/").content.decode()
    assert "RSU supply" in page
    bob = Attendee.objects.get(event=event, user=beta_member)
    assert alpha.post(f"/events/{event.pk}/rank/", {"target": bob.pk, "level": "must"}).status_code == 302
    request = MeetingRequest.objects.get()
    assert beta.post(f"/events/requests/{request.pk}/respond/", {"answer": "accept"}).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED

    staff = client_for(None, world.staff)
    assert staff.post(f"/staff/events/{event.pk}/schedule/").status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert alpha.post(f"/events/meetings/{meeting.pk}/check-in/", {"held": "1"}).status_code == 302
    assert alpha.post(f"/events/meetings/{meeting.pk}/notes/", {"text": "Pilot", "follow_up": "on"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.follow_up

    # Only managers record a signing; the project opens in Signed with the event as its origin.
    assert alpha.get(f"/events/meetings/{meeting.pk}/signing/").status_code == 403
    alpha_manager = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    response = alpha_manager.post(f"/events/meetings/{meeting.pk}/signing/", {"title": "RSU pilot"})
    assert response.status_code == 302
    signing = Signing.objects.get()
    assert signing.project.stage == Stage.SIGNED and signing.event == event and signing.meeting == meeting
    assert "RSU pilot" in beta.get(f"/events/{event.pk}/").content.decode()


def test_the_ics_file_escapes_and_folds(world):
    event = event_make(name="Expo; with, specials")
    event.sessions.create(
        title="A very long session title " * 6,
        starts_at=datetime.datetime(2027, 5, 20, 1, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2027, 5, 20, 2, tzinfo=datetime.UTC),
    )
    body = agenda_ics(event=event, meetings=[], sessions=event.sessions.all(), host="alpha.localhost")
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "X-WR-CALNAME:Expo\\; with\\, specials" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "DTSTART:20270520T010000Z" in lines


def test_an_announcement_reaches_everyone_registered(world):
    event = event_make()
    alice = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    services.announcement_post(event=event, text="Hall B opens at 8:30")
    with schema_context(world.alpha.schema_name):
        assert Notice.objects.filter(user=alice.user, kind="event").exists()
