"""The public passport page on the public host (no sign-in): HTML for people, JSON-LD for machines.

`GET /passport/<identifier>/` answers JSON-LD when the request asks for `application/ld+json` or
`application/json` (Accept) or `?format=jsonld` / `?format=json`, HTML otherwise. An API key (header) or a signed
link (`?access=`) opens the legitimate-interest or authority attributes; a member of the owning partner, signed
in on the public host, sees everything. One view for both answers, so the bench times exactly what people get.
"""

import json

from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.vehicles.choices import BatteryChemistry

from .choices import Aspect, BatteryCategory, BatteryStatus, Reader
from .jsonld import URI_PATTERN
from .passport import PassportRefusedError, passport_read

JSON_TYPES = ("application/ld+json", "application/json")
PUBLIC_MAX_AGE = 300  # a shared cache may keep the public view five minutes: passports change rarely
NOT_FOUND_MAX_AGE = 60


def wants_json(request) -> str | None:
    """The JSON media type the request asks for, or None for HTML (the browser's default)."""
    fmt = request.GET.get("format", "").lower()
    if fmt in ("jsonld", "json-ld"):
        return "application/ld+json"
    if fmt == "json":
        return "application/json"
    if fmt == "html":
        return None
    accepted = [part.split(";")[0].strip().lower() for part in request.META.get("HTTP_ACCEPT", "").split(",")]
    for media in accepted:  # the first the client lists that we serve
        if media in JSON_TYPES:
            return media
        if media in ("text/html", "application/xhtml+xml", "*/*"):
            return None
    return None


def _json(payload: dict, *, media: str, status: int = 200) -> HttpResponse:
    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type=f"{media}; charset=utf-8")


def _error(request, media, *, status: int, code: str, detail) -> HttpResponse:
    if media:
        error = {"code": code, "detail": str(detail), "attr": None}
        return _json({"type": "client_error", "errors": [error]}, media="application/json", status=status)
    template = "batteries/passport_not_found.html" if status == 404 else "batteries/passport_refused.html"
    return render(request, template, {"detail": detail, "code": code}, status=status)


def _shown(value):
    """A value as people read it: links for URLs, nested lists for objects and lists (escaped)."""
    if isinstance(value, dict):
        return format_html(
            '<dl class="passport-nested mb-0">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((key, _shown(item)) for key, item in value.items())),
        )
    if isinstance(value, list):
        return format_html(
            '<ul class="mb-0 ps-3">{}</ul>', format_html_join("", "<li>{}</li>", ((_shown(item),) for item in value))
        )
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = str(value)
    if URI_PATTERN.match(text) and text.lower().startswith(("http://", "https://")):
        return format_html('<a href="{}" rel="nofollow noopener" dir="ltr">{}</a>', text, text)
    return text


# Columns of the battery shown by their label in the reader's language, not their stored code.
LABELLED = {"battery_category": BatteryCategory, "battery_status": BatteryStatus, "battery_chemistry": BatteryChemistry}


def _labelled(entry):
    choices = LABELLED.get(entry.attribute.code)
    if choices is not None and entry.value in choices.values:
        return choices(entry.value).label
    return entry.value


@login_not_required
@require_safe
def passport_view(request, identifier: str):
    """One battery's passport, HTML or JSON-LD, at the visitor's access group; 404 for an unknown identifier."""
    media = wants_json(request)
    try:
        passport = passport_read(request, identifier=identifier, now=timezone.now())
    except PassportRefusedError as refused:
        response = _error(request, media, status=refused.status, code=refused.code, detail=refused.message)
        patch_cache_control(response, private=True, no_store=True)
        return response
    if passport is None:
        detail = _("No battery passport has this identifier.")
        response = _error(request, media, status=404, code="not_found", detail=detail)
        patch_cache_control(response, public=True, max_age=NOT_FOUND_MAX_AGE)
    elif media:
        response = _json(passport.document(), media=media)
    else:
        sections = [
            (
                Aspect(aspect).label,
                [(entry, _shown(_labelled(entry)) if entry.value is not None else None) for entry in entries],
            )
            for aspect, entries in passport.sections
        ]
        context = {
            "passport": passport,
            "sections": sections,
            "reader": Reader(passport.visitor.reader),
            "public": passport.visitor.reader == Reader.PUBLIC,
            "json_url": f"{request.path}?format=jsonld",
        }
        response = render(request, "batteries/passport_public.html", context)
        response["Link"] = f'<{context["json_url"]}>; rel="alternate"; type="application/ld+json"'
    if passport is not None:
        if passport.visitor.reader == Reader.PUBLIC:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        else:  # never kept by a shared cache, nor by the browser after the link expires
            patch_cache_control(response, private=True, no_store=True)
    # The answer depends on what is asked for and by whom (a key, a member's session).
    patch_vary_headers(response, ("Accept", "Authorization", "X-Api-Key", "Cookie"))
    return response
