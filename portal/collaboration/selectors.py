"""Reads of collaboration projects. Every read of a project goes through `project_list_for_partner`."""

from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber

from tenants.models import Partner

from .choices import ListingKind, ParticipantStatus, Stage
from .models import Document, Listing, Milestone, Participant, Product, Project, TimelineEvent, Transition
from .pipeline import ORDER

VISIBLE = (ParticipantStatus.ACCEPTED, ParticipantStatus.INVITED)


def project_list_for_partner(*, partner: Partner | None, staff: bool = False, accepted_only: bool = False) -> QuerySet:
    """Projects the partner takes part in (accepted; invited too unless `accepted_only`); staff see all.

    The one place where the visibility rule lives: board, list, detail, API, search, documents and timeline.
    """
    projects = Project.objects.select_related("owner")
    if staff:
        return projects
    if partner is None:
        return projects.none()
    statuses = (ParticipantStatus.ACCEPTED,) if accepted_only else VISIBLE
    mine = Participant.objects.filter(project=OuterRef("pk"), partner=partner, status__in=statuses)
    return projects.filter(Exists(mine))


def project_get(
    *, partner: Partner | None, pk: int, staff: bool = False, accepted_only: bool = False
) -> Project | None:
    """One visible project, or None."""
    return project_list_for_partner(partner=partner, staff=staff, accepted_only=accepted_only).filter(pk=pk).first()


def participation_get(*, project: Project, partner: Partner | None) -> Participant | None:
    if partner is None:
        return None
    return Participant.objects.filter(project=project, partner=partner).first()


def project_stage_counts(*, projects: QuerySet) -> list[dict]:
    """How many of the projects are in each stage, in pipeline order (side exits last); one query."""
    counts = dict(projects.order_by().values_list("stage").annotate(n=Count("id")))
    return [
        {"stage": stage, "label": Stage(stage).label, "count": counts.get(stage, 0)}
        for stage in [*ORDER, Stage.WITHDRAWN, Stage.FAILED]
    ]


def board_cards(*, projects: QuerySet, now: datetime) -> list[Project]:
    """The projects as board cards: each with `partners` (accepted participants, in the order they joined),
    `next_milestone` (the earliest open one, or None) and `days_in_stage` (whole days since its last stage change,
    as of `now`). Three queries whatever the number of cards."""
    accepted = Participant.objects.filter(status=ParticipantStatus.ACCEPTED).select_related("partner")
    open_milestones = Milestone.objects.filter(done=False).order_by("due_date", "id")
    cards = list(
        projects.prefetch_related(
            Prefetch("participants", queryset=accepted.order_by("invited_at", "id"), to_attr="accepted"),
            Prefetch("milestones", queryset=open_milestones, to_attr="open_milestones"),
        )
    )
    for project in cards:
        project.partners = [participant.partner for participant in project.accepted]
        project.next_milestone = project.open_milestones[0] if project.open_milestones else None
        project.days_in_stage = max(0, (now - project.stage_changed_at).days)
    return cards


def board_columns(*, projects: QuerySet, now: datetime, per_column: int = 20) -> list[dict]:
    """Pipeline columns: the count of each stage and its most recently updated cards (`board_cards`).

    Four queries whatever the number of projects: the counts, the cards, their partners, their milestones.
    """
    ranked = projects.annotate(
        rank=Window(RowNumber(), partition_by=[F("stage")], order_by=[F("updated_at").desc(), F("id").desc()])
    )
    cards: dict[str, list] = {}
    for project in board_cards(projects=ranked.filter(rank__lte=per_column).order_by("stage", "rank"), now=now):
        cards.setdefault(project.stage, []).append(project)
    columns = project_stage_counts(projects=projects)
    return [{**column, "projects": cards.get(column["stage"], [])} for column in columns]


def participant_list(*, project: Project) -> QuerySet:
    return Participant.objects.filter(project=project).select_related("partner").order_by("invited_at", "id")


def transition_list(*, projects: QuerySet) -> QuerySet:
    return Transition.objects.filter(project__in=projects.values("pk")).select_related("by_user", "by_partner")


def milestone_list(*, projects: QuerySet) -> QuerySet:
    return Milestone.objects.filter(project__in=projects.values("pk")).select_related("owner")


def document_list(*, projects: QuerySet) -> QuerySet:
    return Document.objects.filter(project__in=projects.values("pk")).select_related("uploaded_by", "partner")


def document_get(*, partner: Partner | None, pk: int, staff: bool = False) -> Document | None:
    """A document of a project the partner has accepted (or any, for staff)."""
    projects = project_list_for_partner(partner=partner, staff=staff, accepted_only=True)
    return document_list(projects=projects).filter(pk=pk).first()


def timeline_list(*, projects: QuerySet) -> QuerySet:
    return TimelineEvent.objects.filter(project__in=projects.values("pk")).select_related("user", "partner")


def invitation_list(*, partner: Partner) -> QuerySet:
    """Open invitations of the partner."""
    return Participant.objects.filter(partner=partner, status=ParticipantStatus.INVITED).select_related(
        "project", "project__owner"
    )


def product_list() -> QuerySet:
    """The alliance's product catalogue (visible to every member)."""
    return Product.objects.select_related("partner", "project")


def listing_list(*, open_only: bool = True) -> QuerySet:
    listings = Listing.objects.select_related("partner")
    return listings.filter(is_open=True) if open_only else listings


def listing_suggestions(*, listing: Listing, limit: int = 10) -> list[dict]:
    """Partners that fit a listing, best first: kind sought, shared technologies and markets of their listings.

    One query: partners annotated with the number of open opposite listings sharing a tag or a market.
    """
    opposite = ListingKind.OFFER if listing.kind == ListingKind.NEED else ListingKind.NEED
    theirs = Listing.objects.filter(partner=OuterRef("pk"), is_open=True, kind=opposite)
    tag_fit = theirs.filter(tags__overlap=listing.tags or ["-"])
    market_fit = theirs.filter(markets__overlap=listing.markets or ["-"])
    partners = (
        Partner.objects.members()
        .active()
        .exclude(pk=listing.partner_id)
        .annotate(
            kind_fit=ExpressionWrapper(Q(kind__in=listing.partner_kinds or ["-"]), output_field=BooleanField()),
            tag_fit=Exists(tag_fit),
            market_fit=Exists(market_fit),
        )
        .filter(Q(kind_fit=True) | Q(tag_fit=True) | Q(market_fit=True))
    )
    suggestions = [
        {
            "partner": partner,
            "score": 2 * partner.kind_fit + 2 * partner.tag_fit + partner.market_fit,
            "kind_fit": partner.kind_fit,
            "tag_fit": partner.tag_fit,
            "market_fit": partner.market_fit,
        }
        for partner in partners
    ]
    suggestions.sort(key=lambda s: (-s["score"], s["partner"].name))
    return suggestions[:limit]
