"""Isolation beyond the URL matrix: cache keys, sessions across hosts, uploaded files, Celery task schemas."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from django_tenants.utils import schema_context
from tenant_schemas_celery.task import TenantTask

from portal.celery import app
from portal.collaboration import services as collaboration
from portal.vehicles.models import ImportJob
from tenants.choices import Role
from tenants.models import Membership

from .collaboration.factories import project_for
from .conftest import client_for
from .vehicles.import_samples import media_root

FILE_BYTES = b"vin,model\nSECRET-FILE-CONTENT,x\n"


# Cache -----------------------------------------------------------------------------------------------------------


def test_two_partners_cached_values_never_collide(world):
    with schema_context("alpha"):
        cache.set("dashboard:figures", "alpha's figures")
    with schema_context("beta"):
        assert cache.get("dashboard:figures") is None
        cache.set("dashboard:figures", "beta's figures")
    with schema_context("alpha"):
        assert cache.get("dashboard:figures") == "alpha's figures"
    assert cache.get("dashboard:figures") is None, "the public schema has its own key space too"
    with schema_context("alpha"):
        cache.delete("dashboard:figures")
    with schema_context("beta"):
        assert cache.get("dashboard:figures") == "beta's figures"
        cache.delete("dashboard:figures")


def test_every_shared_cache_puts_the_schema_in_its_keys():
    for name, config in settings.CACHES.items():
        if name == "throttle":
            continue  # rate-limit counters are per caller across every host on purpose (portal.integrations.throttling)
        assert config.get("KEY_FUNCTION") == "django_tenants.cache.make_key", name
        with schema_context("alpha"):
            alpha_key = caches[name].make_key("k")
        with schema_context("beta"):
            beta_key = caches[name].make_key("k")
        assert alpha_key != beta_key and "alpha" in alpha_key


# Sessions --------------------------------------------------------------------------------------------------------


def _sign_in(partner, email, password):
    client = client_for(partner)
    response = client.post("/accounts/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client, response.cookies[settings.SESSION_COOKIE_NAME]


def test_session_cookies_are_host_only_http_only_and_same_site(world, password):
    _client, cookie = _sign_in(world.alpha, "owner@alpha.example.com", password)
    assert cookie["domain"] == "" and settings.SESSION_COOKIE_DOMAIN is None and settings.CSRF_COOKIE_DOMAIN is None
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize("path", ["/", "/vehicles/", "/api/v1/me/", "/api/v1/vehicles/"])
def test_a_session_from_one_partners_host_is_worthless_on_another(world, password, path):
    _client, cookie = _sign_in(world.alpha, "owner@alpha.example.com", password)
    thief = client_for(world.beta)
    thief.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
    response = thief.get(path)
    assert response.status_code in (302, 401, 403)
    assert b"owner@alpha" not in response.content and b"Beta Cells" not in response.content


def test_a_copied_cookie_is_refused_even_for_a_member_of_both_partners(world, password):
    """The session is bound to the host it was opened on: a copy replayed on another host is anonymous there."""
    Membership.objects.create(user=world.person(world.alpha, Role.OWNER), partner=world.beta, role=Role.VIEWER)
    client, cookie = _sign_in(world.alpha, "owner@alpha.example.com", password)
    replay = client_for(world.beta)
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
    assert replay.get("/").status_code == 302
    assert client.get("/").status_code == 200, "the session still works on its own host"


# Uploaded files --------------------------------------------------------------------------------------------------


def test_uploaded_files_are_never_served_by_url(world, tmp_path, settings):
    with media_root(tmp_path / "media"):
        with schema_context("alpha"):
            job = ImportJob(original_name="v.csv", size_bytes=len(FILE_BYTES))
            job.file.save(f"{job.pk.hex}.bin", ContentFile(FILE_BYTES), save=False)
            job.save()
            stored = Path(job.file.path)
        settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path / "documents")
        document = collaboration.document_upload(
            project=project_for(world.alpha),
            partner=world.alpha,
            role=Role.MEMBER,
            user=None,
            file=SimpleUploadedFile("evidence.pdf", b"%PDF-1.4 SECRET-FILE-CONTENT", content_type="application/pdf"),
        )
        document_path = Path(document.file.path)
        assert stored.exists() and document_path.exists()
        relative = stored.relative_to(tmp_path / "media").as_posix()
        guesses = {
            f"/media/{relative}",
            f"/media/{job.file.name}",
            f"/{relative}",
            f"/{job.file.name}",
            f"/static/{relative}",
            f"/media/private/collaboration/{document.file.name}",
            f"/{document.file.name}",
            f"/static/../.data/test-media/{relative}",
            "/media/",
        }
        owner = world.person(world.alpha, Role.OWNER)
        for client in (client_for(world.alpha, owner), client_for(None, world.staff), client_for(None)):
            for guess in sorted(guesses):
                response = client.get(guess)
                assert response.status_code in (302, 403, 404), f"{guess}: {response.status_code}"
                body = b"".join(response.streaming_content) if response.streaming else response.content
                assert b"SECRET-FILE-CONTENT" not in body, guess
    for urlconf in ("portal.urls_tenant", "portal.urls_public"):
        with pytest.raises(Resolver404):
            resolve("/media/vehicle-imports/x.bin", urlconf=urlconf)
    media = Path(settings.MEDIA_ROOT).resolve()
    assert not media.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert getattr(settings, "WHITENOISE_ROOT", None) is None


def test_documents_are_downloads_that_browsers_never_render(world, tmp_path, settings):
    settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path)
    project = project_for(world.alpha)
    document = collaboration.document_upload(
        project=project,
        partner=world.alpha,
        role=Role.MEMBER,
        user=None,
        file=SimpleUploadedFile("x.png", b"\x89PNG\r\n<script>alert(1)</script>", content_type="image/png"),
    )
    response = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get(
        f"/projects/documents/{document.pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


# Celery ----------------------------------------------------------------------------------------------------------


def test_every_portal_task_switches_to_the_schema_it_was_sent_from():
    """All tasks are tenant-schemas-celery TenantTasks: the schema travels in the message and is set on the worker."""
    app.loader.import_default_modules()  # autodiscovery is lazy: load every app's tasks module
    portal_tasks = {name: task for name, task in app.tasks.items() if name.startswith(("portal.", "tenants."))}
    assert len(portal_tasks) >= 4
    for name, task in portal_tasks.items():
        assert isinstance(task, TenantTask), name
