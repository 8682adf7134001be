"""Pages of collaboration projects: on partner hosts for members, on the public host for alliance staff."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.forms import apply_errors
from portal.core.lists import filtered, filtered_page, query_without_page
from portal.core.replicas import reads_may_lag
from portal.core.roles import has_role, role_check
from portal.core.spreadsheets import SafeCsvWriter
from tenants.choices import Role
from tenants.models import Partner

from . import selectors, services
from .choices import ParticipantStatus, Stage
from .filters import ListingFilterSet, ProductFilterSet, ProjectFilterSet
from .forms import DocumentForm, InviteForm, ListingForm, MilestoneForm, ProductForm, ProjectForm, TransitionForm
from .funnel import funnel_compute
from .notes.selectors import note_list
from .pipeline import evidence_hint, moves_for, next_stage


def _scope(request) -> dict:
    """Who is looking: a partner (with the visitor's role) on its host, or alliance staff on the public host."""
    if request.tenant.is_public:
        return {"partner": None, "staff": True, "role": None}
    return {"partner": request.tenant, "staff": False, "role": request.membership.role}


def _projects(request, *, accepted_only: bool = False):
    scope = _scope(request)
    return selectors.project_list_for_partner(
        partner=scope["partner"], staff=scope["staff"], accepted_only=accepted_only
    )


def _project_or_404(request, pk: int, *, accepted_only: bool = True):
    project = _projects(request, accepted_only=accepted_only).filter(pk=pk).first()
    if project is None:
        raise Http404(_("No such project."))
    return project


def _errors(request, error: Exception) -> None:
    if isinstance(error, services.VersionConflictError):
        messages.error(request, str(services.VersionConflictError.message))
    elif isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)


def _detail(project) -> str:
    return reverse("collaboration:project-detail", kwargs={"pk": project.pk})


def _moves(project, scope) -> list[tuple[str, object]]:
    """The stage changes this visitor may make on the project: (stage, verdict), in pipeline order."""
    is_owner = scope["partner"] is not None and project.owner_id == scope["partner"].pk
    return moves_for(from_stage=project.stage, is_owner_partner=is_owner, role=scope["role"])


def _with_moves(cards, scope) -> list:
    for card in cards:
        card.moves = [
            (stage, Stage(stage).label, verdict, evidence_hint(stage) if verdict.needs_evidence else "")
            for stage, verdict in _moves(card, scope)
            if verdict.allowed
        ]
    return cards


def board(request):
    """Projects by stage, one column each; filters (mine, partner, technology) from the query string.

    People who may move a card drag it to a column or pick "Move to…" (portal/static/portal/board.js); without
    script the "Move to…" form opens the stage page, prefilled with the chosen stage.
    """
    scope = _scope(request)
    listing = filtered(request, ProjectFilterSet, _projects(request))
    columns = selectors.board_columns(projects=listing.queryset, now=timezone.now())
    for column in columns:
        _with_moves(column["projects"], scope)
    invitations = [] if scope["staff"] else selectors.invitation_list(partner=scope["partner"])
    context = {
        "columns": columns,
        "invitations": invitations,
        "filterset": listing.filterset,
        "filtered": bool(query_without_page(request)),
        "here": request.get_full_path(),
    }
    return render(request, "collaboration/board.html", context)


@reads_may_lag
def project_list(request):
    """Projects with filters (the same FilterSet as the API and the CSV export)."""
    projects = _projects(request)
    listing = filtered_page(request, ProjectFilterSet, projects, order_by=("-updated_at", "-id"), counted=True)
    return render(request, "collaboration/project_list.html", {"filterset": listing.filterset, "page": listing.page})


def project_export(request):
    """CSV of the filtered project list."""
    projects = filtered(request, ProjectFilterSet, _projects(request)).queryset
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="projects.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(
        [_("ID"), _("Title"), _("Owner partner"), _("Stage"), _("Technologies"), _("Markets"), _("Updated")]
    )
    for project in projects.order_by("-updated_at", "-id")[:10000]:
        writer.writerow(
            [
                project.pk,
                project.title,
                project.owner.name,
                project.get_stage_display(),
                " ".join(project.tags),
                " ".join(project.markets),
                project.updated_at.isoformat(),
            ]
        )
    return response


def project_create(request):
    """Members propose a project owned by their partner."""
    role_check(request, Role.MEMBER)
    scope = _scope(request)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "version"}
        project = services.project_create(partner=scope["partner"], role=scope["role"], user=request.user, **data)
        messages.success(request, _("Project created."))
        return redirect(_detail(project))
    return render(request, "collaboration/project_form.html", {"form": form})


def project_edit(request, pk: int):
    """The owner partner's managers edit the description; a stale version is refused, never overwritten."""
    scope = _scope(request)
    project = _project_or_404(request, pk)
    role_check(request, Role.MANAGER)
    if project.owner_id != scope["partner"].pk:
        raise PermissionDenied(_("Only the owner partner may edit the project."))
    initial = {field: getattr(project, field) for field in ("title", "summary", "tags", "markets", "budget_range")}
    form = ProjectForm(request.POST or None, initial={**initial, "version": project.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        try:
            services.project_update(
                project=project,
                version=version,
                partner=scope["partner"],
                role=scope["role"],
                user=request.user,
                **data,
            )
        except services.VersionConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Project saved."))
            return redirect(_detail(project))
    return render(request, "collaboration/project_form.html", {"form": form, "project": project})


def project_detail(request, pk: int):
    """A project: participants, stage and its history, milestones, documents, timeline, private notes."""
    scope = _scope(request)
    project = _project_or_404(request, pk, accepted_only=False)
    participants = list(selectors.participant_list(project=project))
    mine = next((p for p in participants if scope["partner"] and p.partner_id == scope["partner"].pk), None)
    context = {"project": project, "participants": participants, "mine": mine, "staff": scope["staff"]}
    if mine is not None and mine.status == ParticipantStatus.INVITED:
        # An invited partner sees the invitation, not the project's working data.
        return render(request, "collaboration/project_invitation.html", context)
    one = selectors.project_list_for_partner(partner=scope["partner"], staff=scope["staff"]).filter(pk=project.pk)
    is_owner = scope["partner"] is not None and project.owner_id == scope["partner"].pk
    allowed = [(stage, verdict) for stage, verdict in _moves(project, scope) if verdict.allowed]
    targets = [stage for stage, _verdict in allowed]
    # The next stage is preselected: moving on needs no reason, moving back does.
    transition_form = TransitionForm(
        initial={"version": project.version, "to_stage": next_stage(project.stage)}, targets=targets
    )
    context.update(
        transitions=selectors.transition_list(projects=one).select_related("evidence").order_by("at", "id"),
        milestones=selectors.milestone_list(projects=one),
        documents=selectors.document_list(projects=one),
        timeline=selectors.timeline_list(projects=one)[:100],
        can_move=bool(targets),
        evidence_hints=[evidence_hint(stage) for stage, verdict in allowed if verdict.needs_evidence],
        transition_form=transition_form,
        can_manage=is_owner and has_role(request, Role.MANAGER),
        can_contribute=has_role(request, Role.MEMBER),
        can_leave=mine is not None and not is_owner and has_role(request, Role.MANAGER),
        invite_form=InviteForm(exclude_ids=[p.partner_id for p in participants]),
        milestone_form=MilestoneForm(),
        document_form=DocumentForm(),
        notes=[] if scope["staff"] else note_list(project_id=project.pk),
    )
    return render(request, "collaboration/project_detail.html", context)


def _post_action(request, pk: int, action):
    """Run one service call for a POST on a project page, then go back to it with the outcome as a message."""
    role_check(request, Role.VIEWER)  # staff read projects; acting on one takes a partner's member
    scope = _scope(request)
    project = _project_or_404(request, pk, accepted_only=False)
    try:
        action(project, scope)
    except (ValidationError, services.VersionConflictError) as error:
        _errors(request, error)
    else:
        messages.success(request, _("Done."))
    if not selectors.project_list_for_partner(partner=scope["partner"]).filter(pk=pk).exists():
        return redirect("collaboration:board")
    return redirect(_detail(project))


def _wants_json(request) -> bool:
    """The board's script asks for JSON; a browser's own form post asks for a page."""
    return request.headers.get("Accept", "").startswith("application/json")


def _json_errors(form, status: int) -> JsonResponse:
    errors = [
        {"attr": None if field == "__all__" else field, "detail": str(message)}
        for field, messages_ in form.errors.items()
        for message in messages_
    ]
    return JsonResponse({"errors": errors}, status=status)


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@require_http_methods(["GET", "POST"])
def project_transition(request, pk: int):
    """The stage change: GET shows the form prefilled with `?to=` (the board's "Move to…" without script and the
    way to give a reason or evidence), POST moves the project. The board's script posts with
    `Accept: application/json` and gets the moved card, or the errors, as JSON; refusals are 403s naming why."""
    try:
        return _stage_change(request, pk)
    except PermissionDenied as error:
        if not _wants_json(request):
            raise
        return JsonResponse({"errors": [{"attr": None, "detail": str(error)}]}, status=403)


def _stage_change(request, pk: int):
    role_check(request, Role.MANAGER)
    scope = _scope(request)
    project = _project_or_404(request, pk)
    moves = _moves(project, scope)
    allowed = [stage for stage, verdict in moves if verdict.allowed]
    if not allowed:
        raise PermissionDenied(moves[0][1].reason if moves else _("This project is closed."))
    wanted = request.GET.get("to")
    initial = {"version": project.version, "to_stage": wanted if wanted in allowed else next_stage(project.stage)}
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    form = TransitionForm(*data, initial=initial, targets=allowed)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.project_transition(
                    project=project,
                    version=form.cleaned_data["version"],
                    to_stage=form.cleaned_data["to_stage"],
                    partner=scope["partner"],
                    role=scope["role"],
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    evidence=form.cleaned_data.get("evidence"),
                )
            except ValidationError as error:
                apply_errors(form, error)
            except services.VersionConflictError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                return _moved(request, project, scope)
        status = status if status != 200 else 400
        if _wants_json(request):
            return _json_errors(form, status)
    hints = [evidence_hint(stage) for stage, verdict in moves if verdict.allowed and verdict.needs_evidence]
    context = {"project": project, "form": form, "next": _safe_next(request), "evidence_hints": hints}
    return render(request, "collaboration/project_stage.html", context, status=status)


def _moved(request, project, scope):
    message = _("“%(title)s” moved to %(stage)s.") % {"title": project.title, "stage": project.get_stage_display()}
    if _wants_json(request):
        one = _projects(request).filter(pk=project.pk)
        (card,) = _with_moves(selectors.board_cards(projects=one, now=timezone.now()), scope)
        html = render_to_string("collaboration/_card.html", {"project": card, "here": _safe_next(request)}, request)
        return JsonResponse({"stage": project.stage, "version": project.version, "message": message, "html": html})
    messages.success(request, message)
    return redirect(_safe_next(request) or _detail(project))


@require_POST
def participant_invite(request, pk: int):
    form = InviteForm(request.POST)

    def action(project, scope):
        if not form.is_valid():
            raise ValidationError(_("Choose a partner to invite."))
        services.participant_invite(
            project=project,
            partner=scope["partner"],
            role=scope["role"],
            user=request.user,
            invitee=form.cleaned_data["partner"],
        )

    return _post_action(request, pk, action)


@require_POST
def participant_respond(request, pk: int):
    def action(project, scope):
        services.participant_respond(
            project=project,
            partner=scope["partner"],
            role=scope["role"],
            user=request.user,
            action=request.POST.get("action", ""),
        )

    return _post_action(request, pk, action)


@require_POST
def milestone_create(request, pk: int):
    form = MilestoneForm(request.POST)

    def action(project, scope):
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.milestone_create(
            project=project, partner=scope["partner"], role=scope["role"], user=request.user, **form.cleaned_data
        )

    return _post_action(request, pk, action)


@require_POST
def milestone_done(request, pk: int, milestone_pk: int):
    def action(project, scope):
        milestone = get_object_or_404(
            selectors.milestone_list(projects=_projects(request)), pk=milestone_pk, project=project
        )
        services.milestone_set_done(
            milestone=milestone,
            partner=scope["partner"],
            role=scope["role"],
            user=request.user,
            done=request.POST.get("done") == "1",
        )

    return _post_action(request, pk, action)


@require_POST
def document_upload(request, pk: int):
    form = DocumentForm(request.POST, request.FILES)

    def action(project, scope):
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.document_upload(
            project=project,
            partner=scope["partner"],
            role=scope["role"],
            user=request.user,
            file=form.cleaned_data["file"],
        )

    return _post_action(request, pk, action)


def document_download(request, pk: int):
    """A project document, only to people of a participant partner (or staff); never by a public URL."""
    scope = _scope(request)
    document = selectors.document_get(partner=scope["partner"], staff=scope["staff"], pk=pk)
    if document is None:
        raise Http404(_("No such document."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The file is missing.")) from error
    response = FileResponse(handle, as_attachment=True, filename=document.name, content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def funnel(request):
    """The funnel of the projects the visitor may see: a partner's own, or the whole alliance for staff."""
    try:
        stalled_days = max(1, min(int(request.GET.get("stalled_days", 30)), 3650))
    except ValueError:
        stalled_days = 30
    figures = funnel_compute(projects=_projects(request, accepted_only=True), stalled_days=stalled_days)
    return render(request, "collaboration/funnel.html", {"funnel": figures})


def product_list(request):
    """The alliance's product catalogue (every member sees it)."""
    listing = filtered_page(request, ProductFilterSet, selectors.product_list(), counted=True)
    return render(request, "collaboration/product_list.html", {"filterset": listing.filterset, "page": listing.page})


def product_create(request):
    role_check(request, Role.MEMBER)
    scope = _scope(request)
    form = ProductForm(request.POST or None, projects=_projects(request, accepted_only=True))
    if request.method == "POST" and form.is_valid():
        services.product_create(partner=scope["partner"], role=scope["role"], **form.cleaned_data)
        messages.success(request, _("Product added to the catalogue."))
        return redirect("collaboration:product-list")
    return render(request, "collaboration/product_form.html", {"form": form})


def market(request):
    """Needs and offers of the alliance; members publish their partner's own."""
    scope = _scope(request)
    form = ListingForm(request.POST or None)
    if request.method == "POST":
        role_check(request, Role.MEMBER)
        if form.is_valid():
            listing = services.listing_create(partner=scope["partner"], role=scope["role"], **form.cleaned_data)
            messages.success(request, _("Published."))
            return redirect("collaboration:listing-detail", pk=listing.pk)
    listing = filtered_page(request, ListingFilterSet, selectors.listing_list(), counted=True)
    context = {"filterset": listing.filterset, "page": listing.page, "form": form}
    return render(request, "collaboration/market.html", context)


def _own_listing(request, pk: int):
    scope = _scope(request)
    if scope["staff"]:
        raise Http404
    return get_object_or_404(selectors.listing_list(open_only=False), pk=pk, partner=scope["partner"])


def listing_detail(request, pk: int):
    """One of the partner's own needs or offers, with suggested partners."""
    listing = _own_listing(request, pk)
    suggestions = selectors.listing_suggestions(listing=listing) if listing.is_open else []
    return render(request, "collaboration/listing_detail.html", {"listing": listing, "suggestions": suggestions})


@require_POST
def listing_accept(request, pk: int):
    """Accept a suggested partner: a project in "negotiating" with both partners."""
    listing = _own_listing(request, pk)
    scope = _scope(request)
    counterpart = Partner.objects.members().filter(pk=request.POST.get("partner") or 0).first()
    if counterpart is None:
        messages.error(request, _("Choose a suggested partner."))
        return redirect("collaboration:listing-detail", pk=pk)
    try:
        project = services.suggestion_accept(
            listing=listing, counterpart=counterpart, partner=scope["partner"], role=scope["role"], user=request.user
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect("collaboration:listing-detail", pk=pk)
    messages.success(request, _("Project opened."))
    return redirect(_detail(project))


@require_POST
def listing_close(request, pk: int):
    listing = _own_listing(request, pk)
    scope = _scope(request)
    services.listing_close(listing=listing, partner=scope["partner"], role=scope["role"])
    return redirect("collaboration:market")
