"""Invitations: invite, accept, decline, leave; only the invited partner's managers may answer."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.collaboration import services
from portal.collaboration.choices import ParticipantStatus
from portal.collaboration.models import Participant
from portal.collaboration.selectors import project_list_for_partner
from portal.inbox.choices import NoticeKind
from tenants.choices import Role
from tests.factories import PartnerRowFactory

from ..inbox.factories import inbox_of
from .factories import invite, project_for


def _status(project, partner):
    return Participant.objects.filter(project=project, partner=partner).values_list("status", flat=True).first()


def test_invitation_tells_the_invited_partners_managers(world, mailoutbox, django_capture_on_commit_callbacks):
    project = project_for(world.alpha)
    with django_capture_on_commit_callbacks(execute=True):
        invite(project, world.beta)
    assert _status(project, world.beta) == ParticipantStatus.INVITED
    told = {email for email, kind in inbox_of(world.beta) if kind == NoticeKind.INVITATION}
    assert told == {"owner@beta.example.com", "manager@beta.example.com"}
    assert mailoutbox == []  # e-mail comes as each person chose: the daily digest by default
    assert project in project_list_for_partner(partner=world.beta)
    assert project not in project_list_for_partner(partner=world.beta, accepted_only=True)


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.MEMBER, Role.VIEWER])
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_answer_an_invitation_by_role(world, role, action):
    project = project_for(world.alpha)
    invite(project, world.beta)
    user = world.person(world.beta, role)
    call = {"project": project, "partner": world.beta, "role": role, "user": user, "action": action}
    if role in (Role.OWNER, Role.MANAGER):
        services.participant_respond(**call)
        assert _status(project, world.beta) == (
            ParticipantStatus.ACCEPTED if action == "accept" else ParticipantStatus.DECLINED
        )
    else:
        with pytest.raises(PermissionDenied):
            services.participant_respond(**call)
        assert _status(project, world.beta) == ParticipantStatus.INVITED


def test_a_partner_that_was_not_invited_cannot_accept(world):
    project = project_for(world.alpha)
    for action in ("accept", "decline", "leave"):
        with pytest.raises(PermissionDenied):
            services.participant_respond(project=project, partner=world.beta, role=Role.OWNER, user=None, action=action)
    assert _status(project, world.beta) is None
    assert project not in project_list_for_partner(partner=world.beta)


def test_leave_then_reinvite(world):
    project = project_for(world.alpha, partners=[world.beta])
    services.participant_respond(project=project, partner=world.beta, role=Role.MANAGER, user=None, action="leave")
    assert _status(project, world.beta) == ParticipantStatus.LEFT
    assert project not in project_list_for_partner(partner=world.beta)
    invite(project, world.beta)
    assert _status(project, world.beta) == ParticipantStatus.INVITED


def test_owner_cannot_leave_and_only_owner_managers_invite(world):
    third = PartnerRowFactory()
    project = project_for(world.alpha, partners=[world.beta])
    with pytest.raises(ValidationError):
        services.participant_respond(project=project, partner=world.alpha, role=Role.OWNER, user=None, action="leave")
    with pytest.raises(PermissionDenied):  # a participant, not the owner
        services.participant_invite(project=project, partner=world.beta, role=Role.OWNER, user=None, invitee=third)
    with pytest.raises(PermissionDenied):  # the owner partner, but a member
        services.participant_invite(project=project, partner=world.alpha, role=Role.MEMBER, user=None, invitee=third)
    with pytest.raises(ValidationError):  # already in
        invite(project, world.beta)
    assert _status(project, third) is None
    assert _status(project, world.alpha) == ParticipantStatus.ACCEPTED
