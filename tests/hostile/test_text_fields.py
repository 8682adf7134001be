"""HTML and script in every text field, Unicode edge cases, long strings, negative numbers and invalid dates:
every form on every partner page and every API write is driven with them (found, not listed), and every page,
the staff pages and the admin then show what was stored escaped. Nothing answers with a server error."""

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from portal.collaboration.models import Project
from tenants.choices import Role

from ..conftest import client_for
from ..isolation import OPEN_ROUTES, TENANT_URLCONF, _concrete, path_for, public_routes, tenant_routes
from .corpus import INVALID_DATES, LONG, NEGATIVE_NUMBERS, RAW_XSS, UNICODE, XSS, hostile_strings
from .forms import fill, forms_of

SKIPPED_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")


def _text(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return content.decode(errors="replace")


def _unescaped(html: str) -> list[str]:
    return [raw for raw in RAW_XSS if raw in html]


def _html(response) -> str:
    """The page as HTML; downloads (CSV, XLSX) are no HTML and are checked by test_exports instead."""
    return _text(response) if "text/html" in response.get("Content-Type", "") else ""


def _pages(world) -> list[str]:
    samples: dict = {}
    return [
        path_for(route, world.alpha, cache=samples)
        for route in tenant_routes()
        if not route.is_api and route.short_name not in OPEN_ROUTES and "export" not in route.short_name
    ]


def _pdf():
    return SimpleUploadedFile('<script>alert("xss-probe")</script>.pdf', b"%PDF-1.4 x", content_type="application/pdf")


def _drive_forms(client, pages, *, text, number="3", date="2025-05-01"):
    """Submit every POST form found on the pages; returns (problems, submissions)."""
    problems, seen, submitted = [], set(), 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(_text(response)):
            action = form.action or page
            key = (form.method, action.split("?")[0], tuple(sorted(f.name for f in form.fields)))
            if key in seen or action.startswith(SKIPPED_ACTIONS):
                continue
            seen.add(key)
            data = fill(form, text=text, number=number, date=date, upload=_pdf)
            answer = client.post(action, data) if form.method == "post" else client.get(action, data)
            submitted += 1
            body = _html(answer)
            if answer.status_code >= 500:
                problems.append(f"{form.method.upper()} {action}: {answer.status_code}")
            elif _unescaped(body):
                problems.append(f"{form.method.upper()} {action}: unescaped {_unescaped(body)}")
    return problems, submitted


def _schema_value(schema, components, text, depth=0):
    if "$ref" in schema:
        return _schema_value(components[schema["$ref"].split("/")[-1]], components, text, depth)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return _schema_value(schema[combined][0], components, text, depth)
    if "enum" in schema:
        return next((value for value in schema["enum"] if value not in ("", None)), None)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        props = schema.get("properties", {})
        return {
            name: _schema_value(prop, components, text, depth + 1)
            for name, prop in props.items()
            if not prop.get("readOnly")
        }
    if kind == "array":
        return [_schema_value(schema.get("items", {}), components, text, depth + 1)]
    if kind == "integer":
        return -1
    if kind == "number":
        return -1.5
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2025-02-30"
    if schema.get("format") == "date-time":
        return "2025-13-01T25:00:00Z"
    if schema.get("format") == "email":
        return "hostile@example.com"
    if schema.get("format") == "uri":
        return f"https://example.com/{XSS[0]}"
    return text()


def _drive_api(client, world):
    """Every documented JSON write, with hostile values in every field; returns (problems, calls)."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    texts = iter(hostile_strings() * 50)
    samples: dict = {}
    routes = {route.name: route for route in tenant_routes()}
    problems, calls = [], 0
    from django.urls import resolve

    for path, item in schema["paths"].items():
        concrete = _concrete(path)
        match = resolve(concrete, urlconf=TENANT_URLCONF)
        route = routes[":".join(filter(None, [match.namespace, match.url_name]))]
        real = path_for(route, world.alpha, cache=samples)
        for method in ("post", "put", "patch"):
            operation = item.get(method)
            if not operation:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body = _schema_value(content["application/json"]["schema"], components, lambda: next(texts))
            answer = getattr(client, method)(real, json.dumps(body), content_type="application/json")
            calls += 1
            if answer.status_code >= 500:
                problems.append(f"{method.upper()} {real}: {answer.status_code} {_text(answer)[:300]}")
            elif not answer.get("Content-Type", "").startswith("application/json") and answer.status_code != 204:
                problems.append(f"{method.upper()} {real}: answered {answer.get('Content-Type')}")
    return problems, calls


def _shown_safely(world) -> list[str]:
    """Every partner page, the staff pages and the admin pages, checked for unescaped markup."""
    problems = []
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    for page in _pages(world):
        html = _html(owner.get(page))
        if _unescaped(html):
            problems.append(f"{page}: unescaped {_unescaped(html)}")
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(world.staff)
    samples: dict = {}
    for route in public_routes():
        if route.is_api or (route.is_admin and not route.name.endswith(("_changelist", "index"))):
            continue
        if route.needs_kwargs and not route.is_admin:
            continue
        path = path_for(route, world.alpha, urlconf="portal.urls_public", cache=samples)
        html = _html(staff.get(path))
        if _unescaped(html):
            problems.append(f"staff {path}: unescaped {_unescaped(html)}")
    for project in Project.objects.filter(title__contains="xss-probe")[:5]:
        html = _html(staff.get(f"/admin/collaboration/project/{project.pk}/change/"))
        if _unescaped(html):
            problems.append(f"admin project {project.pk}: unescaped {_unescaped(html)}")
    return problems


def test_script_in_every_field_is_stored_and_shown_escaped_everywhere(world, tmp_path, settings):
    settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path)
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    pages = _pages(world)
    form_problems, forms = _drive_forms(owner, pages, text=lambda index, item: XSS[index % len(XSS)])
    api_problems, calls = _drive_api(owner, world)
    assert forms >= 15 and calls >= 10, (forms, calls)
    assert Project.objects.filter(title__contains="xss-probe").exists(), "the hostile values were really stored"
    problems = form_problems + api_problems + _shown_safely(world)
    assert problems == [], "\n".join(problems)


EDGE_TEXT = [*UNICODE, "nul\x00byte", "line\r\nbreak", "bell\x07", LONG, "", "   "]


@pytest.mark.parametrize(
    ("number", "date"),
    [(NEGATIVE_NUMBERS[0], INVALID_DATES[0]), (NEGATIVE_NUMBERS[3], INVALID_DATES[2])],
    ids=["negative-and-february-30", "overflow-and-year-99999"],
)
def test_edge_values_in_every_form_get_an_answer_never_a_server_error(world, tmp_path, settings, number, date):
    """Unicode edge cases, NUL and control characters, 5,000-character strings, blanks, bad numbers and dates."""
    settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path)
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    text = lambda index, item: EDGE_TEXT[index % len(EDGE_TEXT)]  # noqa: E731
    problems, forms = _drive_forms(owner, _pages(world), text=text, number=number, date=date)
    assert forms >= 15
    assert problems == [], "\n".join(problems)


def test_unicode_names_are_stored_exactly_and_shown_whole(world):
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    for name in UNICODE:
        response = owner.post("/api/v1/projects/", {"title": name, "summary": name}, content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["title"] == name
    html = _text(owner.get("/projects/list/"))
    for name in UNICODE:
        assert name.strip() in html or name.replace("\ufeff", "") in html


def test_mail_subjects_stay_on_one_line_whatever_the_title(world, django_capture_on_commit_callbacks):
    from django_tenants.utils import schema_context

    from portal.collaboration import services
    from portal.inbox.services import preference_update

    from ..collaboration.factories import project_for

    project = project_for(world.alpha, title="Evil\r\nBcc: victim@example.com <b>x</b>", partners=[world.beta])
    with schema_context(world.beta.schema_name):  # e-mail for each notice, not the daily digest
        preference_update(user=world.person(world.beta, Role.OWNER), delivery="instant", muted=[])
    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(
            project=project, version=1, to_stage="negotiating", partner=world.alpha, role=Role.MANAGER, user=None
        )
    assert mail.outbox, "the notification was sent, not dropped on a bad header"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.content_subtype == "plain", "plain-text mail: markup is never rendered"
        assert "victim@example.com" not in message.bcc
