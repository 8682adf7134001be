"""API errors: every failure is one JSON shape (drf-standardized-errors), including those DRF leaves to Django."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status

from .parsers import PayloadTooLarge


def _details(errors: list[DjangoValidationError]) -> list[exceptions.ErrorDetail]:
    """Each error's message with its parameters, keeping the service's code (the API error's `code`)."""
    return [
        exceptions.ErrorDetail(error.message % error.params if error.params else error.message, error.code or "invalid")
        for error in errors
    ]


def validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as the API's 400: by field when it names fields, else as a list."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError({field: _details(errors) for field, errors in error.error_dict.items()})
    return exceptions.ValidationError(_details(error.error_list))


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The database is briefly unavailable; nothing was saved. Please retry in a moment.")
    default_code = "database_unavailable"


class PortalExceptionHandler(ExceptionHandler):
    """A service's ValidationError is the 400 (by field when it names fields); oversize bodies get 413, malformed
    ones 400, a lost database connection 503 (never a bare 500). Views therefore never catch ValidationError."""

    def convert_known_exceptions(self, exc):
        if isinstance(exc, DjangoValidationError):
            return validation_error(exc)
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
            return exceptions.ParseError(_("The request could not be read."))
        if isinstance(exc, DataError) and "NUL" in str(exc):
            # A NUL character reached a lookup or a text column (a form field, a multipart value): no PostgreSQL
            # text can hold one, so the request cannot be served as sent.
            return exceptions.ParseError(_("A text value holds a NUL character, which cannot be stored."))
        if isinstance(exc, OperationalError | InterfaceError) or (
            isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
        ):
            return DatabaseUnavailable()
        return super().convert_known_exceptions(exc)

    def get_response(self, exc, data):
        response = super().get_response(exc, data)
        if isinstance(exc, DatabaseUnavailable):
            response["Retry-After"] = "5"
        return response
