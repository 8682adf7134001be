"""Collaboration pages and API at alliance scale: 50 partners, 5,000 projects with their stage history.

Times (median of RUNS, Django test client, whole request) and counts the queries of:
- the board of one partner that takes part in ~1,000 projects (`board_ms`), and the staff board over all;
- the alliance-wide funnel page for staff over 5,000 projects (`funnel_ms`), and one partner's funnel;
- the project-list API of that partner, first page of 50 (`list_api_ms`).
Floor in the same run: `GET /api/v1/me/` (session, membership check, one serializer), the cheapest signed-in call.
Query counts must not depend on the number of rows; `max_queries` is the largest of them.
"""

import random
import statistics
import time
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from portal.collaboration.choices import ParticipantStatus, Stage, Technology
from portal.collaboration.models import Participant, Project, Transition
from portal.collaboration.pipeline import ORDER
from tenants.choices import PartnerKind, Role
from tenants.models import Membership, Partner, User
from tenants.services import partner_provision

PARTNERS = 50
PROJECTS = 5000
RUNS = 15
FOCUS_SHARE = 5  # the focus partner takes part in one project out of this many


def _partners() -> list[Partner]:
    """One real partner (schema + subdomain, to sign in on), the others as rows: pages only read public tables."""
    with override_settings(PORTAL_DOMAIN="localhost"):
        focus = partner_provision(
            slug="bench-focus", name="Bench Focus", kind=PartnerKind.E_MOTORCYCLE_MAKER, country="CN", invite=False
        ).partner
    kinds = [k for k in PartnerKind.values if k != PartnerKind.SECRETARIAT]
    rows = []
    for index in range(PARTNERS - 1):
        partner = Partner(
            schema_name=f"bench_row_{index}",
            name=f"Bench Partner {index}",
            kind=kinds[index % len(kinds)],
            country="CN",
        )
        partner.auto_create_schema = False
        rows.append(partner)
    return [focus, *Partner.objects.bulk_create(rows)]


def _projects(partners: list[Partner]) -> None:
    rng = random.Random(4)
    now = timezone.now()
    tags = Technology.values
    projects = []
    for index in range(PROJECTS):
        owner = partners[0 if index % FOCUS_SHARE == 0 else rng.randrange(1, len(partners))]
        projects.append(
            Project(
                owner=owner,
                title=f"Project {index}",
                summary="Bench",
                tags=rng.sample(tags, 2),
                markets=["CN"],
                created_at=now - timedelta(days=400),
            )
        )
    projects = Project.objects.bulk_create(projects)
    participants, transitions, updates = [], [], []
    position = {partner.pk: index for index, partner in enumerate(partners)}
    for project in projects:
        other = partners[(position[project.owner_id] + rng.randrange(1, len(partners))) % len(partners)]
        participants.append(
            Participant(project=project, partner_id=project.owner_id, status=ParticipantStatus.ACCEPTED)
        )
        participants.append(Participant(project=project, partner=other, status=ParticipantStatus.ACCEPTED))
        furthest = min(int(rng.expovariate(0.8)), len(ORDER) - 1)
        at = now - timedelta(days=rng.randrange(100, 400))
        previous = ""
        for stage in ORDER[: furthest + 1]:
            transitions.append(
                Transition(project=project, from_stage=previous, to_stage=stage, at=at, by_partner_id=project.owner_id)
            )
            previous, at = stage, at + timedelta(days=rng.randrange(3, 60))
        if furthest < len(ORDER) - 1 and rng.random() < 0.2:
            transitions.append(Transition(project=project, from_stage=previous, to_stage=Stage.WITHDRAWN, at=at))
            previous = Stage.WITHDRAWN
        project.stage, project.updated_at, project.stage_changed_at = previous, min(at, now), min(at, now)
        updates.append(project)
    Participant.objects.bulk_create(participants, batch_size=5000)
    Transition.objects.bulk_create(transitions, batch_size=5000)
    Project.objects.bulk_update(updates, ["stage", "updated_at", "stage_changed_at"], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE collaboration_project, collaboration_participant, collaboration_transition")
    print(
        f"data: {len(partners)} partners, {len(projects)} projects, {len(participants)} participants, "
        f"{len(transitions)} stage changes"
    )


def _measure(client: Client, path: str) -> tuple[float, int]:
    """Median milliseconds of RUNS requests (after one warm-up) and the query count of one."""
    assert client.get(path).status_code == 200, path
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    queries = len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])
    return statistics.median(times), queries


def run():
    connection.set_schema_to_public()
    partners = _partners()
    _projects(partners)
    focus = partners[0]
    person = User.objects.create_user(email="bench-owner@example.com", password=None)
    Membership.objects.create(user=person, partner=focus, role=Role.OWNER)
    staff = User.objects.create_superuser(email="bench-staff@example.com", password=None)
    mine = Participant.objects.filter(partner=focus).count()

    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]):
        member = Client(HTTP_HOST="bench-focus.localhost")
        member.force_login(person)
        secretariat = Client(HTTP_HOST="localhost")
        secretariat.force_login(staff)
        figures = {
            "floor (GET /api/v1/me/)": _measure(member, "/api/v1/me/"),
            f"partner board ({mine} projects)": _measure(member, "/projects/"),
            f"staff board ({PROJECTS} projects)": _measure(secretariat, "/projects/"),
            f"staff funnel ({PROJECTS} projects)": _measure(secretariat, "/projects/funnel/"),
            "partner funnel": _measure(member, "/projects/funnel/"),
            "partner list API (page of 50)": _measure(member, "/api/v1/projects/"),
            "partner list page (page of 50)": _measure(member, "/projects/list/"),
        }
    for name, (ms, queries) in figures.items():
        print(f"  {name}: {ms:.1f} ms, {queries} queries")
    floor = figures["floor (GET /api/v1/me/)"][0]
    board = figures[f"partner board ({mine} projects)"][0]
    funnel = figures[f"staff funnel ({PROJECTS} projects)"][0]
    list_api = figures["partner list API (page of 50)"][0]
    print(
        f"  ratios to the floor: board {board / floor:.1f}x, funnel {funnel / floor:.1f}x, "
        f"list API {list_api / floor:.1f}x"
    )
    max_queries = max(queries for _ms, queries in figures.values())
    print(
        f"bench collaboration: board_ms={board:.1f} funnel_ms={funnel:.1f} list_api_ms={list_api:.1f} "
        f"max_queries={max_queries}",
        flush=True,
    )
