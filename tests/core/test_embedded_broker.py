"""The embedded broker (portal.devstack.EmbeddedRedis): it starts on a socket, keeps its queue over a restart and
serves messages first in, first out; Celery keeps a task until it is done (acks_late)."""

import os

from django.conf import settings
from kombu import Consumer, Exchange, Producer, Queue

from portal.celery import app
from portal.devstack import EmbeddedRedis

from ..embedded_broker import private_broker_url


def test_the_embedded_server_starts_on_its_socket_and_stops(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis").start()
    try:
        assert server.socket == tmp_path / "redis" / "redis.sock"
        assert server.client().ping() is True
        assert server.broker_url() == f"redis+socket://{server.socket}"
        assert server.cache_url() == f"unix://{server.socket}?db=1"
        with app.connection_for_write(server.broker_url(3)) as conn:
            conn.ensure_connection(max_retries=1)
            assert conn.default_channel.client.connection_pool.connection_kwargs["db"] == 3
        process = server.process
    finally:
        server.stop(save=False)
    assert process.poll() is not None and not server.answers()
    server.stop()  # a second stop is harmless


def test_the_queue_survives_a_restart_of_the_embedded_server(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis").start()
    queue = Queue("restart-test", Exchange("restart-test"), "restart-test")
    try:
        with app.connection_for_write(server.broker_url()) as conn:
            Producer(conn).publish({"n": 1}, exchange=queue.exchange, routing_key="restart-test", declare=[queue])
        server.stop()  # saves a snapshot
        server.start()
        with app.connection_for_write(server.broker_url()) as conn:
            message = queue(conn.default_channel).get(no_ack=True)
        assert message is not None and message.payload == {"n": 1}
    finally:
        server.stop(save=False)


def test_many_messages_are_consumed_in_the_order_they_were_sent():
    """Through the same path a worker takes (BRPOP via drain_events), 2,000 messages come out in order."""
    count = 2000
    queue = Queue("fifo-test", Exchange("fifo-test"), "fifo-test")
    received = []
    with app.connection_for_write(private_broker_url()) as conn:
        producer = Producer(conn)
        for n in range(count):
            producer.publish({"n": n}, exchange=queue.exchange, routing_key="fifo-test", declare=[queue])

        def take(body, message):
            received.append(body["n"])
            message.ack()

        with Consumer(conn, queues=[queue], callbacks=[take], prefetch_count=1):
            while len(received) < count:
                conn.drain_events(timeout=10)
    assert received == list(range(count))


def test_settings_keep_tasks_until_they_are_done():
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= 5
    assert os.environ["CELERY_BROKER_URL"] == settings.CELERY_BROKER_URL


def test_rate_limit_counters_use_the_shared_redis_cache_when_there_is_one():
    """Always so in the tests, whose session sets REDIS_CACHE_URL to its embedded Redis unless it is given."""
    assert os.environ.get("REDIS_CACHE_URL")
    assert settings.CACHES["throttle"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_CACHE_URL"]
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"
