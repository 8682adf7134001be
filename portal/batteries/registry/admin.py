"""Staff admin of the passport registry (public schema): the attribute list (read-only: it comes from the xlsx,
reload it with `manage.py passport_attributes_load`) and the passport index (read-only: the services keep it).

A partner's batteries live in its own schema and are edited on its pages and through the API, not here.
"""

from django.contrib import admin

from .models import PassportAttribute, PassportIndex


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PassportAttribute)
class PassportAttributeAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "aspect", "access", "behaviour", "granularity", "mandatory_for"]
    list_filter = ["aspect", "access", "behaviour", "granularity"]
    search_fields = ["code", "name", "regulation_reference"]
    ordering = ["number"]


@admin.register(PassportIndex)
class PassportIndexAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "partner", "battery_id", "created_at"]
    list_select_related = ["partner"]
    search_fields = ["identifier"]
    show_full_result_count = False  # a million passports: no COUNT(*) per page
