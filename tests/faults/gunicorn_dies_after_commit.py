"""gunicorn config for tests/faults: the worker process SIGKILLs itself right after an import job is committed,
before its run is sent to the broker: the worst moment for a web process to die during an upload."""

import os
import signal

workers = 1
timeout = 60


def post_worker_init(worker):
    from portal.vehicles.importing import services

    def die(*, job):
        os.kill(os.getpid(), signal.SIGKILL)

    services.import_job_queue = die
