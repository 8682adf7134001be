"""URL kwargs of team objects that belong to the victim partner, and its pending invitations as secrets
(for tests/test_isolation.py)."""

import itertools

from tenants.choices import Role
from tenants.models import Invitation, Membership
from tenants.services import invitation_create, invitation_token

from ..factories import UserFactory

_numbers = itertools.count()


def _membership(partner) -> dict:
    person = UserFactory(email=f"victim-teammate-{next(_numbers)}@{partner.schema_name}.example.com")
    return {"pk": Membership.objects.create(user=person, partner=partner, role=Role.VIEWER).pk}


def _invitation(partner) -> Invitation:
    return invitation_create(partner=partner, email=f"invitee-{next(_numbers)}@elsewhere.example", role=Role.MEMBER)


def _plant_invitation(partner) -> list[str]:
    email = f"secret-{partner.schema_name}-invitee@example.com"
    invitation_create(partner=partner, email=email, role=Role.MANAGER)
    return [email]


SAMPLES = {
    "team:role": _membership,
    "team:officer": _membership,
    "team:remove": _membership,
    "team:invitation-withdraw": lambda partner: {"pk": _invitation(partner).pk},
    "team:join": lambda partner: {"token": invitation_token(_invitation(partner))},
}
PLANTS = [_plant_invitation]
