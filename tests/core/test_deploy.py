"""Production settings: `check --deploy` is clean with the environment a deploy sets, and the headers are right."""

import json
import secrets
import subprocess
import sys

import pytest
from django.test import override_settings

from tenants.choices import Role

from ..conftest import client_for
from ..processes import ROOT, subprocess_env

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "PORTAL_DOMAIN": "alliance.example",
    "DJANGO_ALLOWED_HOSTS": "alliance.example,.alliance.example",
    "DJANGO_DEBUG": "0",
}
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF", "PORTAL_SCHEME"]}))
"""


@pytest.fixture(scope="module")
def production_env(django_db_setup):
    return subprocess_env(**PRODUCTION_ENV)


def test_check_deploy_is_clean_with_production_settings(production_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_harden_cookies_and_transport(production_env):
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=production_env, capture_output=True, text=True, check=True
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "PORTAL_SCHEME": "https",
    }


def test_production_refuses_to_start_without_a_secret_key(production_env):
    env = dict(production_env)
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    SECURE_SSL_REDIRECT=True,
)
def test_https_responses_carry_hsts_and_secure_cookies(world, password):
    client = client_for(world.alpha)
    assert client.get("/accounts/login/").status_code == 301, "plain HTTP is redirected to HTTPS"
    page = client.get("/accounts/login/", secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page.cookies["csrftoken"]["secure"] is True
    signed_in = client.post(
        "/accounts/login/", {"username": "owner@alpha.example.com", "password": password}, secure=True
    )
    session = signed_in.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True and session["samesite"] == "Lax"


@pytest.mark.parametrize("path", ["/", "/vehicles/", "/api/v1/me/", "/accounts/login/"])
def test_every_response_carries_the_security_headers(world, path):
    response = client_for(world.alpha, world.person(world.alpha, Role.OWNER)).get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def test_the_admin_also_runs_under_the_strict_policy(world):
    response = client_for(None, world.staff).get("/admin/")
    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
