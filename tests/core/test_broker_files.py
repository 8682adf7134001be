"""The embedded broker's message files: written whole before a worker can see them; a bad file never stops a worker."""

import os

import pytest
from kombu.transport import filesystem

from portal.celery import app
from portal.settings.base import filesystem_broker_options


@pytest.fixture
def channel(tmp_path):
    options = filesystem_broker_options(tmp_path)
    with app.connection_for_write("filesystem://", transport_options=options) as connection:
        yield connection.default_channel


def _queue(tmp_path) -> list[str]:
    return sorted(os.listdir(tmp_path / "queue"))


def _payload(tag: str) -> dict:
    return {"body": "e30=", "properties": {"delivery_tag": tag}, "headers": {}}


def test_a_message_appears_in_the_queue_only_when_written_whole(channel, tmp_path, monkeypatch):
    seen = []
    original = os.rename
    # At the moment of the rename the temporary file is complete and no queue file exists yet.
    monkeypatch.setattr(os, "rename", lambda a, b: (seen.append((_queue(tmp_path), a, b)), original(a, b))[1])
    channel._put("celery", _payload("one"))
    ((names, partial, final),) = seen
    assert names == [os.path.basename(partial)] and partial.endswith(".celery.msg.part")
    assert final == partial.removesuffix(".part")
    assert _queue(tmp_path) == [os.path.basename(final)]
    monkeypatch.setattr(os, "rename", original)
    assert channel._get("celery")["properties"]["delivery_tag"] == "one"


def test_a_damaged_file_is_put_aside_and_the_next_message_served(channel, tmp_path):
    (tmp_path / "queue" / "1_bad.celery.msg").write_bytes(b"\x00 not a message")
    channel._put("celery", _payload("good"))
    assert channel._get("celery")["properties"]["delivery_tag"] == "good"
    assert os.listdir(tmp_path / "damaged") == ["1_bad.celery.msg"]


def test_an_empty_file_waits_in_the_queue(channel, tmp_path):
    (tmp_path / "queue" / "1_empty.celery.msg").write_bytes(b"")
    with pytest.raises(filesystem.Empty):
        channel._get("celery")
    assert _queue(tmp_path) == ["1_empty.celery.msg"]
