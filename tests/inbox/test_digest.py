"""The daily digest: one e-mail per person with the day's notices, none when there is nothing, never twice."""

import datetime

from django.core import mail
from django_tenants.utils import schema_context

from portal.inbox.choices import Delivery
from portal.inbox.services import digest_send, preference_update
from portal.inbox.tasks import inbox_digest
from tenants.choices import Role

from .factories import MOMENT, notice_make

HOUR = datetime.timedelta(hours=1)


def _digest(partner, now):
    with schema_context(partner.schema_name):
        return digest_send(partner=partner, now=now)


def test_the_digest_sends_each_person_the_days_notices_in_one_e_mail(world, django_capture_on_commit_callbacks):
    owner, member = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MEMBER)
    notice_make(world.alpha, owner, text="Lin joined", created_at=MOMENT - 3 * HOUR)
    notice_make(world.alpha, owner, text="Kai left", created_at=MOMENT - 2 * HOUR)
    notice_make(world.alpha, owner, text="Too old for today", created_at=MOMENT - 30 * HOUR)
    notice_make(world.alpha, owner, text="After the digest ran", created_at=MOMENT + HOUR)
    notice_make(world.alpha, member, text="Ada joined", created_at=MOMENT - HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        assert _digest(world.alpha, MOMENT) == 2
    by_person = {tuple(message.to): message for message in mail.outbox}
    assert set(by_person) == {(owner.email,), (member.email,)}
    body = by_person[(owner.email,)].body
    assert "Lin joined" in body and "Kai left" in body and body.index("Lin joined") < body.index("Kai left")
    assert "Too old" not in body and "After the digest" not in body and "Ada joined" not in body
    assert "Alpha Motors" in by_person[(owner.email,)].subject


def test_no_e_mail_when_there_is_nothing_new_and_a_rerun_sends_nothing_twice(world, django_capture_on_commit_callbacks):
    owner = world.person(world.alpha, Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        assert _digest(world.alpha, MOMENT) == 0
    assert mail.outbox == []
    notice_make(world.alpha, owner, created_at=MOMENT - HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        assert _digest(world.alpha, MOMENT) == 1
        assert _digest(world.alpha, MOMENT + HOUR) == 0
    assert len(mail.outbox) == 1


def test_people_who_chose_no_e_mail_or_instant_e_mail_get_no_digest(world, django_capture_on_commit_callbacks):
    owner, manager = world.person(world.alpha, Role.OWNER), world.person(world.alpha, Role.MANAGER)
    with schema_context(world.alpha.schema_name):
        preference_update(user=owner, delivery=Delivery.NONE, muted=[])
        preference_update(user=manager, delivery=Delivery.INSTANT, muted=[])
    notice_make(world.alpha, owner, created_at=MOMENT - HOUR)
    notice_make(world.alpha, manager, created_at=MOMENT - HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        assert _digest(world.alpha, MOMENT) == 0
    assert mail.outbox == []


def test_the_digest_of_one_partner_never_carries_anothers_notices(world, django_capture_on_commit_callbacks):
    alpha_owner = world.person(world.alpha, Role.OWNER)
    notice_make(world.alpha, alpha_owner, text="Alpha secret change", created_at=MOMENT - HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        assert _digest(world.beta, MOMENT) == 0
    assert mail.outbox == []


def test_the_beat_task_runs_the_digest_of_the_schema_it_was_sent_to(world, django_capture_on_commit_callbacks):
    notice_make(world.alpha, world.person(world.alpha, Role.OWNER), created_at=MOMENT - HOUR)
    with django_capture_on_commit_callbacks(execute=True), schema_context(world.alpha.schema_name):
        assert inbox_digest.run(now=MOMENT.isoformat()) == {"sent": 1, "schema": "alpha"}
    assert inbox_digest.run(now=MOMENT.isoformat()) == {"sent": 0, "schema": "public"}
