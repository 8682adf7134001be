"""Read replicas: pages that may read slightly old rows read them from a streaming replica (docs/scaling.md).

Off unless `DATABASE_REPLICA_URL` is set (settings `PORTAL_READ_REPLICA` names the alias): then everything stays on
the primary, exactly as without this module. When on, a read goes to the replica only if all of these hold:

* the view said its reads may lag (`@reads_may_lag` on a function view, `ReadsMayLagMixin` on a class-based one:
  statistics pages, dashboards, list pages; chosen one by one, never guessed) and the request is a GET or HEAD;
* the person did not write in the last `PORTAL_READ_REPLICA_PIN_SECONDS` (a signed cookie set by
  `ReplicaMiddleware` on any unsafe request or any request that wrote: they read their own write from the
  primary) and this request has not written yet;
* no transaction is open on the primary (a transaction reads what it is about to change);
* the model is not identity or permission data (`PRIMARY_ONLY_APPS`: sessions, people, memberships, keys, …):
  a signed-out session, a revoked membership or key takes effect at once, whatever the replica's lag.

Writes always go to the primary. Celery tasks (the statistics pipeline) run outside any request and read the
primary; a task run inside a request (eagerly) does too (`task_prerun` below). Raw SQL through
`django.db.connection` is the primary's. The replica connection takes the request's partner schema before every
cursor (`tenants.postgresql_backend`): django-tenants itself sets it only on the primary's connection.
"""

import contextvars
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connections

PIN_COOKIE = "portal_primary_until"
PIN_SALT = "portal.core.replicas.pin"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Who may do what is read from the primary only: sessions, people, partners and memberships, API keys, sign-in
# throttling and second factors, content types (per schema).
PRIMARY_ONLY_APPS = frozenset(
    {
        "sessions",
        "auth",
        "tenants",
        "django_tenants",
        "contenttypes",
        "axes",
        "otp_totp",
        "otp_static",
        "rest_framework_api_key",
        "integrations",
    }
)


def clock() -> float:
    """Seconds since the epoch (the seam tests move)."""
    return time.time()


@dataclass
class _Request:
    pinned: bool
    lag_ok: bool = False
    wrote: bool = False


_request: contextvars.ContextVar[_Request | None] = contextvars.ContextVar("portal_replica_request", default=None)


def reads_may_lag(view):
    """Mark a function view whose reads may be a few seconds old (statistics, dashboards, lists)."""
    view.reads_may_lag = True
    return view


class ReadsMayLagMixin:
    """The same for a class-based view."""

    reads_may_lag = True


def _view_reads_may_lag(view_func) -> bool:
    if getattr(view_func, "reads_may_lag", False):
        return True
    view_class = getattr(view_func, "view_class", None)
    return bool(getattr(view_class, "reads_may_lag", False))


def replica_alias() -> str | None:
    """The replica's alias, or None when none is configured."""
    return getattr(settings, "PORTAL_READ_REPLICA", None) or None


def _in_transaction() -> bool:
    """A transaction of the code is open on the primary (a test case's own wrapping transaction does not count)."""
    primary = connections[DEFAULT_DB_ALIAS]
    return any(not block._from_testcase for block in primary.atomic_blocks)


@contextmanager
def primary_only():
    """Every read inside goes to the primary, whatever the view said."""
    token = _request.set(None)
    try:
        yield
    finally:
        _request.reset(token)


class ReplicaRouter:
    """Reads of opted-in views to the replica; everything else, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        alias = replica_alias()
        if alias is None:
            return None  # no opinion: Django's own choice, the primary
        state = _request.get()
        if (
            state is None
            or not state.lag_ok
            or state.pinned
            or state.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or _in_transaction()
        ):
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        if replica_alias() is None:
            return None
        state = _request.get()
        if state is not None:
            state.wrote = True  # later reads of this request, and of this person for a while, from the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        alias = replica_alias()
        if alias is None:
            return None
        same = {DEFAULT_DB_ALIAS, alias}
        return True if obj1._state.db in same and obj2._state.db in same else None


def _pinned(request) -> bool:
    try:
        until = float(request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT))
    except (KeyError, signing.BadSignature, ValueError):
        return False
    return clock() < until


class ReplicaMiddleware:
    """Tells the router what this request may read from the replica, and pins a person who wrote to the primary.

    After a write (an unsafe method, or any write the router saw) the response carries a signed, host-only cookie
    with the time until which this person's reads stay on the primary: `PORTAL_READ_REPLICA_PIN_SECONDS`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if replica_alias() is None:
            return self.get_response(request)
        state = _Request(pinned=_pinned(request))
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote or request.method not in SAFE_METHODS:
            seconds = int(settings.PORTAL_READ_REPLICA_PIN_SECONDS)
            response.set_signed_cookie(
                PIN_COOKIE,
                f"{clock() + seconds:.3f}",
                salt=PIN_SALT,
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _request.get()
        if state is not None:
            state.lag_ok = request.method in SAFE_METHODS and _view_reads_may_lag(view_func)
        return None


@task_prerun.connect(weak=False)
def _task_reads_primary(task=None, **kwargs):
    """A task never reads from the replica, even one run eagerly inside an opted-in request."""
    if task is not None:
        task.request.portal_replica_token = _request.set(None)


@task_postrun.connect(weak=False)
def _task_done(task=None, **kwargs):
    token = getattr(task.request, "portal_replica_token", None) if task is not None else None
    if token is not None:
        # ValueError: the token belongs to another context (a worker's thread pool): no request's state to restore.
        with suppress(ValueError):
            _request.reset(token)
