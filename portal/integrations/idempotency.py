"""`Idempotency-Key` on API POSTs: a retry gets the first answer and creates nothing new."""

import hashlib
import json
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# How long a retry waits for the first request to finish before it is told to come back.
WAIT_FOR_FIRST_S = 30.0
POLL_S = 0.05
# An unfinished record older than this belongs to a request that died: a retry may run again.
ABANDONED_AFTER = timedelta(minutes=5)
KEEP_FOR = timedelta(hours=48)


def one_time(response, *fields: str):
    """Mark fields of a JSON answer as one-time secrets: a replay gets the answer without them (never stored)."""
    response.one_time_fields = fields
    return response


def _stored_body(response) -> bytes:
    """What a replay may show: the answer, minus any one-time secret (an API key, a signing secret)."""
    fields = getattr(response, "one_time_fields", ())
    if not fields:
        return response.content
    body = json.loads(response.content)
    for field in fields:
        if field in body:
            body[field] = None
    body["one_time_fields_withheld"] = list(fields)
    return json.dumps(body).encode()


def _error(status: int, code: str, detail: str) -> JsonResponse:
    body = {"type": "client_error", "errors": [{"code": code, "detail": detail, "attr": None}]}
    return JsonResponse(body, status=status)


def _principal(request) -> str | None:
    """Who is retrying: the API key sent, or the signed-in person; None for anonymous calls."""
    credential = request.META.get("HTTP_AUTHORIZATION") or request.META.get("HTTP_X_API_KEY")
    if credential:
        identity = f"key:{credential}"
    elif request.user.is_authenticated:
        identity = f"user:{request.user.pk}"
    else:
        return None
    return hashlib.sha256(f"{request.get_host()}|{identity}".encode()).hexdigest()


def _request_hash(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        # Large uploads are not read into memory here: their size and type stand for the body.
        digest.update(f"{request.META.get('CONTENT_LENGTH')}|{request.META.get('CONTENT_TYPE')}".encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body or b""), status=record.status_code)
    response["Content-Type"] = record.content_type or "application/json"
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(*, principal: str, key: str, request, request_hash: str) -> tuple[IdempotencyRecord, bool]:
    """Insert the record, or return the one a concurrent or earlier request made (and whether we own it)."""
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                principal=principal, key=key, method=request.method, path=request.path[:500], request_hash=request_hash
            )
        return record, True
    except IntegrityError:
        record = IdempotencyRecord.objects.get(principal=principal, key=key)
        if record.completed_at is None and timezone.now() - record.created_at > ABANDONED_AFTER:
            taken = IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).update(
                created_at=timezone.now()
            )
            return record, bool(taken)
        return record, False


def _wait_for(record: IdempotencyRecord) -> IdempotencyRecord | None:
    deadline = time.monotonic() + WAIT_FOR_FIRST_S
    while time.monotonic() < deadline:
        current = IdempotencyRecord.objects.filter(pk=record.pk).first()
        if current is None or current.completed_at is not None:
            return current
        time.sleep(POLL_S)
    return record


class IdempotencyMiddleware:
    """Applies to POSTs under /api/ that carry the header; everything else passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _error(400, "invalid_idempotency_key", _("Idempotency-Key must be 1–255 printable characters."))
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)  # refused by authentication anyway
        request_hash = _request_hash(request)
        record, owned = _claim(principal=principal, key=key, request=request, request_hash=request_hash)
        if not owned:
            if record.request_hash != request_hash:
                return _error(
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was already used with a different request; use a new key."),
                )
            finished = _wait_for(record)
            if finished is not None and finished.completed_at is not None:
                return _replay(finished)
            if finished is None:
                return self.__call__(request)  # the first attempt failed and released the key: run now
            return _error(409, "idempotency_in_progress", _("The first request with this key is still running."))
        return self._run_and_record(request, record)

    def _run_and_record(self, request, record: IdempotencyRecord):
        try:
            response = self.get_response(request)
        except Exception:
            record.delete()
            raise
        if response.status_code >= 500 or response.streaming:
            record.delete()  # nothing to replay: a retry may run again
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            response_body=_stored_body(response),
            completed_at=timezone.now(),
        )
        return response


def idempotency_records_purge() -> int:
    """Forget answers older than KEEP_FOR (kept at least 24 hours, as promised to integrators)."""
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted
