"""API errors: every failure is one JSON shape (drf-standardized-errors), including those DRF leaves to Django."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status


def validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as the API's 400: by field when it names fields, else as a list."""
    return exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large; send fewer rows per call (or upload a file).")
    default_code = "payload_too_large"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The database is briefly unavailable; nothing was saved. Please retry in a moment.")
    default_code = "database_unavailable"


class PortalExceptionHandler(ExceptionHandler):
    """Oversize bodies get 413, malformed ones 400, a lost database connection 503 (never a bare 500)."""

    def convert_known_exceptions(self, exc):
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
            return exceptions.ParseError(_("The request could not be read."))
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
