"""Factories of events, through the services where a rule applies."""

import datetime

from django.utils import timezone

from portal.events import services
from portal.events.choices import CardKind
from portal.events.models import Event, MeetingTable
from tenants.choices import Role
from tenants.models import Membership, Partner, User

from ..factories import UserFactory

DAY = datetime.date(2027, 5, 20)


def event_make(*, name: str = "World IoT Expo", open_windows: bool = True, **fields) -> Event:
    """A published event whose windows are open (wide around now) unless told otherwise."""
    now = timezone.now()
    far = datetime.timedelta(days=3650)
    defaults = {
        "city": "Wuxi",
        "venue": "Taihu International Expo Center",
        "starts_on": DAY,
        "ends_on": DAY + datetime.timedelta(days=2),
        "is_published": True,
        "languages": ["en", "zh-hans"],
        "slot_minutes": 30,
    }
    if open_windows:
        defaults.update(
            registration_opens_at=now - far,
            registration_closes_at=now + far,
            requests_open_at=now - far,
            requests_close_at=now + far,
        )
    defaults.update(fields)
    event = Event.objects.create(name=name, **defaults)
    services.slots_generate(event=event, day=DAY, start=datetime.time(9), end=datetime.time(11))
    services.tables_create(event=event, count=2)
    return event


def person_of(partner: Partner, email: str, role: str = Role.MEMBER) -> User:
    user = User.objects.filter(email=email).first() or UserFactory(email=email)
    Membership.objects.get_or_create(user=user, partner=partner, defaults={"role": role})
    return user


def attendee_for(event: Event, partner: Partner, user: User, languages=("en",)):
    return services.attendee_register(
        event=event, partner=partner, role=Role.MANAGER, user=user, languages=list(languages)
    )


def card_for(event: Event, partner: Partner, *, kind=CardKind.OFFER, private=False, title=None, tags=("v2x",)):
    return services.card_create(
        event=event,
        partner=partner,
        role=Role.MEMBER,
        kind=kind,
        title=title or f"{partner.name} {kind}",
        tags=list(tags),
        categories=["software"],
        markets=["CN"],
        is_private=private,
    )


def tables_of(event: Event):
    return list(MeetingTable.objects.filter(event=event))
