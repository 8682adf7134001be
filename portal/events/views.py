"""Event pages: partners take part on their host; alliance staff run events on the public host (/staff/events/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.collaboration.models import Project
from portal.core.caller import request_person
from portal.core.forms import apply_errors
from portal.core.paging import PAGE_SIZE
from portal.core.roles import has_role, role_check, role_required, staff_required
from tenants.choices import Role
from tenants.models import Partner

from . import selectors, services
from .agenda import agenda_ics
from .choices import Interest, MeetingStatus
from .forms import AnnouncementForm, CardForm, GridForm, NoteForm, RegisterForm, SigningForm
from .models import Card, Meeting, MeetingRequest, MeetingTable, Slot


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _event(request, pk: int):
    event = selectors.event_get(pk=pk, staff=request.tenant.is_public)
    if event is None:
        raise Http404(_("No such event."))
    return event


def _role(request) -> str:
    return request.membership.role


# --- partner pages -----------------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
def event_list(request):
    """Published events, the coming ones first."""
    events = selectors.event_list().order_by("-starts_on", "-id")[:PAGE_SIZE]
    return render(request, "events/event_list.html", {"events": events})


@require_GET
@role_required(Role.VIEWER)
def event_detail(request, pk: int):
    """The programme, booths, released results and announcements; the partner's people and signings."""
    event = _event(request, pk)
    partner = request.tenant
    context = {
        "event": event,
        "sessions": event.sessions.all(),
        "booths": event.booths.select_related("partner"),
        "results": event.results.all(),
        "announcements": event.announcements.all()[:20],
        "attendees": selectors.attendee_list(event=event, partner=partner),
        "me": selectors.attendee_of(event=event, user=request.user),
        "signings": selectors.signing_list(event=event, partner=partner),
        "register_form": RegisterForm(partner=partner) if has_role(request, Role.MANAGER) else None,
        "can_self_register": has_role(request, Role.MEMBER),
    }
    return render(request, "events/event_detail.html", context)


@require_POST
@role_required(Role.MEMBER)
def register(request, pk: int):
    """Register a person of the partner (managers: anyone of the team; members: themselves)."""
    event = _event(request, pk)
    form = RegisterForm(request.POST, partner=request.tenant)
    user = request_person(request)
    if form.is_valid():
        user = form.cleaned_data["user"] or user
        languages = form.cleaned_data["languages"]
    else:
        languages = []
        if has_role(request, Role.MANAGER) and request.POST.get("user"):
            _errors(request, ValidationError(next(iter(form.errors.values()))))
            return redirect("events:event-detail", pk=event.pk)
    try:
        services.attendee_register(
            event=event,
            partner=request.tenant,
            role=_role(request),
            user=user,
            languages=languages,
            by=request_person(request),
        )
        messages.success(request, _("Registered."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("events:event-detail", pk=event.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.VIEWER)
def card_list(request, pk: int):
    """Every partner's public cards and this partner's own (private ones marked); members add cards."""
    event = _event(request, pk)
    form = CardForm(request.POST or None, partner=request.tenant)
    if request.method == "POST":
        role_check(request, Role.MEMBER)
        if form.is_valid():
            try:
                services.card_create(event=event, partner=request.tenant, role=_role(request), **form.cleaned_data)
                messages.success(request, _("Card added."))
                return redirect("events:cards", pk=event.pk)
            except ValidationError as error:
                apply_errors(form, error)
    cards = selectors.card_list(event=event, partner=request.tenant).order_by("partner__name", "-id")[:200]
    return render(request, "events/card_list.html", {"event": event, "cards": cards, "form": form})


@require_POST
@role_required(Role.MEMBER)
def card_delete(request, pk: int):
    card = Card.objects.filter(pk=pk, partner=request.tenant).first()
    if card is None:
        raise Http404(_("No such card."))
    services.card_delete(card=card, partner=request.tenant, role=_role(request))
    messages.success(request, _("Card removed."))
    return redirect("events:cards", pk=card.event_id)


def _me_or_404(request, event):
    me = selectors.attendee_of(event=event, user=request.user)
    if me is None or me.partner_id != request.tenant.pk:
        raise Http404(_("You are not registered for this event."))
    return me


@require_GET
@role_required(Role.MEMBER)
def people(request, pk: int):
    """Suggested people to meet, best fit first, with the visitor's ranking of each."""
    event = _event(request, pk)
    me = _me_or_404(request, event)
    context = {
        "event": event,
        "me": me,
        "suggestions": selectors.suggestion_list(attendee=me),
        "levels": Interest.choices,
        "window_open": event.requests_open(timezone.now()),
    }
    return render(request, "events/people.html", context)


@require_POST
@role_required(Role.MEMBER)
def rank(request, pk: int):
    """Rank a suggested person: must meet, would like to meet, or no."""
    event = _event(request, pk)
    me = _me_or_404(request, event)
    target = event.attendees.filter(pk=request.POST.get("target") or 0).first()
    if target is None:
        raise Http404(_("No such person."))
    try:
        services.ranking_set(
            attendee=me,
            target=target,
            level=request.POST.get("level", ""),
            partner=request.tenant,
            role=_role(request),
            by=request_person(request),
        )
        messages.success(request, _("Saved."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("events:people", pk=event.pk)


@require_GET
@role_required(Role.VIEWER)
def request_list(request, pk: int):
    """Requests the partner's people sent and received; pending ones received can be answered."""
    event = _event(request, pk)
    requests = list(selectors.request_list(event=event, partner=request.tenant)[:500])
    received = [r for r in requests if r.recipient_partner_id == request.tenant.pk]
    sent = [r for r in requests if r.requester_partner_id == request.tenant.pk]
    context = {"event": event, "received": received, "sent": sent, "can_answer": has_role(request, Role.MEMBER)}
    return render(request, "events/request_list.html", context)


@require_POST
@role_required(Role.MEMBER)
def request_respond(request, pk: int):
    meeting_request = (
        MeetingRequest.objects.filter(pk=pk, recipient_partner=request.tenant).select_related("event").first()
    )
    if meeting_request is None:
        raise Http404(_("No such request."))
    try:
        services.request_respond(
            request=meeting_request,
            partner=request.tenant,
            role=_role(request),
            accept=request.POST.get("answer") == "accept",
            by=request_person(request),
        )
        messages.success(request, _("Answered."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("events:requests", pk=meeting_request.event_id)


@require_GET
@role_required(Role.VIEWER)
def agenda(request, pk: int):
    """The visitor's own agenda (or, for managers, the partner's people's): meetings by slot; printable."""
    event = _event(request, pk)
    me = selectors.attendee_of(event=event, user=request.user)
    everyone = request.GET.get("all") == "1" and has_role(request, Role.MANAGER)
    if me is not None and me.partner_id == request.tenant.pk and not everyone:
        meetings = selectors.meeting_list(event=event, attendee=me)
    else:
        meetings = selectors.meeting_list(event=event, partner=request.tenant)
    context = {"event": event, "me": me, "meetings": meetings, "sessions": event.sessions.all()}
    return render(request, "events/agenda.html", context)


@require_GET
@role_required(Role.VIEWER)
def agenda_download(request, pk: int):
    """The visitor's agenda as an iCalendar file (meetings and the programme)."""
    event = _event(request, pk)
    me = selectors.attendee_of(event=event, user=request.user)
    if me is not None and me.partner_id == request.tenant.pk:
        meetings = selectors.meeting_list(event=event, attendee=me)
    else:
        meetings = selectors.meeting_list(event=event, partner=request.tenant)
    body = agenda_ics(event=event, meetings=meetings, sessions=event.sessions.all(), host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-agenda.ics"'
    return response


def _meeting_or_404(request, pk: int) -> Meeting:
    meeting = selectors.meeting_get(pk=pk, partner=request.tenant)
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


@require_GET
@role_required(Role.VIEWER)
def meeting_detail(request, pk: int):
    """One meeting: where and when, check-in, the partner's own notes, follow-up, a signing."""
    meeting = _meeting_or_404(request, pk)
    context = {
        "meeting": meeting,
        "event": meeting.event,
        "note_form": NoteForm(),
        "notes": meeting.notes.all(),
        "statuses": MeetingStatus,
        "can_act": has_role(request, Role.MEMBER),
        "can_sign": has_role(request, Role.MANAGER) and meeting.status == MeetingStatus.HELD,
    }
    return render(request, "events/meeting_detail.html", context)


@require_POST
@role_required(Role.MEMBER)
def meeting_check_in(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    try:
        services.meeting_check_in(
            meeting=meeting,
            partner=request.tenant,
            role=_role(request),
            held=request.POST.get("held") != "0",
            by=request_person(request),
        )
        messages.success(request, _("Checked in."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("events:meeting-detail", pk=meeting.pk)


@require_POST
@role_required(Role.MEMBER)
def meeting_note(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_note_add(
                meeting=meeting,
                partner=request.tenant,
                role=_role(request),
                by=request_person(request),
                **form.cleaned_data,
            )
            messages.success(request, _("Saved."))
        except ValidationError as error:
            _errors(request, error)
    return redirect("events:meeting-detail", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def signing_create(request, pk: int):
    """Record an agreement signed at the event: a new project in Signed, or the partners' project moved there."""
    meeting = _meeting_or_404(request, pk)
    event = meeting.event
    request_ = meeting.request
    other_id = (
        request_.recipient_partner_id
        if request_.requester_partner_id == request.tenant.pk
        else request_.requester_partner_id
    )
    counterpart = get_object_or_404(Partner, pk=other_id)
    projects = Project.objects.filter(
        participants__partner=request.tenant, participants__status="accepted", owner=request.tenant
    ).filter(participants__partner=counterpart)
    form = SigningForm(request.POST or None, request.FILES or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        try:
            signing = services.signing_record(
                event=event,
                partner=request.tenant,
                role=_role(request),
                counterpart=counterpart,
                meeting=meeting,
                by=request_person(request),
                **form.cleaned_data,
            )
            messages.success(request, _("Signing recorded."))
            return redirect("collaboration:project-detail", pk=signing.project_id)
        except ValidationError as error:
            apply_errors(form, error)
    context = {"meeting": meeting, "event": event, "counterpart": counterpart, "form": form}
    return render(request, "events/signing_form.html", context)


@require_GET
@role_required(Role.VIEWER)
def statistics(request, pk: int):
    """The event's funnel: the alliance's figures where disclosure allows, and the partner's own."""
    event = _event(request, pk)
    rows = selectors.funnel_rows(event=event, partner=request.tenant, staff=False)
    origins = selectors.projects_from_events(partner=request.tenant)
    context = {"event": event, "rows": rows, "staff": False, "origins": origins}
    return render(request, "events/statistics.html", context)


# --- staff pages (public host) -----------------------------------------------------------------------------


@require_GET
@staff_required
def staff_event_list(request):
    """Every event, with links to run each; projects that began at events, alliance-wide."""
    events = selectors.event_list(staff=True)[:PAGE_SIZE]
    context = {"events": events, "origins": selectors.projects_from_events()}
    return render(request, "events/staff_event_list.html", context)


@require_GET
@staff_required
def staff_event_detail(request, pk: int):
    """Run an event: the slot grid (slots × tables), unplaced meetings, scheduler runs, announcements, funnel."""
    event = _event(request, pk)
    slots = list(event.slots.all())
    tables = list(event.tables.all())
    meetings = list(selectors.meeting_list(event=event))
    cell = {(m.slot_id, m.table_id): m for m in meetings if m.slot_id and m.table_id}
    grid = [(slot, [(table, cell.get((slot.pk, table.pk))) for table in tables]) for slot in slots]
    context = {
        "event": event,
        "grid": grid,
        "tables": tables,
        "unplaced": [m for m in meetings if not m.slot_id and m.status != MeetingStatus.CANCELLED],
        "runs": event.schedule_runs.all()[:5],
        "announcement_form": AnnouncementForm(),
        "grid_form": GridForm(),
        "rows": selectors.funnel_rows(event=event, partner=None, staff=True),
        "signings": selectors.signing_list(event=event),
    }
    return render(request, "events/staff_event_detail.html", context)


@require_POST
@staff_required
def staff_schedule(request, pk: int):
    event = _event(request, pk)
    run = services.schedule_run(event=event, by=request_person(request))
    messages.success(
        request,
        _("Scheduled: %(placed)s placed, %(unplaced)s not placed (%(method)s).")
        % {"placed": run.placed, "unplaced": run.unplaced, "method": run.method},
    )
    return redirect("events:staff-event-detail", pk=event.pk)


@require_POST
@staff_required
def staff_grid(request, pk: int):
    """Add a day's slots and meeting tables."""
    event = _event(request, pk)
    form = GridForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.slots_generate(event=event, day=data["day"], start=data["start"], end=data["end"])
            if data["tables"]:
                services.tables_create(event=event, count=data["tables"], seats=data["seats"] or 2)
            messages.success(request, _("Saved."))
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Check the slot and table fields."))
    return redirect("events:staff-event-detail", pk=event.pk)


@require_POST
@staff_required
def staff_announce(request, pk: int):
    event = _event(request, pk)
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        services.announcement_post(event=event, text=form.cleaned_data["text"], by=request_person(request))
        messages.success(request, _("Announcement sent."))
    return redirect("events:staff-event-detail", pk=event.pk)


@require_POST
@staff_required
def staff_meeting_lock(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    try:
        services.meeting_lock(meeting=meeting, locked=request.POST.get("locked") == "1")
    except ValidationError as error:
        _errors(request, error)
    return redirect("events:staff-event-detail", pk=meeting.event_id)


@require_POST
@staff_required
def staff_swap(request, pk: int):
    """Swap two meetings' places, or put one meeting at a slot and table."""
    event = _event(request, pk)
    meetings = Meeting.objects.filter(event=event).select_related("request__requester", "request__recipient")
    first = meetings.filter(pk=request.POST.get("first") or 0).first()
    try:
        if first is None:
            raise ValidationError({"meeting": _("Choose a meeting.")})
        if request.POST.get("second"):
            second = meetings.filter(pk=request.POST["second"]).first()
            if second is None:
                raise ValidationError({"meeting": _("Choose a meeting.")})
            services.meeting_swap(first=first, second=second, by=request_person(request))
        else:
            slot = Slot.objects.filter(event=event, pk=request.POST.get("slot") or 0).first()
            table = MeetingTable.objects.filter(event=event, pk=request.POST.get("table") or 0).first()
            if slot is None or table is None:
                raise ValidationError({"slot": _("Choose a slot and a table.")})
            services.meeting_place(meeting=first, slot=slot, table=table, by=request_person(request))
        messages.success(request, _("Saved."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("events:staff-event-detail", pk=event.pk)
