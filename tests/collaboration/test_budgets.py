"""Query budgets that do not grow with rows: board, list page, API list, funnel."""

import pytest

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


def _count(client, path) -> int:
    with query_budget(1000) as captured:
        assert client.get(path).status_code == 200
    return len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])


@pytest.mark.parametrize("path", PAGES + APIS)
def test_queries_do_not_grow_with_rows(world, path):
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    for index in range(2):
        project_for(world.alpha, title=f"P{index}", partners=[world.beta])
    product_for(world.alpha)
    listing_for(world.alpha)
    few = _count(client, path)
    for index in range(12):
        project_for(world.alpha, title=f"Q{index}", partners=[world.beta])
        product_for(world.beta, name=f"B{index}")
        listing_for(world.beta, title=f"L{index}")
    many = _count(client, path)
    assert many == few, f"{path}: {few} → {many} queries"
    assert many <= 14
