"""Staff admin of the alliance's reference tables (public schema)."""

from django.contrib import admin

from .models import WmiAssignment


@admin.register(WmiAssignment)
class WmiAssignmentAdmin(admin.ModelAdmin):
    """The WMI register: which member partner each World Manufacturer Identifier belongs to."""

    list_display = ["wmi", "small_maker_code", "partner", "note", "created_at"]
    list_filter = [("partner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["wmi", "small_maker_code", "partner__name", "partner__schema_name", "note"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    ordering = ["wmi", "small_maker_code"]
