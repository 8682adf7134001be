"""The audit trail in the admin: read-only for staff (events are evidence: nobody edits or deletes them)."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor_label", "partner", "target_label", "ip_address", "request_id"]
    list_filter = ["action", "partner"]
    search_fields = ["actor_label", "request_id", "target_label"]
    list_select_related = ["partner"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
