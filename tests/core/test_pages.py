"""The web shell: home pages, sign-in, password reset, language switch, error pages and security headers."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from tenants.choices import Role

from ..conftest import client_for


def test_public_home_lists_a_members_workspaces(world):
    member = world.person(world.alpha, Role.MEMBER)
    response = client_for(None, member).get("/")
    assert response.status_code == 200
    assert [m.partner for m in response.context["memberships"]] == [world.alpha]
    # Each workspace opens through the hand-off (a POST carrying the partner), so no second password is asked.
    assert b'action="/accounts/workspace/"' in response.content
    assert b'name="to" value="alpha"' in response.content


def test_public_home_for_anonymous_visitors(db):
    response = client_for(None).get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_staff_home_is_for_staff_only(world):
    assert client_for(None, world.staff).get("/staff/").status_code == 200
    refused = client_for(None, world.person(world.alpha, Role.OWNER)).get("/staff/")
    assert refused.status_code == 302
    assert "/admin/login/" in refused["Location"]


def test_staff_home_filters_by_kind(world):
    response = client_for(None, world.staff).get("/staff/?kind=battery_maker")
    assert [partner.schema_name for partner in response.context["page"]] == ["beta"]


def test_admin_is_served_to_staff_on_the_public_host_only(world):
    assert client_for(None, world.staff).get("/admin/").status_code == 200
    assert client_for(world.alpha, world.staff).get("/admin/").status_code in (403, 404)


def test_sign_in_on_a_partner_host_lands_on_its_home(world, password):
    client = client_for(world.alpha)
    response = client.post(reverse("login"), {"username": "VIEWER@alpha.example.com", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["current_membership"].role == Role.VIEWER


def test_sign_in_rotates_the_session_key(world, password):
    client = client_for(world.alpha)
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "owner@alpha.example.com", "password": password})
    assert client.session.session_key != before


def test_wrong_password_gets_a_clear_error(world):
    response = client_for(world.alpha).post(
        reverse("login"), {"username": "owner@alpha.example.com", "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b"alert-danger" in response.content


def test_repeated_failures_cool_off_instead_of_locking_forever(world, settings, password):
    client = client_for(world.alpha)
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "member@alpha.example.com", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "member@alpha.example.com", "password": password})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert settings.AXES_COOLOFF_TIME > 0


def test_password_reset_mail_points_at_the_partner_host(world):
    response = client_for(world.alpha).post(reverse("password_reset"), {"email": "owner@alpha.example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    assert link.startswith("http://alpha.localhost/accounts/reset/")


def test_password_reset_for_unknown_address_reveals_nothing(world):
    response = client_for(None).post(reverse("password_reset"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("language", ["ar", "zh-hans", "th", "en"])
def test_language_switch_is_remembered(world, language):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert f'lang="{language}"'.encode() in page.content
    assert (b'dir="rtl"' in page.content) == (language == "ar")


def test_unknown_language_is_ignored_not_an_error(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    response = client.post(reverse("set_language"), {"language": "klingon", "next": "/"})
    assert response.status_code == 302
    assert b'lang="en"' in client.get("/").content


def test_unknown_page_gets_the_404_page(world):
    response = client_for(world.alpha, world.person(world.alpha, Role.OWNER)).get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_pages_carry_a_strict_content_security_policy(db):
    response = client_for(None).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_or_styles(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    for path in ["/", reverse("login"), reverse("password_change")]:
        html = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html and " style=" not in html, path


def test_api_docs_are_served_offline(db):
    client = client_for(None)
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "https://" not in docs
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


def test_failure_count_ignores_the_case_of_the_address(world, settings, password):
    client = client_for(world.alpha)
    for attempt in range(settings.LOGIN_FAILURE_LIMIT):
        username = "MANAGER@alpha.example.com" if attempt % 2 else "manager@ALPHA.example.com"
        client.post(reverse("login"), {"username": username, "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "manager@alpha.example.com", "password": password})
    assert locked.status_code == 429


# Dates: one unambiguous form per language (portal/formats), never 12/07/2026 ------------------------------------

AMBIGUOUS_DATE = re.compile(r"(?<![\d.])\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?![\d.])")  # not an IP address
NUMERIC_DATE_FORMAT = re.compile(r"""\|date:["'][^"']*[djmnyY][/.\-][djmnyY][^"']*["']""")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["7 December 2026", "7 Dec 2026", "7 Dec 2026, 09:30", "December 2026"]),
        ("zh-hans", ["2026年12月7日", "2026年12月7日", "2026年12月7日 09:30", "2026年12月"]),
        ("ar", ["7 ديسمبر 2026", "7 ديسمبر 2026", "7 ديسمبر 2026، 09:30", "ديسمبر 2026"]),
        ("th", ["7 ธันวาคม 2026", "7 ธ.ค. 2026", "7 ธ.ค. 2026, 09:30", "ธันวาคม 2026"]),
    ],
)
def test_dates_name_their_month_in_every_language(language, expected):
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    day = datetime.date(2026, 12, 7)
    moment = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)
    template = Template(
        '{{ day }}|{{ day|date:"SHORT_DATE_FORMAT" }}|{{ moment|date:"SHORT_DATETIME_FORMAT" }}'
        '|{{ day|date:"YEAR_MONTH_FORMAT" }}'
    )
    with translation.override(language):
        rendered = template.render(Context({"day": day, "moment": moment})).split("|")
    assert rendered == expected
    assert not any(AMBIGUOUS_DATE.search(text) for text in rendered)


def test_date_inputs_take_iso_dates_only(settings):
    from django import forms
    from django.utils import translation

    from portal.core.forms import DateInput

    class When(forms.Form):
        day = forms.DateField(widget=DateInput)

    for language in ("en", "zh-hans", "ar", "th"):
        with translation.override(language):
            assert When({"day": "2026-12-07"}).is_valid(), language
            assert not When({"day": "12/07/2026"}).is_valid(), language
            assert 'value="2026-12-07"' in str(When(initial={"day": "2026-12-07"})["day"])


def test_templates_never_format_dates_as_numbers():
    from django.conf import settings

    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in sorted((settings.BASE_DIR / "templates").rglob("*.html"))
        # A `datetime="…"` attribute is for machines: ISO there is right.
        for match in NUMERIC_DATE_FORMAT.finditer(re.sub(r'datetime="[^"]*"', "", path.read_text()))
    ]
    assert offenders == [], "use DATE_FORMAT, SHORT_DATE_FORMAT, SHORT_DATETIME_FORMAT or YEAR_MONTH_FORMAT"


def test_pages_show_dates_with_the_month_named(world):
    from django.utils import formats, translation

    from portal.audit.choices import AuditAction
    from portal.audit.services import audit_record

    event = audit_record(action=AuditAction.LOGIN, partner=world.alpha, details={"note": "dates"})
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    for language in ("en", "ar"):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        html = client.get(reverse("audit:event-list")).content.decode()
        with translation.override(language):
            assert formats.date_format(event.at, "DATETIME_FORMAT") in html, language
        assert not AMBIGUOUS_DATE.search(re.sub(r'datetime="[^"]*"', "", html)), language


# Scripts: Latin names isolated in Arabic, a Thai web font from the static files ----------------------------------


def test_arabic_pages_isolate_latin_partner_and_person_names(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    html = client.get("/").content.decode()
    assert 'dir="rtl"' in html
    owner_name = world.person(world.alpha, Role.OWNER).get_full_name()
    assert re.search(r'class="navbar-brand[^"]*"[^>]*>\s*<bdi>Alpha Motors</bdi>', html), "the brand is not isolated"
    assert '<h1 class="h3 mb-3"><bdi>Alpha Motors</bdi></h1>' in html
    assert f"<bdi>{owner_name}</bdi>" in html


def test_templates_isolate_every_partner_and_person_name():
    from django.conf import settings

    name = re.compile(r"\{\{ *[a-z_.]*(?:partner|owner)\.name *\}\}|\{\{ *[a-z_.]*get_full_name *\}\}")
    bare = [
        f"{path.relative_to(settings.BASE_DIR)}: {line.strip()[:100]}"
        for path in sorted((settings.BASE_DIR / "templates").rglob("*.html"))
        for line in path.read_text().splitlines()
        if "<title>" not in line
        for match in name.finditer(line)
        if not line[: match.start()].endswith(("<bdi>", 'dir="auto">'))
    ]
    assert bare == [], "wrap names in <bdi> so that right-to-left pages keep Latin names in order"


def test_thai_pages_load_a_packaged_thai_font(world):
    from django.contrib.staticfiles import finders

    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    assert b"portal/thai.css" not in client.get("/").content
    client.post(reverse("set_language"), {"language": "th", "next": "/"})
    assert b'<link rel="stylesheet" href="/static/portal/thai.css">' in client.get("/").content
    css = Path(finders.find("portal/thai.css")).read_text()
    font_url = re.search(r'url\("\.\./(vendor/noto-sans-thai/[^"]+)"\)', css).group(1)
    font = finders.find(font_url.replace("%5B", "[").replace("%5D", "]").replace("%2C", ","))
    assert font is not None, font_url
    assert Path(font).read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert '"Noto Sans Thai"' in css.split("--bs-body-font-family:")[1]


# Error pages: the portal's own, in production and under `make run` ------------------------------------------------


def test_production_404_is_the_portals_page(world, settings):
    settings.DEBUG = False
    response = client_for(world.alpha, world.person(world.alpha, Role.OWNER)).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="navbar' in html and '<html lang="en"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_production_500_is_the_portals_page(world, settings, monkeypatch):
    from portal.home import views as home_views

    settings.DEBUG = False

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(home_views, "vehicle_count_estimate", broken)
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "boom" not in html and "Traceback" not in html


def test_make_run_shows_the_portals_404_too(world, settings):
    settings.DEBUG = True  # as `make run` serves
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"DEBUG = True" not in response.content
    assert client.get("/vehicles/LNOSUCHVIN0000000/").status_code == 404  # a view's own 404 keeps its status

    settings.PORTAL_TECHNICAL_404 = True  # a developer who wants Django's list of URL patterns
    assert b"DEBUG = True" in client.get("/no/such/page/").content
