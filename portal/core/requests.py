"""The current request, reachable where no request is passed (services, signals, logging, Celery publishing).

`RequestIdMiddleware` (first in MIDDLEWARE) gives every request an id: the caller's `X-Request-ID` when it is a
sane token, else a new one. The id is echoed in the response, written on every log line (`RequestIdFilter`),
carried by Celery tasks sent during the request, and stored with every audit event.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
TASK_HEADER = "portal_request_id"
# Proxies and clients send UUIDs, hex strings or dotted trace ids; anything else is replaced, not trusted.
VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")

current_request: ContextVar = ContextVar("current_request", default=None)
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_from(value: str | None) -> str:
    """The caller's id when it is a sane token, else a fresh one."""
    return value if value and VALID_ID.match(value) else request_id_new()


class RequestIdMiddleware:
    """Sets `request.request_id`, the context variables, and the `X-Request-ID` response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.META.get(META_KEY))
        request_token = current_request.set(request)
        id_token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(request_token)
            current_request_id.reset(id_token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record ("-" outside a request or task)."""

    def filter(self, record):
        record.request_id = current_request_id.get() or "-"
        return True


@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    """A task sent during a request carries the request's id (its logs and audit events show it)."""
    request_id = current_request_id.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens: dict = {}


@task_prerun.connect
def _adopt_request_id(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, TASK_HEADER, None) or (task.request.headers or {}).get(TASK_HEADER)
    _task_tokens[task_id] = current_request_id.set(request_id or f"task-{task_id}")


@task_postrun.connect
def _drop_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        current_request_id.reset(token)
