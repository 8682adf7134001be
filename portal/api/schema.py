"""The OpenAPI generator: every operation documents every error the portal can answer it with."""

from drf_standardized_errors.openapi import AutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from rest_framework import serializers

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class _Error(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine-readable error code.")
    detail = serializers.CharField(help_text="What is wrong, in plain words.")
    attr = serializers.CharField(allow_null=True, help_text="The field in error, or null.")


def _error_response(name: str, kind, codes: str):
    """An error answer's serializer: the one shape, `type` one of the `kind` enum, the codes it may carry named."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=kind.choices),
            "errors": _Error(many=True, help_text=f"Codes: {codes}."),
            "__doc__": f"An error answer ({codes}).",
        },
    )


ERROR_RESPONSES = {
    "409": _error_response("ErrorResponse409", ClientErrorEnum, "`version_conflict`, `idempotency_in_progress`"),
    "413": _error_response("ErrorResponse413", ClientErrorEnum, "`payload_too_large`"),
    "422": _error_response("ErrorResponse422", ClientErrorEnum, "`idempotency_key_reused`"),
    "503": _error_response("ErrorResponse503", ServerErrorEnum, "`database_unavailable`"),
}


class PortalAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, told what the portal's layers add to every view: the middleware refuses an
    unreadable address (400 parse error) on any operation, services validate every write (400 validation error,
    even without a request body), ids of the wrong form are a 404, every POST is idempotent (409 while the first
    is running, 422 for a reused key), bodies are bounded (413) and a lost database is a 503."""

    def _should_add_parse_error_response(self) -> bool:
        return True

    def _should_add_validation_error_response(self) -> bool:
        if self.method in UNSAFE:
            return True
        # Any query parameter is validated (filters, page sizes, a measure's options).
        return any(parameter["in"] == "query" for parameter in self._get_parameters())

    def _should_add_http404_error_response(self) -> bool:
        return True

    def _get_allowed_error_status_codes(self) -> list[str]:
        return [*super()._get_allowed_error_status_codes(), *ERROR_RESPONSES]

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code in ("409", "413", "422"):
            return status_code not in responses and self.method in UNSAFE
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(self, status_code: str):
        return ERROR_RESPONSES.get(status_code) or super()._get_error_response_serializer(status_code)
