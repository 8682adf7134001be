"""The inbox service: who is told, what a notice says in the reader's language, read marks and preferences."""

import pytest
from django.core import mail
from django.utils import translation
from django_tenants.utils import schema_context

from portal.inbox.choices import Delivery, NoticeKind
from portal.inbox.models import Notice
from portal.inbox.selectors import notice_unread_count
from portal.inbox.services import notice_mark_all_read, notice_mark_read, notify_many, preference_update
from portal.vehicles.choices import ImportStatus
from tenants.choices import Role

from .factories import MOMENT, notice_make, notices_of


def test_notify_many_tells_members_from_a_role_up_never_the_actor_nor_outsiders(world):
    owner, manager = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MANAGER)
    member = world.person(world.alpha, Role.MEMBER)
    notices = notify_many(
        partner=world.alpha,
        kind=NoticeKind.TEAM,
        people=[member, world.person(world.beta, Role.OWNER), world.outsider],
        minimum_role=Role.MANAGER,
        actor=manager,
        params={"text": "x"},
    )
    assert {notice.user for notice in notices} == {owner, member}
    assert notices_of(world.alpha, manager) == []
    assert notices_of(world.beta, world.person(world.beta, Role.OWNER)) == []


def test_notify_many_defaults_to_the_partner_whose_schema_is_in_use_and_does_nothing_in_public(world):
    owner = world.person(world.alpha, Role.OWNER)
    assert notify_many(kind=NoticeKind.TEAM, people=[owner], params={"text": "x"}) == []  # public schema
    with schema_context(world.alpha.schema_name):
        notify_many(kind=NoticeKind.TEAM, people=[owner], params={"text": "x"})
        assert Notice.objects.filter(user=owner).count() == 1


def test_a_notice_reads_in_the_readers_language_labels_and_dates_included(world):
    owner = world.person(world.alpha, Role.OWNER)
    with translation.override("zh-hans"):  # whoever caused it reads Chinese: nothing of that is stored
        notify_many(
            partner=world.alpha,
            kind=NoticeKind.CERTIFICATE,
            people=[owner],
            params={"number": "UN-38-7", "expiry_date": MOMENT.date()},
        )
        notify_many(
            partner=world.alpha,
            kind=NoticeKind.IMPORT,
            variant="import_failed",
            people=[owner],
            params={"file": "week.csv", "status_label": ImportStatus.FAILED.label},
        )
    certificate, failed = notices_of(world.alpha, owner)
    assert certificate.params == {"number": "UN-38-7", "expiry_date": "2026-07-12"}
    assert failed.params["status_label"] == "Failed"
    with translation.override("en"):
        assert certificate.text == "Certificate UN-38-7 expires on 12 July 2026."
        assert failed.text == "Import of week.csv refused: nothing imported."
    with translation.override("ar"):
        assert "UN-38-7" in certificate.text and "Certificate" not in certificate.text
        assert "2026" in certificate.text and "July" not in certificate.text


def test_unread_count_counts_only_the_persons_unread_notices_in_this_workspace(world):
    owner, member = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MEMBER)
    first = notice_make(world.alpha, owner)
    notice_make(world.alpha, owner)
    notice_make(world.alpha, owner, read_at=MOMENT)
    notice_make(world.alpha, member)
    with schema_context(world.alpha.schema_name):
        assert notice_unread_count(user=owner) == 2
        notice_mark_read(notice=Notice.objects.get(pk=first.pk), now=MOMENT)
        assert notice_unread_count(user=owner) == 1
        assert notice_mark_all_read(user=owner, now=MOMENT) == 1
        assert notice_unread_count(user=owner) == 0
        assert notice_unread_count(user=member) == 1
    with schema_context(world.beta.schema_name):
        assert notice_unread_count(user=owner) == 0


def test_muted_kinds_are_not_delivered_and_other_kinds_are(world):
    owner = world.person(world.alpha, Role.OWNER)
    with schema_context(world.alpha.schema_name):
        preference_update(user=owner, delivery=Delivery.DIGEST, muted=[NoticeKind.IMPORT])
    assert notify_many(partner=world.alpha, kind=NoticeKind.IMPORT, people=[owner], params={}) == []
    assert len(notify_many(partner=world.alpha, kind=NoticeKind.TEAM, people=[owner], params={"text": "x"})) == 1
    # The preference is the workspace's: in beta the same person would still hear about imports.
    with schema_context(world.beta.schema_name):
        from portal.inbox.selectors import preference_get

        assert preference_get(user=owner).wants(NoticeKind.IMPORT)


def test_instant_e_mail_goes_after_the_commit_once_and_the_digest_skips_it(world, django_capture_on_commit_callbacks):
    owner, manager = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MANAGER)
    with schema_context(world.alpha.schema_name):
        preference_update(user=owner, delivery=Delivery.INSTANT, muted=[])
    with django_capture_on_commit_callbacks(execute=True):
        notify_many(
            partner=world.alpha, kind=NoticeKind.TEAM, minimum_role=Role.MANAGER, params={"text": "A new manager"}
        )
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert "A new manager" in mail.outbox[0].subject and "/inbox/" in mail.outbox[0].body
    (mailed,) = notices_of(world.alpha, owner)
    (waiting,) = notices_of(world.alpha, manager)
    assert mailed.emailed_at is not None and waiting.emailed_at is None


def test_preference_update_refuses_an_unknown_kind_or_delivery(world):
    owner = world.person(world.alpha, Role.OWNER)
    with schema_context(world.alpha.schema_name), pytest.raises(ValueError):
        preference_update(user=owner, delivery="hourly", muted=[])
    with schema_context(world.alpha.schema_name), pytest.raises(ValueError):
        preference_update(user=owner, delivery=Delivery.NONE, muted=["gossip"])
