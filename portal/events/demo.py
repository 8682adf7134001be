"""Demo events: the World IoT Expo in Wuxi (past: meetings held, two projects signed there) and the World
Intelligent Connected Vehicles Conference in Beijing (upcoming, open for meeting requests). Facts from the seed
articles: the Expo's main forum, exhibition, awards and sub-forums, 20 projects signed at its 2021 edition; the
Conference's "1+2+4+5+N" programme, 223 exhibitors and "more than 60 important results" released."""

import datetime
import zoneinfo

from django.db import transaction

from portal.collaboration.choices import ListingKind
from portal.collaboration.models import Listing, Product
from tenants.choices import Role
from tenants.models import Membership, Partner

from . import services
from .choices import CardKind, Interest, MeetingStatus, SessionKind
from .models import Booth, Event, Meeting, Result, Session

SEED_AFTER = ("portal.collaboration",)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
EXPO = "World IoT Expo 2026"
CONFERENCE = "World Intelligent Connected Vehicles Conference 2027"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def _owner(partner: Partner):
    return Membership.objects.filter(partner=partner, role=Role.OWNER).select_related("user").first().user


def _programme(event: Event, day: datetime.date, sessions, booths, results) -> None:
    for kind, title, start, end, room, speakers in sessions:
        Session.objects.create(
            event=event,
            kind=kind,
            title=title,
            starts_at=_at(day, *start),
            ends_at=_at(day, *end),
            room=room,
            speakers=speakers,
        )
    for code, hall, partner, title in booths:
        Booth.objects.create(event=event, code=code, hall=hall, partner=partner, title=title)
    for title, description in results:
        Result.objects.create(event=event, title=title, description=description, released_at=day)


def _cards(event: Event, partners: dict[str, Partner]) -> None:
    """Each partner's open needs and offers become cards; products become offers; one private card each."""
    for slug, partner in partners.items():
        for listing in Listing.objects.filter(partner=partner, is_open=True)[:2]:
            services.card_create(
                event=event,
                partner=partner,
                role=Role.MEMBER,
                kind=CardKind.NEED if listing.kind == ListingKind.NEED else CardKind.OFFER,
                title=listing.title,
                description=listing.description,
                listing=listing,
            )
        product = Product.objects.filter(partner=partner).first()
        if product is not None:
            services.card_create(
                event=event,
                partner=partner,
                role=Role.MEMBER,
                kind=CardKind.OFFER,
                title=product.name,
                product=product,
                tags=list(product.features),
            )
        services.card_create(
            event=event,
            partner=partner,
            role=Role.MEMBER,
            kind=CardKind.NEED,
            title=f"Confidential sourcing brief ({slug})",
            description="Kept to our own team: only our people see this card.",
            tags=["battery_pack"],
            is_private=True,
        )


def _register(event: Event, partners: dict[str, Partner], *, now) -> dict[str, object]:
    languages = {"siam-ebike": ["en", "th"], "gulf-ev-trading": ["en", "ar"], "danube-export": ["en"]}
    return {
        slug: services.attendee_register(
            event=event,
            partner=partner,
            role=Role.OWNER,
            user=_owner(partner),
            languages=languages.get(slug, ["zh-hans", "en"]),
            now=now,
        )
        for slug, partner in partners.items()
    }


def _want(attendees, pairs, *, now) -> None:
    """Both sides of each pair rank each other: must-meet from the first, would-like from the second."""
    for first, second in pairs:
        a, b = attendees[first], attendees[second]
        services.ranking_set(attendee=a, target=b, level=Interest.MUST, partner=a.partner, role=Role.MEMBER, now=now)
        services.ranking_set(attendee=b, target=a, level=Interest.WOULD, partner=b.partner, role=Role.MEMBER, now=now)


def _expo(partners: dict[str, Partner], stdout) -> None:
    day = datetime.date(2026, 9, 8)
    opened = _at(day - datetime.timedelta(days=40), 9)
    event = Event.objects.create(
        name=EXPO,
        city="Wuxi",
        venue="Taihu International Expo Center",
        time_zone="Asia/Shanghai",
        starts_on=day,
        ends_on=day + datetime.timedelta(days=2),
        description=(
            "China's leading IoT exhibition: the main forum, exhibitions of IoT applications and products, the "
            "awards ceremony and sub-forums. Wuxi counts more than 3,000 IoT companies."
        ),
        languages=["zh-hans", "en"],
        registration_opens_at=opened,
        registration_closes_at=_at(day, 8),
        requests_open_at=opened,
        requests_close_at=_at(day - datetime.timedelta(days=1), 18),
        slot_minutes=30,
        is_published=True,
    )
    _programme(
        event,
        day,
        sessions=[
            (SessionKind.FORUM, "World IoT Expo Summit: main forum", (9, 0), (12, 0), "Hall A", "MIIT; Wuxi"),
            (SessionKind.EXHIBITION, "IoT applications and products", (9, 0), (17, 0), "Halls B–D", ""),
            (SessionKind.SUB_FORUM, "Connected two-wheelers and V2X", (14, 0), (15, 30), "Room 3", ""),
            (SessionKind.AWARDS, "IoT innovation awards", (16, 0), (17, 0), "Hall A", ""),
            (SessionKind.SIGNING, "Project signing ceremony", (17, 0), (18, 0), "Hall A", ""),
        ],
        booths=[
            ("B-101", "Hall B", partners["cq-thunder"], "T9 e-motorcycle with battery swap"),
            ("B-117", "Hall B", partners["yangtze-cells"], "Swap packs and BMS"),
            ("C-204", "Hall C", partners["cq-ev-institute"], "V2X test bed"),
        ],
        results=[
            ("China IoT Industry Development Report", "Released at the main forum."),
            ("20 projects signed", "Artificial intelligence and IoT projects signed during the expo."),
        ],
    )
    services.slots_generate(event=event, day=day, start=datetime.time(13), end=datetime.time(17))
    services.tables_create(event=event, count=6)
    _cards(event, partners)
    inside = opened + datetime.timedelta(days=1)
    attendees = _register(event, partners, now=inside)
    pairs = [
        ("cq-thunder", "yangtze-cells"),
        ("cq-ev-institute", "cq-thunder"),
        ("siam-ebike", "yangtze-cells"),
        ("danube-export", "cq-thunder"),
        ("gulf-ev-trading", "siam-ebike"),
    ]
    _want(attendees, pairs, now=inside)
    # One request left unanswered and one declined: the funnel narrows as it does at real fairs.
    services.request_create(
        requester=attendees["gulf-ev-trading"],
        recipient=attendees["cq-ev-institute"],
        partner=partners["gulf-ev-trading"],
        role=Role.MEMBER,
        now=inside,
    )
    services.ranking_set(
        attendee=attendees["danube-export"],
        target=attendees["yangtze-cells"],
        level=Interest.WOULD,
        partner=partners["danube-export"],
        role=Role.MEMBER,
        now=inside,
    )
    services.ranking_set(
        attendee=attendees["yangtze-cells"],
        target=attendees["danube-export"],
        level=Interest.NO,
        partner=partners["yangtze-cells"],
        role=Role.MEMBER,
        now=inside,
    )
    run = services.schedule_run(event=event, time_limit_s=5)
    meetings = {
        (m.request.requester.partner.schema_name, m.request.recipient.partner.schema_name): m
        for m in Meeting.objects.filter(event=event).select_related(
            "request__requester__partner", "request__recipient__partner"
        )
    }
    held = 0
    for (first, _second), meeting in meetings.items():
        if meeting.status != MeetingStatus.SCHEDULED:
            continue
        partner = meeting.request.recipient_partner
        no_show = first == "gulf_ev_trading"
        services.meeting_check_in(meeting=meeting, partner=partner, role=Role.MEMBER, held=not no_show)
        if no_show:
            continue
        held += 1
        services.meeting_note_add(
            meeting=meeting,
            partner=meeting.request.requester_partner,
            role=Role.MEMBER,
            text="Good fit; send the draft agreement.",
            follow_up=True,
        )
    signed = [
        ("cq_thunder", "yangtze_cells", "Swap-pack supply for the T9, signed at the World IoT Expo"),
        ("cq_ev_institute", "cq_thunder", "Roadside V2X pilot in Liangjiang, signed at the World IoT Expo"),
    ]
    for first, second, title in signed:
        meeting = meetings.get((first, second))
        if meeting is None or meeting.status != MeetingStatus.HELD:
            continue
        services.signing_record(
            event=event,
            partner=meeting.request.requester_partner,
            role=Role.OWNER,
            counterpart=meeting.request.recipient_partner,
            meeting=meeting,
            title=title,
            summary=f"Agreed at {EXPO}, {event.city}.",
        )
    stdout.write(f"  {EXPO}: {run.placed} meetings placed ({run.method}), {held} held, {len(signed)} signings")


def _conference(partners: dict[str, Partner], stdout) -> None:
    day = datetime.date(2027, 9, 21)
    event = Event.objects.create(
        name=CONFERENCE,
        city="Beijing",
        venue="Beijing Yizhuang",
        time_zone="Asia/Shanghai",
        starts_on=day,
        ends_on=day + datetime.timedelta(days=3),
        description=(
            'A "1+2+4+5+N" programme: opening ceremony, plenary, two symposiums, four summit forums, five special '
            "sessions; the China International New Energy and Intelligent Connected Vehicles Exhibition "
            "(223 exhibitors at the last edition) runs alongside; more than 60 important results are released."
        ),
        languages=["zh-hans", "en", "ar", "th"],
        registration_opens_at=_at(datetime.date(2026, 11, 1), 9),
        registration_closes_at=_at(day, 8),
        requests_open_at=_at(datetime.date(2026, 11, 1), 9),
        requests_close_at=_at(day - datetime.timedelta(days=2), 18),
        slot_minutes=20,
        is_published=True,
    )
    _programme(
        event,
        day,
        sessions=[
            (SessionKind.FORUM, "Opening ceremony and plenary session", (9, 0), (12, 0), "Main hall", ""),
            (SessionKind.SUMMIT, "Summit forum: commercial applications", (14, 0), (16, 0), "Hall 2", ""),
            (SessionKind.EXCHANGE, "Supply and demand exchange", (16, 0), (18, 0), "Matchmaking area", ""),
        ],
        booths=[
            ("E1-08", "E1", partners["cq-thunder"], "Connected e-motorcycles"),
            ("E2-15", "E2", partners["siam-ebike"], "EPAC e-bikes for Thailand"),
        ],
        results=[],
    )
    services.slots_generate(event=event, day=day, start=datetime.time(16), end=datetime.time(18))
    services.tables_create(event=event, count=10)
    _cards(event, partners)
    now = _at(datetime.date(2026, 12, 1), 10)
    attendees = _register(event, partners, now=now)
    services.request_create(
        requester=attendees["siam-ebike"],
        recipient=attendees["cq-thunder"],
        partner=partners["siam-ebike"],
        role=Role.MEMBER,
        must_meet=True,
        message="Thai EPAC market: can we meet at the exchange?",
        now=now,
    )
    stdout.write(f"  {CONFERENCE}: open for meeting requests")


def seed(*, partners: dict[str, Partner], stdout) -> None:
    """The two demo events; safe to run again (an event already there is kept as it is)."""
    for name, build in [(EXPO, _expo), (CONFERENCE, _conference)]:
        if Event.objects.filter(name=name).exists():
            continue
        with transaction.atomic():
            build(partners, stdout)
