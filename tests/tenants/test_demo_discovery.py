"""The demo seeds are found per app and run in the order their SEED_AFTER asks."""

from tenants.management.commands.seed_demo import demo_modules


def test_every_app_demo_is_found_once_and_in_dependency_order():
    names = [module.__name__ for module in demo_modules()]
    assert len(names) == len(set(names))
    for expected in ("portal.reference.demo", "portal.vehicles.demo", "portal.compliance.demo", "portal.supply.demo"):
        assert expected in names
    assert names[-1] == "portal.insights.demo"  # it computes the statistics of everything seeded before it
    assert (
        names.index("portal.reference.demo")
        < names.index("portal.vehicles.demo")
        < names.index("portal.compliance.demo")
    )
