"""Idempotency-Key: retries replay the first answer; concurrent retries create one object; misuse is refused."""

import threading
from datetime import timedelta

from django.db import connections
from django.test import Client
from django.utils import timezone

from portal.integrations.idempotency import idempotency_records_purge
from portal.integrations.models import ApiKey, IdempotencyRecord
from tenants.choices import Role

from ..conftest import client_for, host_of

KEYS = "/api/v1/api-keys/"


def _post(client, body, key, **extra):
    return client.post(KEYS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_retry_with_same_key_and_body_replays_the_first_answer(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    first = _post(client, {"name": "ERP"}, "order-1")
    again = _post(client, {"name": "ERP"}, "order-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert ApiKey.objects.filter(name="ERP").count() == 1
    # The same answer (same key), except the one-time secret: it is shown once and never stored for replays.
    replayed, original = again.json(), first.json()
    assert original["key"] and replayed["key"] is None and replayed["one_time_fields_withheld"] == ["key"]
    assert {k: v for k, v in replayed.items() if k not in ("key", "one_time_fields_withheld")} == {
        k: v for k, v in original.items() if k != "key"
    }
    stored = bytes(IdempotencyRecord.objects.get(key="order-1").response_body)
    assert original["key"].encode() not in stored


def test_same_key_with_another_body_is_refused_and_changes_nothing(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    _post(client, {"name": "ERP"}, "order-2")
    before = ApiKey.objects.count()
    response = _post(client, {"name": "Other"}, "order-2")
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert ApiKey.objects.count() == before


def test_keys_are_per_caller(world):
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    manager = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    assert _post(owner, {"name": "A"}, "shared").status_code == 201
    assert _post(manager, {"name": "B"}, "shared").status_code == 201
    assert ApiKey.objects.filter(name__in=["A", "B"]).count() == 2


def test_validation_errors_are_replayed_too(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    first = _post(client, {"name": ""}, "bad-1")
    again = _post(client, {"name": ""}, "bad-1")
    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"


def test_unusable_key_header_is_a_clear_400(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    before = ApiKey.objects.count()
    response = _post(client, {"name": "x"}, "k" * 256)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_idempotency_key"
    assert ApiKey.objects.count() == before


def test_ten_concurrent_retries_create_one_object(world):
    """Ten threads, each with its own database connection, send the same request at once."""
    owner = world.person(world.alpha, Role.OWNER)
    barrier = threading.Barrier(10)
    answers: list[tuple[int, str]] = []

    def send():
        client = Client(HTTP_HOST=host_of(world.alpha))
        client.force_login(owner)
        barrier.wait()
        response = _post(client, {"name": "concurrent"}, "burst-1")
        answers.append((response.status_code, response.json()["prefix"]))
        connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(10)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        statuses = {status for status, _prefix in answers}
        prefixes = {prefix for _status, prefix in answers}
        assert len(answers) == 10
        assert statuses == {201}
        assert len(prefixes) == 1  # every retry answers with the one key that was created
        assert ApiKey.objects.filter(name="concurrent").count() == 1
    finally:
        # The threads committed outside this test's transaction: clean up after them.
        ApiKey.objects.filter(name="concurrent").delete()
        IdempotencyRecord.objects.filter(key="burst-1").delete()


def test_old_answers_are_purged_after_48_hours_but_kept_for_24(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    _post(client, {"name": "old"}, "old-1")
    _post(client, {"name": "recent"}, "recent-1")
    IdempotencyRecord.objects.filter(key="old-1").update(created_at=timezone.now() - timedelta(hours=49))
    IdempotencyRecord.objects.filter(key="recent-1").update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_records_purge() == 1
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) >= {"recent-1"}
    assert not IdempotencyRecord.objects.filter(key="old-1").exists()
