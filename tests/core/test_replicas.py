"""Read replicas (portal.core.replicas, docs/scaling.md "Read replicas"): which reads go to the replica.

The `replica` alias is a TEST MIRROR of the test database (portal/settings/test.py): its own connection, outside
the test's transaction, so it sees only committed rows. A row a test writes is on the primary and not (yet) on
the "replica": replication paused. The router is switched on per test with PORTAL_READ_REPLICA.
"""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context

from portal.celery import app
from portal.core import replicas
from portal.vehicles.models import VehicleModel
from tenants.choices import Role
from tenants.models import Membership

from ..conftest import client_for
from ..vehicles.factories import model_make

pytestmark = pytest.mark.django_db(databases=["default", "replica"])

MODEL_FORM = {
    "category": "L1e",
    "battery_chemistry": "LFP",
    "battery_kwh": "2.16",
    "range_km": "70",
    "hs_code": "8711.60",
}


@pytest.fixture(autouse=True)
def _replica_connection_closed():
    """The mirror's connection is opened by requests and kept (CONN_MAX_AGE): closed after each test, so the test
    database can be dropped at the end of the session."""
    yield
    connections["replica"].close()


@pytest.fixture
def replica_on(settings):
    settings.PORTAL_READ_REPLICA = "replica"
    return settings


def _replica_queries(client, url):
    """The response and the SQL the request ran on the replica connection."""
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(url)
    return response, [query["sql"] for query in on_replica.captured_queries]


@pytest.fixture
def opted_in():
    """The router's state inside a GET of an opted-in view, without a request."""
    state = replicas._Request(pinned=False, lag_ok=True)
    token = replicas._request.set(state)
    yield state
    replicas._request.reset(token)


def test_without_a_replica_the_router_has_no_opinion(settings, opted_in):
    settings.PORTAL_READ_REPLICA = None
    router = replicas.ReplicaRouter()
    assert router.db_for_read(VehicleModel) is None
    assert router.db_for_write(VehicleModel) is None
    assert not opted_in.wrote


def test_router_decisions(replica_on, opted_in):
    router = replicas.ReplicaRouter()
    assert router.db_for_read(VehicleModel) == "replica"
    # Who may do what: always the primary (a revoked membership counts at once).
    assert router.db_for_read(Membership) == DEFAULT_DB_ALIAS
    with transaction.atomic():
        assert router.db_for_read(VehicleModel) == DEFAULT_DB_ALIAS
    assert router.db_for_read(VehicleModel) == "replica"
    with replicas.primary_only():
        assert router.db_for_read(VehicleModel) == DEFAULT_DB_ALIAS
    assert router.db_for_write(VehicleModel) == DEFAULT_DB_ALIAS
    assert opted_in.wrote
    assert router.db_for_read(VehicleModel) == DEFAULT_DB_ALIAS  # after a write in this request


def test_reads_outside_an_opted_in_view_stay_on_the_primary(replica_on):
    router = replicas.ReplicaRouter()
    assert router.db_for_read(VehicleModel) == DEFAULT_DB_ALIAS  # no request: a task, a command
    state = replicas._Request(pinned=False)  # a request whose view did not opt in
    token = replicas._request.set(state)
    try:
        assert router.db_for_read(VehicleModel) == DEFAULT_DB_ALIAS
        state.lag_ok, state.pinned = True, True
        assert router.db_for_read(VehicleModel) == DEFAULT_DB_ALIAS
    finally:
        replicas._request.reset(token)


@app.task(name="tests.core.test_replicas.read_alias")
def read_alias():
    return replicas.ReplicaRouter().db_for_read(VehicleModel)


def test_a_task_reads_the_primary_even_inside_an_opted_in_request(replica_on, opted_in):
    assert read_alias() == "replica"  # a plain call is part of the request
    assert read_alias.apply().get() == DEFAULT_DB_ALIAS  # run as a task (eagerly): the primary
    assert replicas.ReplicaRouter().db_for_read(VehicleModel) == "replica"  # the request's state is back


def test_replica_connection_takes_the_partner_schema_before_every_cursor(world):
    replica = connections["replica"]
    with schema_context("beta"), replica.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert cursor.fetchone()[0] == "beta, public"
    # The replica connection was left in beta; the primary connection moves to alpha: so does the replica.
    with schema_context("alpha"), replica.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert cursor.fetchone()[0] == "alpha, public"
    with replica.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert cursor.fetchone()[0] == "public"


def test_opted_in_list_reads_the_replica_and_a_writer_reads_their_write(world, replica_on):
    manager = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    url = reverse("vehicles:model_list")

    response = manager.post(reverse("vehicles:model_create"), {**MODEL_FORM, "name": "Written just now"})
    assert response.status_code == 302
    assert replicas.PIN_COOKIE in response.cookies  # the person wrote: pinned to the primary
    with schema_context("alpha"):
        assert VehicleModel.objects.filter(name="Written just now").exists()  # on the primary only (uncommitted)

    # The writer reads their write: the list comes from the primary.
    response, on_replica = _replica_queries(manager, url)
    assert response.status_code == 200 and "Written just now" in response.content.decode()
    assert on_replica == []

    # Another person's list read goes to the replica, which has not got the row yet.
    response, on_replica = _replica_queries(viewer, url)
    assert response.status_code == 200 and "Written just now" not in response.content.decode()
    assert any("vehicles_vehiclemodel" in sql for sql in on_replica)
    assert replicas.PIN_COOKIE not in response.cookies  # a read does not pin


def test_the_pin_ends_after_its_window(world, replica_on, monkeypatch):
    replica_on.PORTAL_READ_REPLICA_PIN_SECONDS = 10
    monkeypatch.setattr(replicas, "clock", lambda: 1_000_000.0)
    manager = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    manager.post(reverse("vehicles:model_create"), {**MODEL_FORM, "name": "Pinned for ten seconds"})
    url = reverse("vehicles:model_list")
    monkeypatch.setattr(replicas, "clock", lambda: 1_000_009.0)
    assert _replica_queries(manager, url)[1] == []
    monkeypatch.setattr(replicas, "clock", lambda: 1_000_010.5)
    response, on_replica = _replica_queries(manager, url)
    assert on_replica and "Pinned for ten seconds" not in response.content.decode()


def test_a_forged_pin_cookie_is_ignored(world, replica_on):
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    viewer.cookies[replicas.PIN_COOKIE] = "99999999999"  # not signed
    assert _replica_queries(viewer, reverse("vehicles:model_list"))[1]


def test_views_that_did_not_opt_in_read_the_primary(world, replica_on):
    model = model_make(world.alpha, name="Detail model")
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    response, on_replica = _replica_queries(viewer, reverse("vehicles:model_update", kwargs={"pk": model.pk}))
    assert response.status_code in (200, 403) and on_replica == []
    response, on_replica = _replica_queries(viewer, reverse("vehicles:vehicle_create"))
    assert on_replica == []


def test_statistics_dashboard_reads_the_replica(world, replica_on):
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    response, on_replica = _replica_queries(viewer, reverse("insights:dashboard"))
    assert response.status_code == 200
    assert any("insights_" in sql for sql in on_replica)


def test_replica_read_of_partner_a_sees_only_a(world, replica_on):
    """Committed rows in alpha and beta (written through the replica alias, so both connections see them); the
    replica connection is left in beta's schema; alpha's list, read from the replica, shows alpha's row only."""
    replica = connections["replica"]
    names = {"alpha": "Replica row of alpha", "beta": "Replica row of beta"}

    def insert(schema):
        with replica.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{schema}".vehicles_vehiclemodel (name, category, battery_chemistry, battery_kwh, '
                "connectivity, hs_code, created_at) VALUES (%s, 'L1e', 'LFP', 1, '{}', '8711.60', now())",
                [names[schema]],
            )

    def delete():
        with replica.cursor() as cursor:
            for schema, name in names.items():
                cursor.execute(f'DELETE FROM "{schema}".vehicles_vehiclemodel WHERE name = %s', [name])

    try:
        insert("alpha")
        insert("beta")
        with schema_context("beta"), replica.cursor() as cursor:
            cursor.execute("SELECT 1")  # the replica connection's last schema: beta
        for partner, other in ((world.alpha, "beta"), (world.beta, "alpha"), (world.alpha, "beta")):
            viewer = client_for(partner, world.person(partner, Role.VIEWER))
            response, on_replica = _replica_queries(viewer, reverse("vehicles:model_list"))
            body = response.content.decode()
            assert response.status_code == 200
            assert any("vehicles_vehiclemodel" in sql for sql in on_replica)  # read from the replica
            assert names[partner.schema_name] in body
            assert names[other] not in body
            paths = [sql for sql in on_replica if sql.startswith("SET search_path")]
            assert paths and all(f'"{partner.schema_name}"' in sql and f'"{other}"' not in sql for sql in paths)
    finally:
        delete()
    connection.set_schema_to_public()
