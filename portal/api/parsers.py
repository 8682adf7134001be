"""The API's JSON parser: the body's size and nesting are bounded before the JSON is decoded."""

import re
from itertools import accumulate

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

# No payload of the portal nests deeper than a handful of levels; Python's decoder recurses once per level and
# fails past ~1,000 with a RecursionError (a 500), so depth is checked on the raw text first.
MAX_DEPTH = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]+")
# An escaped NUL (\u0000 after an even number of backslashes): no PostgreSQL text can hold it.
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000|\x00")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large; send fewer rows per call (or upload a file).")
    default_code = "payload_too_large"


def nesting_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, brackets inside strings not counted."""
    brackets = _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", body))
    if not brackets:
        return 0
    return max(accumulate(1 if byte in b"[{" else -1 for byte in brackets))


class BoundedJSONParser(JSONParser):
    """JSON with its size (DATA_UPLOAD_MAX_MEMORY_SIZE → 413) and depth (MAX_DEPTH → 400) checked first."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(body) > limit:
            raise PayloadTooLarge()
        if _NUL.search(body):
            raise exceptions.ParseError(_("A text value holds a NUL character, which cannot be stored."))
        if nesting_depth(body) > MAX_DEPTH:
            raise exceptions.ParseError(_("The JSON nests deeper than %(depth)d levels.") % {"depth": MAX_DEPTH})
        try:
            return json.loads(body.decode(get_encoding(parser_context or {})))
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
