"""Demo of teams and workspaces: someone in two partners (the Workspaces menu hands off between them without a
password) and an invitation waiting on the team page."""

from tenants.choices import Role
from tenants.models import Invitation, Membership, User
from tenants.services import invitation_create

# Li Wei owns Chongqing Thunder and also works in Yangtze Cells, its battery supplier.
TWO_WORKSPACES = ("owner@cq-thunder.example", "yangtze-cells", Role.MEMBER)
INVITED = ("cq-thunder", "new.engineer@cq-thunder.example", Role.MEMBER)


def seed(*, partners, stdout) -> None:
    """Idempotent: the second membership and the pending invitation are made once."""
    email, slug, role = TWO_WORKSPACES
    person = User.objects.filter(email=email).first()
    if person is not None and slug in partners:
        Membership.objects.get_or_create(user=person, partner=partners[slug], defaults={"role": role})
    slug, invitee, role = INVITED
    if slug in partners and not Invitation.objects.pending().filter(partner=partners[slug], email=invitee).exists():
        owner = User.objects.filter(email=email).first()
        invitation_create(partner=partners[slug], email=invitee, role=role, invited_by=owner, send=False)
    stdout.write(f"  {email} works in two workspaces; {invitee} is invited")
