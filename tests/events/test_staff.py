"""Only alliance staff run events: the scheduler, the grid, announcements, lock and swap."""

import datetime

import pytest

from portal.events import services
from portal.events.choices import Interest, MeetingStatus
from portal.events.models import Announcement, Meeting, ScheduleRun, Slot
from tenants.choices import Role

from ..conftest import client_for
from .factories import attendee_for, event_make, person_of

pytestmark = pytest.mark.django_db


def _mutual(event, first, second, partners):
    services.ranking_set(attendee=first, target=second, level=Interest.MUST, partner=partners[0], role=Role.MEMBER)
    services.ranking_set(attendee=second, target=first, level=Interest.WOULD, partner=partners[1], role=Role.MEMBER)
    return Meeting.objects.get(request__requester=first, request__recipient=second)


@pytest.mark.parametrize("host", ["public", "alpha"])
def test_partners_cannot_run_an_event(world, host):
    event = event_make()
    owner = world.person(world.alpha, Role.OWNER)
    client = client_for(None if host == "public" else world.alpha, owner)
    for path in ["schedule", "announce", "grid", "swap"]:
        response = client.post(f"/staff/events/{event.pk}/{path}/", {"text": "x", "day": "2027-05-20"})
        assert response.status_code in (403, 404), path
    assert not ScheduleRun.objects.exists() and not Announcement.objects.exists()
    assert Slot.objects.filter(event=event).count() == 4


def test_staff_run_the_scheduler_lock_and_swap(world):
    event = event_make()
    alice = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    carol = attendee_for(event, world.alpha, person_of(world.alpha, "carol@alpha.example.com"))
    bob = attendee_for(event, world.beta, world.person(world.beta, Role.MEMBER))
    dan = attendee_for(event, world.beta, person_of(world.beta, "dan@beta.example.com"))
    first = _mutual(event, alice, bob, (world.alpha, world.beta))
    second = _mutual(event, carol, dan, (world.alpha, world.beta))

    staff = client_for(None, world.staff)
    assert staff.get(f"/staff/events/{event.pk}/").status_code == 200
    assert staff.post(f"/staff/events/{event.pk}/schedule/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == MeetingStatus.SCHEDULED
    placed = {(m.slot_id, m.table_id) for m in (first, second)}
    assert len(placed) == 2

    # Swap, then re-run: locked meetings stay where staff put them.
    before = (first.slot_id, first.table_id), (second.slot_id, second.table_id)
    staff.post(f"/staff/events/{event.pk}/swap/", {"first": first.pk, "second": second.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.slot_id, first.table_id) == before[1] and first.locked and second.locked
    services.schedule_run(event=event)
    first.refresh_from_db()
    assert (first.slot_id, first.table_id) == before[1]


def test_a_move_into_a_clash_is_refused(world):
    event = event_make()
    alice = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    bob = attendee_for(event, world.beta, world.person(world.beta, Role.MEMBER))
    dan = attendee_for(event, world.beta, person_of(world.beta, "dan2@beta.example.com"))
    first = _mutual(event, alice, bob, (world.alpha, world.beta))
    second = _mutual(event, alice, dan, (world.alpha, world.beta))
    slot = event.slots.order_by("starts_at").first()
    tables = list(event.tables.order_by("id"))
    services.meeting_place(meeting=first, slot=slot, table=tables[0])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.meeting_place(meeting=second, slot=slot, table=tables[1])  # Alice would be in two meetings
    second.refresh_from_db()
    assert second.slot_id is None


def test_busy_slots_are_kept_free(world):
    event = event_make()
    slots = list(event.slots.order_by("starts_at"))
    alice = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    bob = attendee_for(event, world.beta, world.person(world.beta, Role.MEMBER))
    services.attendee_set_busy(attendee=alice, partner=world.alpha, busy_slots=[s.pk for s in slots[:3]])
    meeting = _mutual(event, alice, bob, (world.alpha, world.beta))
    services.schedule_run(event=event)
    meeting.refresh_from_db()
    assert meeting.slot_id == slots[3].pk
    assert datetime.timedelta(minutes=30) == slots[3].ends_at - slots[3].starts_at
