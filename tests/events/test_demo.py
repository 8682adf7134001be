"""The demo events: a past expo with held meetings and two projects signed there; an upcoming conference."""

import io

import pytest

from portal.collaboration.choices import Stage
from portal.events import demo, selectors
from portal.events.choices import MeetingStatus
from portal.events.models import Event, Meeting, Signing
from tenants.choices import Role
from tenants.demo import DEMO_PARTNERS
from tenants.models import Membership

from ..factories import PartnerRowFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent(world):
    partners = {}
    for spec in DEMO_PARTNERS:
        partner = PartnerRowFactory(schema_name=spec["slug"].replace("-", "_"), name=spec["name"], kind=spec["kind"])
        Membership.objects.create(partner=partner, user=UserFactory(), role=Role.OWNER)
        partners[spec["slug"]] = partner
    demo.seed(partners=partners, stdout=io.StringIO())
    counts = (Event.objects.count(), Meeting.objects.count(), Signing.objects.count())
    demo.seed(partners=partners, stdout=io.StringIO())
    assert (Event.objects.count(), Meeting.objects.count(), Signing.objects.count()) == counts

    expo = Event.objects.get(name=demo.EXPO)
    assert Meeting.objects.filter(event=expo, status=MeetingStatus.HELD).count() >= 2
    signings = Signing.objects.filter(event=expo).select_related("project")
    assert signings.count() == 2 and {s.project.stage for s in signings} == {Stage.SIGNED}
    rows = {row.step: row.value for row in selectors.funnel_rows(event=expo, partner=None, staff=True)}
    assert rows["requests"] > rows["accepted"] >= rows["held"] >= rows["projects"] == 2

    conference = Event.objects.get(name=demo.CONFERENCE)
    assert conference.requests.filter(status="pending").exists()
