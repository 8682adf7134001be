"""Matchmaking (suggestions, accepting one) and the demo seed (idempotent, funnel shaped like 70 → 44 → 10 → 6)."""

import io

import pytest
from django.core.exceptions import PermissionDenied

from portal.collaboration import demo, services
from portal.collaboration.choices import ListingKind, ParticipantStatus, Stage, TimelineKind
from portal.collaboration.funnel import funnel_compute
from portal.collaboration.models import Listing, Milestone, Product, Project, TimelineEvent
from portal.collaboration.selectors import listing_suggestions, project_list_for_partner
from tenants.choices import PartnerKind, Role
from tenants.demo import DEMO_PARTNERS
from tests.conftest import client_for
from tests.factories import PartnerRowFactory

from .factories import listing_for


def test_suggestions_rank_by_kind_tags_and_markets(world):
    need = listing_for(world.alpha, tags=["battery_pack"], markets=["TH"], partner_kinds=[PartnerKind.BATTERY_MAKER])
    listing_for(world.beta, kind=ListingKind.OFFER, tags=["battery_pack"], markets=["TH"])
    other = PartnerRowFactory(kind=PartnerKind.COMPONENT_SUPPLIER)
    listing_for(other, kind=ListingKind.OFFER, tags=["v2x"], markets=["TH"])
    PartnerRowFactory(kind=PartnerKind.EXPORT_AGENT)  # fits nothing
    suggestions = listing_suggestions(listing=need)
    assert [s["partner"] for s in suggestions] == [world.beta, other]
    assert suggestions[0]["score"] == 5 and suggestions[1]["score"] == 1


def test_accepting_a_suggestion_opens_a_negotiation(world):
    need = listing_for(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    response = client.post(f"/projects/market/{need.pk}/accept/", {"partner": world.beta.pk})
    project = Project.objects.get(title=need.title, owner=world.alpha)
    assert response.status_code == 302 and project.stage == Stage.NEGOTIATING
    assert set(project.participants.values_list("partner__schema_name", "status")) == {
        ("alpha", ParticipantStatus.ACCEPTED),
        ("beta", ParticipantStatus.ACCEPTED),
    }
    assert project in project_list_for_partner(partner=world.beta, accepted_only=True)


def test_only_the_listing_partner_managers_accept(world):
    need = listing_for(world.alpha)
    for partner, role in [(world.alpha, Role.MEMBER), (world.beta, Role.OWNER)]:
        with pytest.raises(PermissionDenied):
            services.suggestion_accept(listing=need, counterpart=world.beta, partner=partner, role=role, user=None)
    assert not Project.objects.filter(title=need.title).exists()
    # Another partner's listing page is not reachable even by its own members' colleagues elsewhere.
    assert (
        client_for(world.beta, world.person(world.beta, Role.OWNER)).get(f"/projects/market/{need.pk}/").status_code
        == 404
    )


def test_demo_seed_is_idempotent_and_shaped_like_the_alliance_funnel(world):
    partners = {
        spec["slug"]: PartnerRowFactory(
            schema_name=spec["slug"].replace("-", "_"), name=spec["name"], kind=spec["kind"]
        )
        for spec in DEMO_PARTNERS
    }
    demo.seed(partners=partners, stdout=io.StringIO())
    counts = (Project.objects.count(), Product.objects.count(), Listing.objects.count())
    demo.seed(partners=partners, stdout=io.StringIO())
    assert (Project.objects.count(), Product.objects.count(), Listing.objects.count()) == counts
    assert counts[0] == demo.TOTAL
    figures = funnel_compute(projects=project_list_for_partner(partner=None, staff=True))
    reached = {row["stage"]: row["reached"] for row in figures["stages"]}
    assert [reached[s] for s in (Stage.NEGOTIATING, Stage.DOCKED, Stage.SIGNED, Stage.IN_DEVELOPMENT)] == [
        70,
        44,
        10,
        6,
    ]
    swap = Project.objects.get(title__startswith="Battery-swap pack")
    assert swap.owner.schema_name == "cq_thunder" and swap.stage == Stage.IN_DEVELOPMENT
    # The board has a next milestone to show on each flagship, and its timeline reads as codes.
    assert Milestone.objects.filter(done=False).values("project").distinct().count() == len(demo.FLAGSHIPS)
    stage_line = TimelineEvent.objects.filter(project=swap, kind=TimelineKind.STAGE).first()
    assert stage_line.params["to"] in Stage.values and stage_line.text == ""
