"""Demo collaboration projects between the demo partners, with a stage history shaped like 70 → 44 → 10 → 6."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from tenants.models import Partner

from .choices import BudgetRange, ListingKind, ParticipantStatus, ProductCategory, Stage, Technology, TimelineKind
from .models import Listing, Milestone, Participant, Product, Project, TimelineEvent, Transition
from .notifications import notify_invitation
from .pipeline import ORDER

T = Technology
# (owner, partner, title, tags, markets, furthest stage reached)
FLAGSHIPS = [
    (
        "cq-thunder",
        "yangtze-cells",
        "Battery-swap pack for the T9 e-motorcycle",
        [T.BATTERY_SWAP, T.BATTERY_PACK],
        ["CN", "TH"],
        Stage.IN_DEVELOPMENT,
    ),
    (
        "cq-ev-institute",
        "cq-thunder",
        "V2X and OTA platform for urban e-motorcycles",
        [T.V2X, T.OTA, T.CELLULAR],
        ["CN"],
        Stage.PILOT,
    ),
    (
        "danube-export",
        "cq-thunder",
        "EU homologation of the T7 L3e model",
        [T.HOMOLOGATION],
        ["HU", "DE", "AT"],
        Stage.SIGNED,
    ),
    (
        "siam-ebike",
        "yangtze-cells",
        "EPAC 36 V pack for Thai city e-bikes",
        [T.BATTERY_PACK],
        ["TH", "MY"],
        Stage.DOCKED,
    ),
    (
        "gulf-ev-trading",
        "cq-thunder",
        "Heat-proof e-scooter fleet for Riyadh delivery",
        [T.AIOT, T.GNSS],
        ["SA", "AE"],
        Stage.LAUNCHED,
    ),
]
PAIRS = [
    ("cq-thunder", "yangtze-cells"),
    ("cq-ev-institute", "cq-thunder"),
    ("danube-export", "cq-thunder"),
    ("siam-ebike", "yangtze-cells"),
    ("cq-ev-institute", "yangtze-cells"),
    ("gulf-ev-trading", "siam-ebike"),
]
TOPICS = [
    ("Swap-station network pilot", [T.BATTERY_SWAP], ["CN"]),
    ("Fleet telematics with 4G and GNSS", [T.CELLULAR, T.GNSS], ["TH"]),
    ("OTA update service for BMS firmware", [T.OTA, T.BATTERY_PACK], ["CN"]),
    ("ADAS blind-spot warning for two-wheelers", [T.ADAS], ["DE"]),
    ("Smart-factory line for pack assembly", [T.SMART_MANUFACTURING], ["CN"]),
    ("AIoT charging cabinets for apartments", [T.AIOT], ["SA"]),
    ("V2X roadside units for school zones", [T.V2X], ["HU"]),
]
TOTAL = 75
REACHED = {
    Stage.NEGOTIATING: 70,
    Stage.DOCKED: 44,
    Stage.SIGNED: 10,
    Stage.IN_DEVELOPMENT: 6,
    Stage.PILOT: 3,
    Stage.LAUNCHED: 1,
}


def _furthest(index: int) -> str:
    """Furthest stage of the n-th generated project so that the counts follow REACHED."""
    furthest = Stage.PROPOSED
    for stage in ORDER[1:]:
        if index < REACHED.get(stage, 0):
            furthest = stage
    return furthest


def _specs() -> list[dict]:
    specs = [
        {"owner": o, "partner": p, "title": t, "tags": tags, "markets": m, "furthest": f}
        for o, p, t, tags, m, f in FLAGSHIPS
    ]
    for index in range(TOTAL - len(FLAGSHIPS)):
        owner, partner = PAIRS[index % len(PAIRS)]
        topic, tags, markets = TOPICS[index % len(TOPICS)]
        specs.append(
            {"owner": owner, "partner": partner, "title": f"{topic} #{index + 1}", "tags": tags, "markets": markets}
        )
    # Reached counts over all projects (flagships included) follow REACHED: sort the generated ones in.
    furthest_needed = [_furthest(i) for i in range(TOTAL)]
    flagship_stages = [spec["furthest"] for spec in specs[: len(FLAGSHIPS)]]
    for stage in flagship_stages:
        furthest_needed.remove(
            min((s for s in furthest_needed if ORDER.index(s) >= ORDER.index(stage)), key=ORDER.index)
        )
    for spec, stage in zip(specs[len(FLAGSHIPS) :], furthest_needed, strict=False):
        spec["furthest"] = stage
    return specs


def _history(project: Project, *, furthest: str, index: int, owner: Partner) -> None:
    start = timezone.now() - timedelta(days=400 - (index * 3) % 200)
    at = start
    path = ORDER[: ORDER.index(furthest) + 1]
    steps = []
    for position, stage in enumerate(path):
        steps.append(
            Transition(
                project=project,
                from_stage=path[position - 1] if position else "",
                to_stage=stage,
                at=at,
                by_partner=owner,
                reason="",
            )
        )
        at += timedelta(days=7 + (index * 5 + position * 11) % 40)
    final = furthest
    # Some projects that stopped early ended in a side exit, as real pipelines do.
    if furthest not in (Stage.LAUNCHED,) and index % 4 == 1:
        final = Stage.WITHDRAWN if index % 8 == 1 else Stage.FAILED
        steps.append(
            Transition(
                project=project,
                from_stage=furthest,
                to_stage=final,
                at=at,
                by_partner=owner,
                reason="Business case did not hold.",
            )
        )
    Transition.objects.bulk_create(steps)
    last = steps[-1].at
    Project.objects.filter(pk=project.pk).update(stage=final, stage_changed_at=last, updated_at=last, created_at=start)
    TimelineEvent.objects.bulk_create(
        [TimelineEvent(project=project, kind=TimelineKind.CREATED, at=start, partner=owner, text=project.title)]
        + [
            TimelineEvent(
                project=project,
                kind=TimelineKind.STAGE,
                at=s.at,
                partner=owner,
                params={"from": s.from_stage, "to": s.to_stage, "reason": s.reason},
            )
            for s in steps[1:]
        ]
    )


MILESTONES = ["Joint specification frozen", "Prototype samples delivered", "Type-approval test booked"]


def _milestones(project: Project, *, index: int, owner: Partner, other: Partner) -> None:
    """A flagship's milestones: the first done, the others ahead (the board shows the next one)."""
    today = timezone.localdate()
    Milestone.objects.bulk_create(
        [
            Milestone(
                project=project,
                title=title,
                due_date=today + timedelta(days=(position - 1) * 30 + 7 + index * 3),
                owner=owner if position % 2 == 0 else other,
                done=position == 0,
            )
            for position, title in enumerate(MILESTONES)
        ]
    )


@transaction.atomic
def seed(*, partners: dict[str, Partner], stdout) -> None:
    """Projects, products and listings of the demo alliance; safe to run again (existing titles are kept)."""
    created = 0
    for index, spec in enumerate(_specs()):
        owner, other = partners[spec["owner"]], partners[spec["partner"]]
        if Project.objects.filter(owner=owner, title=spec["title"]).exists():
            continue
        project = Project.objects.create(
            owner=owner,
            title=spec["title"],
            summary=f"{owner.name} and {other.name}: {spec['title'].lower()}.",
            tags=spec["tags"],
            markets=spec["markets"],
            budget_range=list(BudgetRange)[index % len(BudgetRange)],
        )
        status = ParticipantStatus.INVITED if spec["furthest"] == Stage.PROPOSED else ParticipantStatus.ACCEPTED
        Participant.objects.bulk_create(
            [
                Participant(project=project, partner=owner, status=ParticipantStatus.ACCEPTED),
                Participant(project=project, partner=other, status=status),
            ]
        )
        if status == ParticipantStatus.INVITED:  # the invited partner's inbox says so, as a real invitation would
            notify_invitation(project=project, invitee=other, inviter=owner)
        _history(project, furthest=spec["furthest"], index=index, owner=owner)
        if index < len(FLAGSHIPS):
            _milestones(project, index=index, owner=owner, other=other)
        created += 1
    products = [
        (
            "cq-thunder",
            "Thunder T9 Swap",
            ProductCategory.E_MOTORCYCLE,
            [T.BATTERY_SWAP, T.CELLULAR, T.GNSS, T.OTA],
            ["CN", "TH"],
        ),
        ("yangtze-cells", "YC-72 swappable pack", ProductCategory.BATTERY, [T.BATTERY_SWAP, T.AIOT], ["CN"]),
        ("cq-ev-institute", "RoadLink V2X module", ProductCategory.COMPONENT, [T.V2X, T.CELLULAR], ["CN"]),
        ("gulf-ev-trading", "Desert Courier e-scooter", ProductCategory.E_MOTORCYCLE, [T.GNSS, T.AIOT], ["SA", "AE"]),
    ]
    for slug, name, category, features, markets in products:
        Product.objects.get_or_create(
            partner=partners[slug],
            name=name,
            defaults={"category": category, "features": features, "markets": markets, "launch_date": date(2026, 3, 1)},
        )
    listings = [
        (
            "siam-ebike",
            ListingKind.NEED,
            "48 V packs, 20,000 a year",
            [T.BATTERY_PACK],
            ["TH"],
            ["battery_maker"],
            "20,000 packs / year",
        ),
        (
            "yangtze-cells",
            ListingKind.OFFER,
            "LFP swap packs with BMS and OTA",
            [T.BATTERY_PACK, T.BATTERY_SWAP, T.OTA],
            ["CN", "TH"],
            ["e_motorcycle_maker", "e_bike_maker"],
            "150,000 packs / year",
        ),
        (
            "danube-export",
            ListingKind.OFFER,
            "EU type approval for L-category vehicles",
            [T.HOMOLOGATION],
            ["HU", "DE"],
            ["e_motorcycle_maker", "e_bike_maker"],
            "12 approvals / year",
        ),
        (
            "gulf-ev-trading",
            ListingKind.NEED,
            "Heat-resistant e-motorcycles for delivery fleets",
            [T.GNSS, T.AIOT],
            ["SA"],
            ["e_motorcycle_maker"],
            "3,000 units",
        ),
    ]
    for slug, kind, title, tags, markets, kinds, capacity in listings:
        Listing.objects.get_or_create(
            partner=partners[slug],
            title=title,
            defaults={"kind": kind, "tags": tags, "markets": markets, "partner_kinds": kinds, "capacity": capacity},
        )
    stdout.write(f"  collaboration: {created} projects added ({Project.objects.count()} in all)")
