"""Hostile paths and query strings on every route: NUL bytes, huge and negative page numbers, impossible dates,
very long values, Unicode. Each gets a 4xx or a page, never a server error."""

from urllib.parse import quote

from tenants.choices import Role

from ..conftest import client_for
from ..isolation import OPEN_ROUTES, path_for, tenant_routes
from .corpus import INVALID_DATES, LONG, NEGATIVE_NUMBERS, UNICODE

PATH_VALUES = ["\x00", "..%2F..%2Fetc%2Fpasswd", LONG[:300], UNICODE[0], UNICODE[2], "-1", "9" * 40, "%00"]
QUERY = {
    "page": ["-1", "0", "9" * 30, "NaN", "\x00"],
    "page_size": ["-5", "0", "100000", "x"],
    "ordering": ["-pk;DROP TABLE x", "../../", "\x00", LONG[:500]],
    "q": [LONG, "\x00", "%", "_", "'\"\\", UNICODE[1]],
    "cursor": ["garbage", "\x00", "cD0yMDI1"],
}
DATE_FILTERS = ["production_date_after", "registration_date_before", "updated_after", "since", "until"]


def _hostile_paths(route, real_path: str, kwargs: dict) -> list[str]:
    """The route's real path with each free-text parameter (str converters) replaced by each hostile value."""
    paths = []
    for name, converter in route.pattern.pattern.converters.items():
        if type(converter).__name__ in ("IntConverter", "UUIDConverter") or name not in kwargs:
            continue
        paths += [real_path.replace(f"/{kwargs[name]}/", f"/{quote(value, safe='%')}/", 1) for value in PATH_VALUES]
    return paths


def test_hostile_path_values_never_cause_a_server_error(world):
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    samples: dict = {}
    problems, tried = [], 0
    for route in tenant_routes():
        if not route.needs_kwargs or route.short_name in OPEN_ROUTES:
            continue
        real = path_for(route, world.alpha, cache=samples)
        for path in _hostile_paths(route, real, samples.get(route.name, {})):
            response = owner.get(path)
            tried += 1
            if response.status_code >= 500:
                problems.append(f"GET {path[:120]}: {response.status_code}")
    assert tried >= 16
    assert problems == [], "\n".join(problems)


def test_hostile_query_strings_on_every_list_never_cause_a_server_error(world):
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    lists = [
        path_for(route, world.alpha)
        for route in tenant_routes()
        if not route.needs_kwargs and route.short_name not in OPEN_ROUTES and route.short_name != "logout"
    ]
    # Values of several parameters travel together (each list reads the ones it knows): a few requests per list.
    paging = [{name: values[i % len(values)] for name, values in QUERY.items() if name != "q"} for i in range(5)]
    filters = [
        {"q": QUERY["q"][i], **dict.fromkeys(DATE_FILTERS, INVALID_DATES[i]), "range_km": NEGATIVE_NUMBERS[i % 5]}
        for i in range(6)
    ]
    queries = paging + filters
    problems = []
    for path in lists:
        for query in queries:
            response = owner.get(path, query)
            if response.status_code >= 500:
                problems.append(f"GET {path}?{query}: {response.status_code}")
    assert len(lists) >= 20
    assert problems == [], "\n".join(problems[:40])
