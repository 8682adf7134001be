"""Query budgets that do not grow with rows: board, list page, API list, funnel."""

import datetime

import pytest

from portal.collaboration.models import Milestone
from tenants.choices import Role
from tests.conftest import client_for
from tests.queries import query_budget

from .factories import listing_for, product_for, project_for

PAGES = ["/projects/", "/projects/list/", "/projects/funnel/", "/projects/products/", "/projects/market/"]
APIS = [
    "/api/v1/projects/",
    "/api/v1/project-transitions/",
    "/api/v1/milestones/",
    "/api/v1/products/",
    "/api/v1/needs-offers/",
]


def _project(owner, title, partners) -> None:
    """A project with a milestone (rows for /api/v1/milestones/)."""
    project = project_for(owner, title=title, partners=partners)
    Milestone.objects.create(project=project, title=f"{title} sample", due_date=datetime.date(2026, 6, 1), owner=owner)


def _count(client, path) -> int:
    client.get(path)  # steady state: after a first request the host's partner comes from the shared cache
    with query_budget(1000) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", PAGES + APIS)
def test_queries_do_not_grow_with_rows(world, path):
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    for index in range(2):
        _project(world.alpha, f"P{index}", [world.beta])
    product_for(world.alpha)
    listing_for(world.alpha)
    few = _count(client, path)
    for index in range(12):
        _project(world.alpha, f"Q{index}", [world.beta])
        product_for(world.beta, name=f"B{index}")
        listing_for(world.beta, title=f"L{index}")
    many = _count(client, path)
    assert many == few, f"{path}: {few} → {many} queries"
    assert many <= 14
