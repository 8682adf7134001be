"""Requests: the window, who may answer, and the mutual-interest rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.events import services
from portal.events.choices import Interest, RequestStatus
from portal.events.models import Meeting, MeetingRequest
from tenants.choices import Role

from ..conftest import client_for
from .factories import attendee_for, event_make

pytestmark = pytest.mark.django_db

OPENS = datetime.datetime(2027, 4, 1, tzinfo=datetime.UTC)
CLOSES = datetime.datetime(2027, 5, 15, tzinfo=datetime.UTC)


def _windowed(world):
    event = event_make(open_windows=False, requests_open_at=OPENS, requests_close_at=CLOSES)
    alice = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    bob = attendee_for(event, world.beta, world.person(world.beta, Role.MEMBER))
    return event, alice, bob


@pytest.mark.parametrize("now", [OPENS - datetime.timedelta(seconds=1), CLOSES])
def test_no_request_outside_the_window(world, now):
    _event, alice, bob = _windowed(world)
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=alice, recipient=bob, partner=world.alpha, role=Role.MEMBER, now=now)
    assert "event" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.ranking_set(
            attendee=alice, target=bob, level=Interest.MUST, partner=world.alpha, role=Role.MEMBER, now=now
        )
    assert not MeetingRequest.objects.filter(requester=alice).exists()


def test_an_answer_after_the_window_is_refused(world):
    _event, alice, bob = _windowed(world)
    inside = OPENS + datetime.timedelta(days=1)
    request = services.request_create(requester=alice, recipient=bob, partner=world.alpha, role=Role.MEMBER, now=inside)
    with pytest.raises(ValidationError):
        services.request_respond(request=request, partner=world.beta, role=Role.MEMBER, accept=True, now=CLOSES)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING and not Meeting.objects.filter(request=request).exists()


def test_only_the_recipient_answers(world):
    _event, alice, bob = _windowed(world)
    inside = OPENS + datetime.timedelta(days=1)
    request = services.request_create(requester=alice, recipient=bob, partner=world.alpha, role=Role.MEMBER, now=inside)
    with pytest.raises(PermissionDenied):
        services.request_respond(request=request, partner=world.alpha, role=Role.OWNER, accept=True, now=inside)
    with pytest.raises(PermissionDenied):
        services.request_respond(request=request, partner=world.beta, role=Role.VIEWER, accept=True, now=inside)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_no_means_declined(world):
    _event, alice, bob = _windowed(world)
    inside = OPENS + datetime.timedelta(days=1)
    services.ranking_set(
        attendee=alice, target=bob, level=Interest.WOULD, partner=world.alpha, role=Role.MEMBER, now=inside
    )
    services.ranking_set(
        attendee=bob, target=alice, level=Interest.NO, partner=world.beta, role=Role.MEMBER, now=inside
    )
    request = MeetingRequest.objects.get(requester=alice)
    assert request.status == RequestStatus.DECLINED and not Meeting.objects.exists()


def test_requests_over_the_api(world):
    event = event_make()
    alice = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    bob = attendee_for(event, world.beta, world.person(world.beta, Role.MEMBER))
    alpha = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    created = alpha.post(
        "/api/v1/event-requests/",
        {"requester": alice.pk, "recipient": bob.pk, "must_meet": True, "message": "Let us talk V2X"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    # The requester's side cannot answer its own request; the recipient's can.
    assert (
        alpha.post(
            f"/api/v1/event-requests/{pk}/answer/", {"accept": True}, content_type="application/json"
        ).status_code
        == 403
    )
    beta = client_for(world.beta, world.person(world.beta, Role.MEMBER))
    answered = beta.post(f"/api/v1/event-requests/{pk}/answer/", {"accept": True}, content_type="application/json")
    assert answered.status_code == 200 and answered.json()["status"] == RequestStatus.ACCEPTED
    assert Meeting.objects.filter(request_id=pk).exists()
    # Someone else's attendee cannot be sent as the requester.
    refused = beta.post(
        "/api/v1/event-requests/",
        {"requester": alice.pk, "recipient": bob.pk},
        content_type="application/json",
    )
    assert refused.status_code == 404
