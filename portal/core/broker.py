"""kombu's embedded filesystem broker, made at-least-once: a message stays on disk until its task is acknowledged.

kombu's own filesystem transport deletes a message file the moment a worker takes it, so a worker killed with
SIGKILL loses the task it was running (`acks_late` cannot help: there is nothing left to redeliver). Here a taken
message moves to an `unacked` folder and stays there, locked with flock(2) by the worker process, until the task
is acknowledged (then it is deleted) or rejected (then it goes back to the queue). A lock dies with its process,
so any worker that finds an unlocked file in `unacked` knows its owner is gone and puts the message back in the
queue: the task is redone, which is why every task is idempotent. Redis and RabbitMQ do the same themselves.

A message is written under a temporary name and renamed into the queue when complete (kombu creates the file
first and writes it after, so a fast worker could take an empty file); a file that is not a message is moved to
`damaged/` with a log line instead of stopping the worker.
"""

import contextlib
import fcntl
import logging
import os
import shutil
import time
import uuid
from pathlib import Path

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

logger = logging.getLogger(__name__)

RECOVER_EVERY_S = 5.0  # how often an idle worker looks for messages whose worker died


class Channel(filesystem.Channel):
    """Takes a message by moving it to `unacked/` and holding a lock on it until ack or reject."""

    _last_recovery = 0.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held = {}  # delivery tag → (path, open locked file)
        Path(self.unacked_folder).mkdir(parents=True, exist_ok=True)
        self.recover_orphans()

    @cached_property
    def unacked_folder(self) -> str:
        default = os.path.join(os.path.dirname(os.path.abspath(self.data_folder_in)), "unacked")
        return self.transport_options.get("unacked_folder", default)

    @cached_property
    def damaged_folder(self) -> str:
        return os.path.join(os.path.dirname(self.unacked_folder), "damaged")

    def _put(self, queue, payload, **kwargs):
        """Write the message whole under a temporary name, then rename it into the queue (atomic)."""
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"  # not "<queue>.msg": no worker takes it
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.rename(partial, final)
        except OSError as error:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from error

    def _read(self, handle, target: str, queue_path: str):
        """The message in a taken file, or None when the file is not one (it is then put aside)."""
        raw = handle.read()
        try:
            return loads(raw.decode())
        except (UnicodeDecodeError, ValueError):
            handle.close()
            if not raw:  # a producer of an older release still writing it: leave it for the next poll
                with contextlib.suppress(OSError):
                    os.rename(target, queue_path)
                return None
            Path(self.damaged_folder).mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                shutil.move(target, os.path.join(self.damaged_folder, os.path.basename(target)))
            logger.error("broker message %s is not a message; moved to %s", target, self.damaged_folder)
            return None

    def _get(self, queue):
        suffix = f".{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if not filename.endswith(suffix) or filename.partition(".")[2] != f"{queue}.msg":
                continue
            target = os.path.join(self.unacked_folder, filename)
            queue_path = os.path.join(self.data_folder_in, filename)
            try:
                os.rename(queue_path, target)
            except OSError:
                continue  # another worker took it first
            handle = open(target, "rb")  # noqa: SIM115 -- kept open (and locked) until the message is settled
            fcntl.flock(handle, fcntl.LOCK_EX)
            payload = self._read(handle, target, queue_path)
            if payload is None:
                continue
            self._held[payload["properties"]["delivery_tag"]] = (target, handle)
            return payload
        if time.monotonic() - self._last_recovery > RECOVER_EVERY_S and self.recover_orphans():
            return self._get(queue)
        raise filesystem.Empty()

    def _settle(self, delivery_tag) -> None:
        path, handle = self._held.pop(delivery_tag, (None, None))
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            handle.close()

    def basic_ack(self, delivery_tag, multiple=False):
        super().basic_ack(delivery_tag, multiple=multiple)
        self._settle(delivery_tag)

    def basic_reject(self, delivery_tag, requeue=False):
        super().basic_reject(delivery_tag, requeue=requeue)  # a requeue puts a copy back first
        self._settle(delivery_tag)

    def _restore(self, message):
        super()._restore(message)  # at a warm shutdown: a copy goes back to the queue
        self._settle(message.delivery_tag)

    def recover_orphans(self) -> int:
        """Put back in the queue every taken message whose worker process has died; returns how many."""
        self._last_recovery = time.monotonic()
        recovered = 0
        for filename in sorted(os.listdir(self.unacked_folder)):
            path = os.path.join(self.unacked_folder, filename)
            try:
                handle = open(path, "rb")  # noqa: SIM115
            except FileNotFoundError:
                continue
            with handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live worker holds it
                if os.fstat(handle.fileno()).st_nlink == 0:
                    continue  # acknowledged and deleted while we waited
                try:
                    shutil.move(path, os.path.join(self.data_folder_in, filename))
                    recovered += 1
                except OSError:
                    continue
        return recovered


class Transport(filesystem.Transport):
    """`filesystem://` with at-least-once delivery (see the module docstring)."""

    Channel = Channel


def install() -> None:
    """Make `filesystem://` URLs use this transport in this process (producers and workers alike)."""
    TRANSPORT_ALIASES["filesystem"] = "portal.core.broker:Transport"
