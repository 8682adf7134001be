"""Writes of the inbox: `notify` / `notify_many` (callable from any domain's service or task), read marks,
preferences and the daily digest.

Low in the layers (with the platform, like portal.audit) so that every domain can tell people what happened with
one call; it knows no domain. A failure to write a notice is logged and never breaks the caller's own work.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Partner
from tenants.selectors import partner_url

from .choices import Delivery, NoticeKind
from .models import Notice, NoticePreference
from .selectors import recipients_of

logger = logging.getLogger(__name__)

DIGEST_WINDOW = datetime.timedelta(days=1)


def _partner_here() -> Partner | None:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return None
    if isinstance(tenant, Partner) and tenant.pk:
        return tenant
    return Partner.objects.filter(schema_name=tenant.schema_name).first()  # schema_context's stand-in tenant


def _stored(key: str, value):
    """A parameter as stored: labels as their English text (translated when shown), dates as ISO dates."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Promise) or key.endswith("_label"):
        with translation.override(None):
            return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:300]


def _label(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_full_name() or actor.email


def notify_many(
    *,
    kind: str,
    partner: Partner | None = None,
    people: Iterable = (),
    minimum_role: str | None = None,
    officers: bool = False,
    actor=None,
    params: dict | None = None,
    url: str = "",
    variant: str = "",
) -> list[Notice]:
    """Tell people of a workspace that something happened: one notice each in the partner's inbox.

    Who: the `people` named, members with at least `minimum_role`, compliance officers when `officers` — only
    active members of the partner, never the `actor` who caused it, never someone who muted the `kind`. The
    partner defaults to the one whose schema is in use (the schema is switched when another is named). `params`
    fill the kind's sentence (choices.MESSAGES); `url` is the path of the page where to act. People who chose
    instant e-mail get one after the commit; the rest wait for the daily digest.
    """
    partner = partner or _partner_here()
    if partner is None:
        return []
    stored = {key: _stored(key, value) for key, value in (params or {}).items()}
    try:
        with schema_context(partner.schema_name), transaction.atomic():
            return _notices_create(
                partner=partner,
                memberships=recipients_of(partner=partner, people=people, minimum_role=minimum_role, officers=officers),
                kind=NoticeKind(kind),
                actor=actor,
                params=stored,
                url=url[:300],
                variant=variant,
            )
    except Exception:
        logger.exception("could not write %s notices for %s", kind, partner.schema_name)
        return []


def notify(*, person, kind: str, partner: Partner | None = None, **details) -> Notice | None:
    """Tell one person of the workspace (see `notify_many`); None when the person is not told."""
    notices = notify_many(kind=kind, partner=partner, people=[person], **details)
    return notices[0] if notices else None


def _notices_create(*, partner, memberships, kind, actor, params, url, variant) -> list[Notice]:
    actor_id = getattr(actor, "pk", None)
    memberships = [m for m in memberships if m.user_id != actor_id]
    preferences = {p.user_id: p for p in NoticePreference.objects.filter(user__in=[m.user_id for m in memberships])}
    now = timezone.now()
    notices, instant = [], []
    for membership in memberships:
        preference = preferences.get(membership.user_id) or NoticePreference(user=membership.user)
        if not preference.wants(kind):
            continue
        is_instant = preference.delivery == Delivery.INSTANT
        notice = Notice(
            user=membership.user,
            kind=kind,
            variant=variant,
            params=params,
            url=url,
            actor_label=_label(actor),
            created_at=now,
            emailed_at=now if is_instant else None,
        )
        notices.append(notice)
        if is_instant:
            instant.append(notice)
    Notice.objects.bulk_create(notices)
    if instant:
        transaction.on_commit(lambda: _instant_mail(partner, instant))
    return notices


def _in_language(user):
    return translation.override(user.preferred_language or settings.LANGUAGE_CODE)


def _instant_mail(partner: Partner, notices: list[Notice]) -> None:
    messages = []
    for notice in notices:
        with _in_language(notice.user):
            subject = f"{partner.name}: {notice.text}"
            body = render_to_string("inbox/email_notice.txt", {"notice": notice, "partner": partner, **_links(partner)})
        messages.append((" ".join(subject.split())[:200], body, settings.DEFAULT_FROM_EMAIL, [notice.user.email]))
    send_mass_mail(messages, fail_silently=True)


def _links(partner: Partner) -> dict:
    return {"base_url": partner_url(partner, "").rstrip("/"), "inbox_url": partner_url(partner, "/inbox/")}


def notice_mark_read(*, notice: Notice, now: datetime.datetime | None = None) -> Notice:
    """Mark one notice read (the caller found it among the person's own)."""
    if notice.read_at is None:
        notice.read_at = now or timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notice_mark_all_read(*, user, now: datetime.datetime | None = None) -> int:
    """Mark every unread notice of the person in this workspace read; returns how many."""
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=now or timezone.now())


def preference_update(*, user, delivery: str, muted: Iterable[str]) -> NoticePreference:
    """Save the person's choice in this workspace: the kinds muted and how e-mail brings the others."""
    preference, _created = NoticePreference.objects.update_or_create(
        user=user,
        defaults={"delivery": Delivery(delivery), "muted": sorted({NoticeKind(kind) for kind in muted})},
    )
    return preference


def digest_send(*, partner: Partner, now: datetime.datetime | None = None) -> int:
    """E-mail each person of the workspace (its schema in use) who chose the daily digest one message with the
    notices of the last day not mailed yet; nobody gets an empty digest. Returns how many e-mails went out.

    Idempotent: every notice it looks at is marked mailed in the same transaction (also those of people who chose
    no e-mail), so a rerun or a second worker sends nothing twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        pending = list(
            Notice.objects.filter(emailed_at__isnull=True, created_at__lte=now, created_at__gt=now - DIGEST_WINDOW)
            .select_related("user")
            .order_by("created_at", "id")
            .select_for_update(skip_locked=True, of=("self",))
        )
        if not pending:
            return 0
        by_person = defaultdict(list)
        for notice in pending:
            by_person[notice.user].append(notice)
        members = {m.user_id for m in recipients_of(partner=partner, people=[user.pk for user in by_person])}
        delivery = dict(NoticePreference.objects.filter(user__in=list(by_person)).values_list("user_id", "delivery"))
        Notice.objects.filter(pk__in=[notice.pk for notice in pending]).update(emailed_at=now)
        sent = 0
        for person, notices in by_person.items():
            if person.pk not in members or delivery.get(person.pk, Delivery.DIGEST) != Delivery.DIGEST:
                continue
            with _in_language(person):
                subject = render_to_string("inbox/email_digest_subject.txt", {"partner": partner, "notices": notices})
                body = render_to_string(
                    "inbox/email_digest.txt", {"partner": partner, "notices": notices, **_links(partner)}
                )
            transaction.on_commit(
                lambda s=subject, b=body, e=person.email: send_mail(
                    " ".join(s.split())[:200], b, settings.DEFAULT_FROM_EMAIL, [e], fail_silently=True
                )
            )
            sent += 1
    return sent
