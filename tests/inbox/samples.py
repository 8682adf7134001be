"""URL kwargs of inbox objects of the victim partner (for tests/test_isolation.py).

Made with the ORM directly, not `notify`: the walkers may have changed the owner's preferences before (muted kinds).
"""

from django_tenants.utils import schema_context

from portal.inbox.choices import NoticeKind
from portal.inbox.models import Notice
from tenants.choices import Role


def _notice(partner) -> dict:
    owner = partner.memberships.filter(role=Role.OWNER).order_by("pk").first().user
    with schema_context(partner.schema_name):
        notice = Notice.objects.create(user=owner, kind=NoticeKind.TEAM, params={"text": "SECRET victim notice"})
    return {"pk": notice.pk}


SAMPLES = {"inbox:notice-read": _notice}
