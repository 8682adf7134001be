"""Query budgets of the event pages and endpoints: the same number of queries with few rows and with many."""

import pytest

from portal.events import services
from portal.events.choices import CardKind, Interest
from tenants.choices import Role

from ..conftest import client_for
from ..queries import query_budget
from .factories import attendee_for, card_for, event_make, person_of

pytestmark = pytest.mark.django_db

PAGES = ["/events/", "/events/{pk}/", "/events/{pk}/cards/", "/events/{pk}/people/", "/events/{pk}/requests/"]
PAGES += ["/events/{pk}/agenda/", "/events/{pk}/agenda.ics", "/events/{pk}/statistics/"]
APIS = ["/api/v1/events/", "/api/v1/event-cards/", "/api/v1/event-requests/", "/api/v1/events/{pk}/agenda/"]
STAFF = ["/staff/events/", "/staff/events/{pk}/"]


def _grow(world, event, me, n: int, offset: int) -> None:
    """`n` more people of Beta with a card each, each wanting to meet `me` (mutual: a meeting each)."""
    for index in range(offset, offset + n):
        other = attendee_for(event, world.beta, person_of(world.beta, f"budget{index}@beta.example.com"))
        card_for(event, world.beta, kind=CardKind.OFFER, title=f"Offer {index}")
        services.ranking_set(attendee=other, target=me, level=Interest.MUST, partner=world.beta, role=Role.MEMBER)
        services.ranking_set(attendee=me, target=other, level=Interest.WOULD, partner=world.alpha, role=Role.MEMBER)
    services.schedule_run(event=event, time_limit_s=2)


def _count(client, path) -> int:
    client.get(path)  # steady state: after a first request the host's partner comes from the shared cache
    with query_budget(1000) as captured:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return len(captured)


@pytest.mark.parametrize("path", PAGES + APIS + STAFF)
def test_queries_do_not_grow_with_rows(world, path):
    event = event_make()
    user = world.staff if path in STAFF else world.person(world.alpha, Role.MEMBER)
    me = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    card_for(event, world.alpha, kind=CardKind.NEED)
    client = client_for(None if path in STAFF else world.alpha, user)
    path = path.format(pk=event.pk)
    _grow(world, event, me, 1, 0)
    few = _count(client, path)
    _grow(world, event, me, 3, 1)
    many = _count(client, path)
    assert many == few, f"{path}: {few} → {many} queries"
