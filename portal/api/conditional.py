"""ETag and `If-None-Match` for reads: a client that already holds the current representation gets a 304."""

import hashlib

from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


def etag_of(data) -> str:
    """A strong validator of the JSON body: any change of the data (a write, a new history row) changes it."""
    return '"' + hashlib.sha256(JSONRenderer().render(data)).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


def conditional_response(request, data) -> Response:
    """200 with the body and its ETag, or 304 with the ETag and no body when `If-None-Match` names it."""
    etag = etag_of(data)
    if request.method in ("GET", "HEAD") and _matches(request.headers.get("If-None-Match", ""), etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(data)
    response["ETag"] = etag
    return response
