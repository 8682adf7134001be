"""A card a partner keeps private is never shown to another partner: not on pages, not in the API, not in a score."""

import pytest

from portal.events import selectors
from portal.events.choices import CardKind
from tenants.choices import Role

from ..conftest import client_for
from .factories import attendee_for, card_for, event_make

pytestmark = pytest.mark.django_db


def test_private_cards_stay_with_their_partner(world):
    event = event_make()
    card_for(event, world.alpha, kind=CardKind.OFFER, private=True, title="SECRET alpha private offer")
    card_for(event, world.alpha, kind=CardKind.NEED, title="Alpha public need", tags=("ota",))

    beta = client_for(world.beta, world.person(world.beta, Role.MEMBER))
    page = beta.get(f"/events/{event.pk}/cards/").content.decode()
    assert "Alpha public need" in page and "SECRET alpha private offer" not in page
    api = beta.get("/api/v1/event-cards/", {"event": event.pk}).content.decode()
    assert "Alpha public need" in api and "SECRET alpha private offer" not in api
    private = event.cards.get(is_private=True)
    assert beta.get(f"/api/v1/event-cards/{private.pk}/").status_code == 404

    alpha = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert "SECRET alpha private offer" in alpha.get(f"/events/{event.pk}/cards/").content.decode()


def test_private_cards_of_others_never_make_a_suggestion(world):
    """Beta's only matching card is private: Alpha's people are not told Beta fits (the score would reveal it)."""
    event = event_make()
    alice = attendee_for(event, world.alpha, world.person(world.alpha, Role.MEMBER))
    bob = attendee_for(event, world.beta, world.person(world.beta, Role.MEMBER))
    card_for(event, world.alpha, kind=CardKind.NEED, tags=("v2x",))
    card_for(event, world.beta, kind=CardKind.OFFER, tags=("v2x",), private=True)
    assert selectors.suggestion_list(attendee=alice) == []
    # Beta's own private card counts for Beta's people (it is theirs), against Alpha's public need.
    assert [s.attendee for s in selectors.suggestion_list(attendee=bob)] == [alice]


def test_a_partner_cannot_remove_another_partners_card(world):
    event = event_make()
    card = card_for(event, world.alpha, title="Alpha offer")
    beta = client_for(world.beta, world.person(world.beta, Role.OWNER))
    assert beta.post(f"/events/cards/{card.pk}/delete/").status_code == 404
    assert beta.delete(f"/api/v1/event-cards/{card.pk}/").status_code in (403, 404)
    assert event.cards.filter(pk=card.pk).exists()
