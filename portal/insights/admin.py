"""Admin of industry statistics: staff set targets, tune risk rules, enter policy dates and follow the runs."""

from django.contrib import admin

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record

from .models import Cell, PolicyEvent, RiskRule, RiskWarning, Run, Target


class AuditedAdmin(admin.ModelAdmin):
    """Settings staff keep: every change goes to the audit trail (who, what, which fields)."""

    def _changed(self, request, obj, change: str, **details):
        audit_record(
            action=AuditAction.STATISTICS_SETTING_CHANGED,
            actor=request.user,
            partner=None,
            target=obj,
            details={"table": self.model._meta.model_name, "change": change, **details},
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._changed(request, obj, "changed" if change else "added", fields=list(form.changed_data))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._changed(request, obj, "deleted")


@admin.register(Target)
class TargetAdmin(AuditedAdmin):
    list_display = ["metric", "value", "year", "note"]
    list_editable = ["value", "year"]


@admin.register(RiskRule)
class RiskRuleAdmin(AuditedAdmin):
    list_display = ["kind", "threshold", "enabled", "help"]
    list_editable = ["threshold", "enabled"]


@admin.register(PolicyEvent)
class PolicyEventAdmin(AuditedAdmin):
    list_display = ["name", "date"]
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the pipeline only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "started_at", "finished_at", "partners_done", "partners_total"]
    list_filter = ["kind", "status"]


@admin.register(RiskWarning)
class RiskWarningAdmin(ReadOnlyAdmin):
    list_display = ["kind", "partner", "period", "subject", "value", "threshold"]
    list_filter = ["kind"]
    list_select_related = ["partner"]


@admin.register(Cell)
class CellAdmin(ReadOnlyAdmin):
    list_display = ["measure", "breakdown", "period", "key", "value", "contributors", "top_share", "status"]
    list_filter = ["measure", "breakdown", "status"]
    date_hierarchy = "period"
