"""Timeline lines are stored as codes and read in the reader's language; tags and markets show their names."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.test.signals import setting_changed
from django.urls import reverse
from django.utils import translation

from portal.collaboration import services
from portal.collaboration.choices import Stage, Technology, TimelineKind
from portal.collaboration.models import TimelineEvent
from portal.devstack import compile_messages
from tenants.choices import Role
from tests.conftest import client_for

from .factories import project_for

codes_migration = importlib.import_module("portal.collaboration.migrations.0003_timeline_codes")


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogues():
    """.mo files are not committed: compile them, then drop any catalogue Django cached before they existed."""
    compile_messages()
    setting_changed.send(sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=True)


def _detail(project) -> str:
    return reverse("collaboration:project-detail", kwargs={"pk": project.pk}, urlconf="portal.urls_tenant")


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def _moved_back(world):
    project = project_for(world.alpha, stage=Stage.DOCKED)
    manager = world.person(world.alpha, Role.MANAGER)
    services.project_transition(
        project=project,
        version=1,
        to_stage=Stage.NEGOTIATING,
        partner=world.alpha,
        role=Role.MANAGER,
        user=manager,
        reason="Preis neu verhandeln",
    )
    services.milestone_create(
        project=project,
        partner=world.alpha,
        role=Role.MANAGER,
        user=manager,
        title="Sample run",
        due_date=datetime.date(2026, 8, 3),
    )
    return project


def test_services_store_codes_not_sentences(world):
    project = _moved_back(world)
    stage = TimelineEvent.objects.get(project=project, kind=TimelineKind.STAGE)
    milestone = TimelineEvent.objects.get(project=project, kind=TimelineKind.MILESTONE)
    assert (stage.text, stage.params) == ("", {"from": "docked", "to": "negotiating", "reason": "Preis neu verhandeln"})
    assert (milestone.text, milestone.params) == ("", {"title": "Sample run", "due": "2026-08-03"})


@pytest.mark.parametrize("language", ["zh-hans", "ar"])
def test_the_timeline_reads_in_the_readers_language(world, language):
    project = _moved_back(world)
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = client.get(_detail(project), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    docked, negotiating = _in(language, Stage.DOCKED.label), _in(language, Stage.NEGOTIATING.label)
    assert docked != "Docked" and negotiating != "Negotiating", "the stage names have translations"
    with translation.override(language):
        line = translation.gettext("%(from)s → %(to)s") % {"from": docked, "to": negotiating}
    assert f"{line}: Preis neu verhandeln" in page  # the reason as written, the stages translated
    assert "Docked → Negotiating" not in page
    assert _in(language, Technology.BATTERY_SWAP.label) in page and ">battery_swap<" not in page
    assert "Sample run" in page and "2026-08-03" not in page  # the due date in the language's own form


def test_the_migration_reads_old_sentences_into_codes(world):
    project = project_for(world.alpha)
    legacy = {
        "en": TimelineEvent.objects.create(
            project=project, kind=TimelineKind.STAGE, text="Signed → Docked: Customer asked for a re-test"
        ),
        "zh": TimelineEvent.objects.create(
            project=project,
            kind=TimelineKind.STAGE,
            text=f"{_in('zh-hans', Stage.PROPOSED.label)} → {_in('zh-hans', Stage.NEGOTIATING.label)}",
        ),
        "edited": TimelineEvent.objects.create(project=project, kind=TimelineKind.EDITED, text="budget_range, title"),
        "due": TimelineEvent.objects.create(project=project, kind=TimelineKind.MILESTONE, text="Pilot (2026-05-01)"),
        "done": TimelineEvent.objects.create(project=project, kind=TimelineKind.MILESTONE, text="Pilot: done"),
        "free": TimelineEvent.objects.create(project=project, kind=TimelineKind.STAGE, text="something else"),
    }
    codes_migration.forwards(apps, None)
    got = {name: TimelineEvent.objects.get(pk=event.pk) for name, event in legacy.items()}
    assert got["en"].params == {"from": "signed", "to": "docked", "reason": "Customer asked for a re-test"}
    assert got["zh"].params == {"from": "proposed", "to": "negotiating", "reason": ""}
    assert got["edited"].params == {"fields": ["budget_range", "title"]}
    assert got["due"].params == {"title": "Pilot", "due": "2026-05-01"}
    assert got["done"].params == {"title": "Pilot", "done": True}
    assert (got["free"].params, got["free"].text) == ({}, "something else")  # unreadable: kept as written
    with translation.override("ar"):
        assert _in("ar", Stage.SIGNED.label) in got["en"].description
        assert "budget" not in got["edited"].description
    codes_migration.backwards(apps, None)
    assert TimelineEvent.objects.get(pk=legacy["en"].pk).text == "Signed → Docked: Customer asked for a re-test"


def test_the_api_timeline_carries_codes_and_the_line_in_the_callers_language(world):
    project = _moved_back(world)
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    rows = client.get(f"/api/v1/projects/{project.pk}/timeline/", HTTP_ACCEPT_LANGUAGE="ar").json()["results"]
    stage = next(row for row in rows if row["kind"] == TimelineKind.STAGE)
    assert stage["params"] == {"from": "docked", "to": "negotiating", "reason": "Preis neu verhandeln"}
    assert _in("ar", Stage.NEGOTIATING.label) in stage["description"]
