"""URL kwargs of inbox objects of the victim partner (for tests/test_isolation.py)."""

from tenants.choices import Role

from .factories import notice_make


def _notice(partner) -> dict:
    owner = partner.memberships.get(role=Role.OWNER).user
    return {"pk": notice_make(partner, owner, text="SECRET victim notice").pk}


SAMPLES = {"inbox:notice-read": _notice}
