"""Admin of collaboration projects for alliance staff."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Document, Listing, Milestone, Participant, Product, Project, TimelineEvent, Transition


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    autocomplete_fields = ["partner"]
    readonly_fields = ["invited_at", "responded_at", "invited_by"]


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "at", "by_user", "by_partner", "reason", "evidence"]

    def has_add_permission(self, request, obj=None):
        return False  # stage changes go through the pipeline rules (services), never by hand


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "stage", "updated_at"]
    list_filter = ["stage", "budget_range"]
    search_fields = ["title", "summary", "owner__name"]
    list_select_related = ["owner"]
    # Stage and version change only through the services (pipeline rules, optimistic locking).
    readonly_fields = ["stage", "stage_changed_at", "version", "created_at", "updated_at", "created_by"]
    autocomplete_fields = ["owner"]
    inlines = [ParticipantInline, MilestoneInline, TransitionInline]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "partner", "content_type", "size", "uploaded_at"]
    list_select_related = ["project", "partner"]
    # Documents have no URL (private storage): the admin links to the staff download view instead.
    exclude = ["file"]
    readonly_fields = ["download", "content_type", "size", "uploaded_by", "partner", "uploaded_at"]

    @admin.display(description=_("file"))
    def download(self, document):
        if not document.pk:
            return "—"
        url = reverse("collaboration:document-download", kwargs={"pk": document.pk})
        return format_html('<a href="{}">{}</a>', url, document.name)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "category", "launch_date"]
    list_filter = ["category"]
    search_fields = ["name", "partner__name"]
    list_select_related = ["partner"]


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "kind", "is_open", "created_at"]
    list_filter = ["kind", "is_open"]
    search_fields = ["title", "partner__name"]
    list_select_related = ["partner"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "at", "partner"]
    list_filter = ["kind"]
    list_select_related = ["project", "partner"]
