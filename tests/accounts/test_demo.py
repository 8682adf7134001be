"""The demo of teams and workspaces seeds once, however often it runs."""

import io

from portal.accounts import demo
from tenants.models import Invitation, Membership

from ..factories import UserFactory


def test_the_demo_gives_someone_two_workspaces_and_a_pending_invitation_once(world):
    person = UserFactory(email=demo.TWO_WORKSPACES[0])
    Membership.objects.create(user=person, partner=world.alpha, role="owner")
    partners = {"cq-thunder": world.alpha, "yangtze-cells": world.beta}
    for _run in range(2):
        demo.seed(partners=partners, stdout=io.StringIO())
    assert set(Membership.objects.filter(user=person).values_list("partner__schema_name", "role")) == {
        ("alpha", "owner"),
        ("beta", "member"),
    }
    invitation = Invitation.objects.get(email=demo.INVITED[1])
    assert (invitation.partner, invitation.invited_by, invitation.state()) == (world.alpha, person, "pending")
