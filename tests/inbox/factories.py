"""Inbox test data: notices written through the service, read back in the partner's schema."""

import datetime

from django_tenants.utils import schema_context

from portal.inbox.choices import NoticeKind
from portal.inbox.models import Notice
from portal.inbox.services import notify

MOMENT = datetime.datetime(2026, 7, 12, 9, 30, tzinfo=datetime.UTC)


def notice_make(partner, person, *, kind=NoticeKind.TEAM, text="Someone joined", url="/", **fields) -> Notice:
    """A notice for `person` in `partner`'s inbox (through `notify`), with extra fields set as given."""
    notice = notify(partner=partner, person=person, kind=kind, params={"text": text}, url=url)
    assert notice is not None, "the person is not a member of the partner"
    if fields:
        with schema_context(partner.schema_name):
            Notice.objects.filter(pk=notice.pk).update(**fields)
    return notice


def notices_of(partner, person) -> list[Notice]:
    with schema_context(partner.schema_name):
        return list(Notice.objects.filter(user=person).order_by("created_at", "id"))


def inbox_of(partner) -> list[tuple[str, str]]:
    """(person's e-mail, kind) of every notice in the partner's inboxes, oldest first."""
    with schema_context(partner.schema_name):
        return list(Notice.objects.order_by("created_at", "id").values_list("user__email", "kind"))
