"""Alliance events (public schema, kept by alliance staff) and the matchmaking of the partners taking part.

Every row a partner writes carries its partner; what another partner may read is decided in `selectors`
(private cards never leave their partner; a request and its meeting are seen by their two sides only).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.collaboration.choices import ProductCategory, Technology
from portal.collaboration.models import TaggedMixin

from .choices import CardKind, Interest, MeetingStatus, RequestStatus, SessionKind


def _codes(max_length: int, verbose, choices=None):
    return ArrayField(
        models.CharField(max_length=max_length, choices=choices), verbose_name=verbose, default=list, blank=True
    )


class Event(models.Model):
    """An alliance event (expo, conference): where, when, and the windows of registration and requests."""

    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    description = models.TextField(_("description"), blank=True)
    languages = _codes(16, _("languages"))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    requests_open_at = models.DateTimeField(_("meeting requests open"), null=True, blank=True)
    requests_close_at = models.DateTimeField(_("meeting requests close"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=30)
    is_published = models.BooleanField(_("published to partners"), default=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name

    def requests_open(self, now) -> bool:
        """Requests and answers are taken between the request window's ends (an open end is no limit)."""
        opens, closes = self.requests_open_at, self.requests_close_at
        return (opens is None or opens <= now) and (closes is None or now < closes)

    def registration_open(self, now) -> bool:
        opens, closes = self.registration_opens_at, self.registration_closes_at
        return (opens is None or opens <= now) and (closes is None or now < closes)


class Session(models.Model):
    """A forum, summit, exhibition or ceremony of the programme: time, room and speakers."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices, default=SessionKind.FORUM)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    speakers = models.TextField(_("speakers"), blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["event", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class Booth(models.Model):
    """A partner's exhibition booth."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="booths")
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="event_booths")
    code = models.CharField(_("booth"), max_length=20)
    hall = models.CharField(_("hall"), max_length=100, blank=True)
    title = models.CharField(_("what is shown"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        ordering = ["hall", "code"]
        constraints = [models.UniqueConstraint(fields=["event", "code"], name="one_booth_per_code")]
        indexes = [models.Index(fields=["partner", "event"])]

    def __str__(self) -> str:
        return f"{self.code} {self.partner}"


class MeetingTable(models.Model):
    """A table of the meeting area, with its seats."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(_("table"), max_length=40)
    seats = models.PositiveSmallIntegerField(_("seats"), default=2)

    class Meta:
        verbose_name = _("meeting table")
        verbose_name_plural = _("meeting tables")
        ordering = ["event", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="one_table_per_name")]

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    """One meeting slot (a 20- or 30-minute block); tables × slots is where meetings go."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("meeting slot")
        verbose_name_plural = _("meeting slots")
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "starts_at"], name="one_slot_per_start")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class Attendee(models.Model):
    """A person a partner registered for an event: languages spoken and slots they cannot meet in."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendees")
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="event_attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_attendances")
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    languages = _codes(16, _("languages"))
    busy_slots = ArrayField(models.IntegerField(), verbose_name=_("busy slots"), default=list, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["event", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_attendance_per_person")]
        indexes = [models.Index(fields=["partner", "event"])]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def name(self) -> str:
        return str(self)


class Card(TaggedMixin, models.Model):
    """A partner's offer or need at an event; a private card is never shown to another partner."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cards")
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="event_cards")
    kind = models.CharField(_("offer or need"), max_length=8, choices=CardKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tags = _codes(32, _("technologies"), Technology.choices)
    categories = _codes(16, _("product categories"), ProductCategory.choices)
    markets = _codes(2, _("markets"))
    is_private = models.BooleanField(_("private to my partner"), default=False)
    listing = models.ForeignKey(
        "collaboration.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="event_cards"
    )
    product = models.ForeignKey(
        "collaboration.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="event_cards"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["event", "is_private", "partner"]), models.Index(fields=["partner", "event"])]

    def __str__(self) -> str:
        return self.title

    @property
    def category_labels(self) -> list[str]:
        return [str(ProductCategory(c).label) if c in ProductCategory.values else c for c in self.categories]


class Ranking(models.Model):
    """How much one attendee wants to meet another (must / would / no)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rankings")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="rankings")
    target = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="ranked_by")
    level = models.CharField(_("interest"), max_length=8, choices=Interest.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        constraints = [models.UniqueConstraint(fields=["attendee", "target"], name="one_ranking_per_pair")]
        indexes = [models.Index(fields=["target", "level"])]

    def __str__(self) -> str:
        return f"{self.attendee_id} → {self.target_id}: {self.level}"


class MeetingRequest(models.Model):
    """One attendee asks another for a meeting; accepted (or wanted by both) it becomes a meeting."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="requests_sent")
    recipient = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="requests_received")
    requester_partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="+")
    recipient_partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="+")
    must_meet = models.BooleanField(_("must meet"), default=False)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["requester", "recipient"], name="one_request_per_pair")]
        indexes = [
            models.Index(fields=["requester_partner", "event"]),
            models.Index(fields=["recipient_partner", "event"]),
            models.Index(fields=["event", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.recipient}"


class Meeting(models.Model):
    """A mutually wanted meeting: placed by the scheduler (or staff) at a slot and table, then held or not."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    table = models.ForeignKey(MeetingTable, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    locked = models.BooleanField(_("locked"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.UNSCHEDULED, db_index=True
    )
    unplaced_reason = models.CharField(_("why not placed"), max_length=40, blank=True)
    follow_up = models.BooleanField(_("follow-up agreed"), default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["slot__starts_at", "id"]
        indexes = [models.Index(fields=["event", "status"]), models.Index(fields=["event", "slot", "table"])]

    def __str__(self) -> str:
        return f"{self.request}"


class MeetingNote(models.Model):
    """A partner's own note on a meeting; only that partner reads it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(_("note"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting note")
        verbose_name_plural = _("meeting notes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["meeting", "partner"])]

    def __str__(self) -> str:
        return self.text[:50]


class Signing(models.Model):
    """An agreement signed at an event: the provenance of the collaboration project it created or moved to Signed."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="signings")
    project = models.ForeignKey("collaboration.Project", on_delete=models.CASCADE, related_name="event_signings")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="signings")
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="+")
    counterpart = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="+")
    created_project = models.BooleanField(default=True)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signing")
        verbose_name_plural = _("signings")
        ordering = ["-signed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "project"], name="one_signing_per_project")]
        indexes = [models.Index(fields=["partner", "event"]), models.Index(fields=["counterpart", "event"])]

    def __str__(self) -> str:
        return f"{self.event}: {self.project}"


class Announcement(models.Model):
    """A notice staff post to everyone taking part in an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements")
    text = models.TextField(_("announcement"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.text[:50]


class Result(models.Model):
    """A result an event released (a report, a yearbook, an award, a signed agreement made public)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="results")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    released_at = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        verbose_name = _("released result")
        verbose_name_plural = _("released results")
        ordering = ["released_at", "id"]

    def __str__(self) -> str:
        return self.title


class ScheduleRun(models.Model):
    """One run of the meeting scheduler: how it solved, what it placed, the bound, how long it took."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedule_runs")
    method = models.CharField(max_length=32)
    placed = models.PositiveIntegerField(default=0)
    unplaced = models.PositiveIntegerField(default=0)
    bound = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("schedule run")
        verbose_name_plural = _("schedule runs")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} {self.at:%Y-%m-%d %H:%M}"
