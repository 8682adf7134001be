"""Admin of alliance events for staff: the event, its programme, booths, tables and slots; the rest read-only."""

from django.contrib import admin

from .models import (
    Announcement,
    Attendee,
    Booth,
    Card,
    Event,
    Meeting,
    MeetingRequest,
    MeetingTable,
    Result,
    ScheduleRun,
    Session,
    Signing,
    Slot,
)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class BoothInline(admin.TabularInline):
    model = Booth
    extra = 0
    autocomplete_fields = ["partner"]


class ResultInline(admin.TabularInline):
    model = Result
    extra = 0


class TableInline(admin.TabularInline):
    model = MeetingTable
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "starts_on", "ends_on", "is_published"]
    list_filter = ["is_published", "city"]
    search_fields = ["name", "city", "venue"]
    inlines = [SessionInline, BoothInline, TableInline, ResultInline]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["event", "starts_at", "ends_at"]
    list_filter = ["event"]
    list_select_related = ["event"]


@admin.register(Attendee)
class AttendeeAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "event", "registered_at"]
    list_filter = ["event"]
    list_select_related = ["user", "partner", "event"]
    search_fields = ["user__email", "partner__name"]
    raw_id_fields = ["user", "partner", "event"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "partner", "event", "is_private"]
    list_filter = ["event", "kind", "is_private"]
    list_select_related = ["partner", "event"]
    raw_id_fields = ["partner", "event", "listing", "product"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["requester", "recipient", "event", "status", "must_meet", "created_at"]
    list_filter = ["event", "status", "must_meet"]
    list_select_related = ["requester__user", "recipient__user", "event"]
    readonly_fields = [f.name for f in MeetingRequest._meta.fields]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["request", "event", "slot", "table", "status", "locked"]
    list_filter = ["event", "status", "locked"]
    list_select_related = ["request__requester__user", "request__recipient__user", "event", "slot", "table"]
    readonly_fields = ["request", "event", "status", "checked_in_at", "updated_at", "follow_up"]
    raw_id_fields = ["slot", "table"]


@admin.register(Signing)
class SigningAdmin(admin.ModelAdmin):
    list_display = ["project", "event", "partner", "counterpart", "signed_at", "created_project"]
    list_filter = ["event"]
    list_select_related = ["project", "event", "partner", "counterpart"]
    readonly_fields = [f.name for f in Signing._meta.fields]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["event", "at", "text"]
    list_filter = ["event"]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["event", "at", "method", "placed", "unplaced", "bound", "seconds"]
    list_filter = ["event"]
    readonly_fields = [f.name for f in ScheduleRun._meta.fields]
