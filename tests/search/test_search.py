"""The search box: each kind found, a VIN by its last six, too-short queries, isolation, budget, indexes."""

import pytest
from django.db import connection
from django.urls import reverse
from django_tenants.utils import schema_context

from portal.core.trigram import trigram_installed
from portal.search.selectors import search_everything, vehicle_list_by_vin_suffix
from tenants.choices import Role

from ..collaboration.factories import project_for
from ..compliance.factories import certificate_make, shipment_make
from ..conftest import client_for
from ..queries import assert_same_queries, query_budget
from ..vehicles.factories import WMI, model_make, vehicle_make, vin_for

URL = "/search/"


def _member(world, partner=None, role=Role.VIEWER):
    partner = partner or world.alpha
    return client_for(partner, world.person(partner, role))


def _kinds(response) -> dict[str, str]:
    """The text of each result group on the page, by kind."""
    html = response.content.decode()
    groups = {}
    for chunk in html.split('data-kind="')[1:]:
        kind, _, rest = chunk.partition('"')
        groups[kind] = rest.split("</section>")[0]
    return groups


def test_each_kind_is_found_and_links_to_its_record(world):
    alpha = world.alpha
    model = model_make(alpha, name="Zephyr Cargo 3")
    vehicle = vehicle_make(alpha, model=model, vin=vin_for(WMI["alpha"], 424242))
    shipment = shipment_make(alpha, reference="ZEPH-2026-0007")
    certificate_make(alpha, "un38-3", [model], number="UN-ZEPH-99")
    project = project_for(world.beta, title="Zephyr swap stations", partners=[alpha])
    client = _member(world)

    groups = _kinds(client.get(URL, {"q": "zeph"}))
    assert set(groups) == {"shipments", "certificates", "models", "projects"}
    assert reverse("compliance:shipment_detail", kwargs={"pk": shipment.pk}) in groups["shipments"]
    assert "ZEPH-2026-0007" in groups["shipments"]
    assert "number=UN-ZEPH-99" in groups["certificates"]
    assert f"?model={model.pk}" in groups["models"]
    assert reverse("collaboration:project-detail", kwargs={"pk": project.pk}) in groups["projects"]

    groups = _kinds(client.get(URL, {"q": "beta cell"}))
    assert list(groups) == ["partners"] and "Beta Cells" in groups["partners"]
    assert f"?partner={world.beta.pk}" in groups["partners"]

    # A VIN's last six (in any case) with a second hit elsewhere: the results page lists the vehicle.
    shipment_make(alpha, reference="REF-424242")
    groups = _kinds(client.get(URL, {"q": "424242"}))
    assert vehicle.vin in groups["vehicles"] and "REF-424242" in groups["shipments"]
    assert reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin}) in groups["vehicles"]


def test_a_vin_opens_its_vehicle(world):
    vehicle = vehicle_make(world.alpha, vin=vin_for(WMI["alpha"], 515151))
    vehicle_make(world.alpha, vin=vin_for(WMI["alpha"], 616161, year="S"))
    vehicle_make(world.alpha, vin=vin_for(WMI["alpha"], 616161, year="T"))
    client = _member(world)
    detail = reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin})

    for query in (vehicle.vin, vehicle.vin.lower(), f"  {vehicle.vin[-6:]} ", vehicle.vin[-9:]):
        response = client.get(URL, {"q": query})
        assert response.status_code == 302 and response["Location"] == detail, query

    # A whole VIN opens its vehicle even when other records match too, and nothing else is searched.
    shipment_make(world.alpha, reference=f"Docs for {vehicle.vin}")
    with query_budget(12) as queries:
        response = client.get(URL, {"q": vehicle.vin})
    assert response.status_code == 302 and response["Location"] == detail
    assert "compliance_shipment" not in queries.sql()

    # Two vehicles end the same way: both are listed, nothing is opened.
    response = client.get(URL, {"q": "616161"})
    assert response.status_code == 200
    assert _kinds(response)["vehicles"].count('class="font-monospace"') == 2


def test_too_short_queries_are_explained_and_not_searched(world):
    vehicle = vehicle_make(world.alpha, vin=vin_for(WMI["alpha"], 777001))
    client = _member(world)

    with query_budget(8) as queries:
        response = client.get(URL, {"q": " 7 "})
    assert "search-too-short" in response.content.decode()
    assert "Type at least 3 characters to search." in response.content.decode()
    assert "vehicles_vehicle" not in queries.sql()

    # Three to five letters and digits: searched, but not as a VIN, and the page says how VINs are found.
    response = client.get(URL, {"q": vehicle.vin[-5:]})
    page = response.content.decode()
    assert response.status_code == 200 and "search-vin-hint" in page and vehicle.vin not in page

    assert _member(world).get(URL).status_code == 200  # the empty page: the box, no warning
    assert "search-too-short" not in _member(world).get(URL).content.decode()


def test_one_partner_never_finds_anothers_records(world):
    alpha, beta = world.alpha, world.beta
    serial = 880088
    own = vehicle_make(alpha, vin=vin_for(WMI["alpha"], serial))
    theirs = vehicle_make(beta, vin=vin_for(WMI["beta"], serial))
    beta_model = model_make(beta, name="Quokka secret model")
    shipment_make(beta, reference="QUOKKA-BETA-1")
    certificate_make(beta, "un38-3", [beta_model], number="QUOKKA-CERT-1")
    project_for(beta, title="Quokka beta-only project")
    invited = project_for(beta, title="Quokka joint project", partners=[alpha])

    for role in (Role.OWNER, Role.VIEWER):
        client = _member(world, alpha, role)
        response = client.get(URL, {"q": str(serial)})  # the one vehicle alpha has with that serial: opened
        assert response.status_code == 302 and response["Location"].endswith(f"/vehicles/{own.vin}/")
        assert client.get(URL, {"q": theirs.vin}).status_code == 200  # not opened: not alpha's
        page = client.get(URL, {"q": "quokka"}).content.decode()
        assert "Quokka joint project" in page and f"/projects/{invited.pk}/" in page
        for secret in ("QUOKKA-BETA-1", "QUOKKA-CERT-1", "Quokka secret model", "Quokka beta-only project"):
            assert secret not in page

    # Beta's people on alpha's host and an outsider are refused before anything is searched.
    for user in (world.person(beta, Role.OWNER), world.outsider):
        response = client_for(alpha, user).get(URL, {"q": "quokka"})
        assert response.status_code in (302, 403, 404) and b"QUOKKA" not in response.content
    # On beta's own host, beta finds its own.
    page = _member(world, beta).get(URL, {"q": "quokka"}).content.decode()
    assert "QUOKKA-BETA-1" in page and "Quokka beta-only project" in page


def test_public_host_staff_find_partners_and_projects_others_are_refused(world):
    project = project_for(world.beta, title="Wombat staff-visible project")
    staff = client_for(None, world.staff)
    groups = _kinds(staff.get(URL, {"q": "wombat"}))
    assert list(groups) == ["projects"] and f"/projects/{project.pk}/" in groups["projects"]
    groups = _kinds(staff.get(URL, {"q": "alpha"}))
    assert "Alpha Motors" in groups["partners"] and "staff/?name=Alpha" in groups["partners"]

    member = client_for(None, world.person(world.alpha, Role.OWNER))
    response = member.get(URL, {"q": "wombat"})
    assert response.status_code == 302 and b"Wombat" not in response.content


def test_search_page_query_budget_does_not_grow(world):
    alpha = world.alpha
    client = _member(world)
    query = {"q": "KOALA"}
    client.get(URL, query)  # warm up (session, caches)
    with query_budget(12) as few:
        assert client.get(URL, query).status_code == 200
    model = model_make(alpha, name="Koala Mk1")
    for serial in range(3):
        shipment_make(alpha, reference=f"KOALA-{serial}")
        certificate_make(alpha, "un38-3", [model], number=f"KOALA-C{serial}")
        model_make(alpha, name=f"Koala Mk{serial + 2}")
        project_for(alpha, title=f"Koala project {serial}")
    with query_budget(12) as many:
        response = client.get(URL, query)
    assert set(_kinds(response)) == {"shipments", "certificates", "models", "projects"}
    assert_same_queries(few, many, URL)


def _plan(queryset) -> str:
    """EXPLAIN of the queryset with sequential and plain index scans priced out: on the tests' tiny tables the
    planner would rather walk an ordering btree and filter; left with bitmap scans, it shows which index can
    answer the condition itself."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute("SET LOCAL enable_indexscan = on")
    return plan


@pytest.mark.parametrize("suffix", ["424242", "R4424242", "LALJCNL04R4424242"])
def test_vin_suffix_query_uses_the_reversed_vin_index(world, suffix):
    with schema_context(world.alpha.schema_name):
        plan = _plan(vehicle_list_by_vin_suffix(suffix=suffix)[:11])
    assert "vehicle_vin_suffix" in plan, plan


TRIGRAM_INDEXES = {
    "shipment_reference_trgm",
    "certificate_number_trgm",
    "vehicle_model_name_trgm",
    "project_title_trgm",
}
NO_TRIGRAM = "pg_trgm is not on this server (the embedded pgserver ships no contrib): the trigram indexes are left out"


def test_trigram_indexes_follow_the_extension(world):
    """With pg_trgm the four indexes exist (projects live in public); without it none, and migrating succeeds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname IN (%s, 'public') AND indexname LIKE %s",
            [world.alpha.schema_name, "%\\_trgm"],
        )
        found = {row[0] for row in cursor.fetchall()}
    assert found == (TRIGRAM_INDEXES if trigram_installed(connection) else set())


def test_name_queries_use_the_trigram_indexes(world):
    if not trigram_installed(connection):
        pytest.skip(NO_TRIGRAM)
    from portal.collaboration.models import Project
    from portal.compliance.models import Certificate, Shipment
    from portal.vehicles.models import VehicleModel

    with schema_context(world.alpha.schema_name):
        plans = {
            "shipment_reference_trgm": _plan(Shipment.objects.filter(reference__icontains="SHP-20")),
            "certificate_number_trgm": _plan(Certificate.objects.filter(number__icontains="E12")),
            "vehicle_model_name_trgm": _plan(VehicleModel.objects.filter(name__icontains="cargo")),
            "project_title_trgm": _plan(Project.objects.filter(title__icontains="swap").order_by()),
        }
    for index, plan in plans.items():
        assert index in plan, plan


def test_pg_trgm_lives_in_the_public_schema_only(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
        where = cursor.fetchall()
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        assert where == ([("public",)] if cursor.fetchone() else [])


def test_selector_searches_nothing_for_a_visitor_without_partner_or_staff(world):
    results = search_everything(query="alpha", partner=None, staff=False)
    assert results.groups == [] and not results.too_short


API = "/api/v1/search/"


def test_api_answers_groups_with_links_and_refuses_others(world):
    from portal.api.scopes import ALL_SCOPES
    from portal.integrations.services import api_key_create

    alpha, beta = world.alpha, world.beta
    vehicle = vehicle_make(alpha, vin=vin_for(WMI["alpha"], 262626))
    shipment_make(alpha, reference="NUMBAT-1")
    shipment_make(beta, reference="NUMBAT-BETA")

    data = _member(world).get(API, {"q": "numbat"}).json()
    assert data["too_short"] is False and data["min_length"] == 3
    [group] = data["groups"]
    assert group["kind"] == "shipments" and group["more"] is False
    assert [hit["label"] for hit in group["hits"]] == ["NUMBAT-1"]
    assert group["hits"][0]["url"].startswith("/compliance/shipments/")
    data = _member(world).get(API, {"q": "262626"}).json()  # the API lists the vehicle, it does not redirect
    assert data["groups"][0]["hits"] == [{"label": vehicle.vin, "url": f"/vehicles/{vehicle.vin}/"}]
    assert _member(world).get(API, {"q": "nu"}).json() == {
        "query": "nu",
        "too_short": True,
        "min_length": 3,
        "groups": [],
    }

    # Another partner's person, an outsider, staff on a partner host and API keys (no scope covers search).
    _key, raw = api_key_create(partner=alpha, name="alpha integrator", scopes=ALL_SCOPES)
    refused = [
        client_for(alpha, world.person(beta, Role.OWNER)).get(API, {"q": "numbat"}),
        client_for(alpha, world.outsider).get(API, {"q": "numbat"}),
        client_for(alpha, world.staff).get(API, {"q": "numbat"}),
        client_for(alpha).get(API, {"q": "numbat"}, HTTP_X_API_KEY=raw),
        client_for(None, world.person(alpha, Role.OWNER)).get(API, {"q": "numbat"}),
    ]
    for response in refused:
        assert response.status_code in (401, 403) and b"NUMBAT" not in response.content

    # Staff on the public host: partners and projects, never a partner's schema.
    data = client_for(None, world.staff).get(API, {"q": "alpha"}).json()
    assert [group["kind"] for group in data["groups"]] == ["partners"]
    assert data["groups"][0]["hits"][0]["label"] == "Alpha Motors"
    assert client_for(None, world.staff).get(API, {"q": "numbat"}).json()["groups"] == []


def test_one_statement_searches_every_kind_through_its_index(world):
    """The page's search is one UNION ALL; each part keeps its index (seq scans priced out: tiny tables)."""
    from django.test.utils import CaptureQueriesContext

    with schema_context(world.alpha.schema_name):
        with CaptureQueriesContext(connection) as captured:
            search_everything(query="424242", partner=world.alpha)
        [statement] = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
        with connection.cursor() as cursor:  # priced as in _plan, for the same reason
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {statement}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_indexscan = on")
    assert "UNION ALL" in statement
    # (The projects part may start from the partner's few participations instead: also an index.)
    indexes = ["vehicle_vin_suffix"]
    if trigram_installed(connection):
        indexes += ["shipment_reference_trgm", "certificate_number_trgm", "vehicle_model_name_trgm"]
    for index in indexes:
        assert index in plan, plan
