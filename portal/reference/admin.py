"""Staff admin of the alliance's reference tables (public schema).

The compliance rule tables and the screening list keep every change (django-simple-history: the "History"
button of each row) and import from CSV / XLSX (django-import-export, reading the file through the platform's
upload reader `portal.core.uploads`): the file is checked in full first, every problem is shown by row, and
nothing is written unless every row is valid. Any change, by form, deletion or
import, queues the re-check of open shipments after the commit.
"""

import io

import tablib
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.core.uploads import UploadError, open_table

from .models import (
    CertificateType,
    Embargo,
    ExportLicenceRule,
    ImportDutyRate,
    MarketBloc,
    MarketRequirement,
    OffsetExportWeight,
    OffsetRatio,
    OffsetScheme,
    PriceUndertaking,
    ScreenedParty,
    ScreeningList,
    WmiAssignment,
)
from .services import reference_changed_notify, reference_kind


@admin.register(WmiAssignment)
class WmiAssignmentAdmin(admin.ModelAdmin):
    """The WMI register: which member partner each World Manufacturer Identifier belongs to."""

    list_display = ["wmi", "small_maker_code", "partner", "note", "created_at"]
    list_filter = [("partner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["wmi", "small_maker_code", "partner__name", "partner__schema_name", "note"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    ordering = ["wmi", "small_maker_code"]


# --- CSV / XLSX resources: columns of the import files ------------------------------------------------------


class _Resource(resources.ModelResource):
    """Rows are validated with the model's own rules (full_clean) before anything is written."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False
        use_transactions = True


def _list_field(attribute: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=attribute, widget=widgets.SimpleArrayWidget(separator=";"))


class MarketBlocResource(_Resource):
    countries = _list_field("countries")

    class Meta(_Resource.Meta):
        model = MarketBloc
        import_id_fields = ["code"]
        fields = ["code", "name", "countries"]


class CertificateTypeResource(_Resource):
    class Meta(_Resource.Meta):
        model = CertificateType
        import_id_fields = ["code"]
        fields = ["code", "name", "description", "max_validity_months"]


class MarketRequirementResource(_Resource):
    categories = _list_field("categories")
    certificate_type = fields.Field(
        attribute="certificate_type",
        column_name="certificate_type",
        widget=widgets.ForeignKeyWidget(CertificateType, field="code"),
    )

    class Meta(_Resource.Meta):
        model = MarketRequirement
        fields = [
            "id",
            "market",
            "categories",
            "lithium_only",
            "min_battery_kwh",
            "certificate_type",
            "per_shipment",
            "valid_on",
            "effect",
            "effective_from",
            "effective_until",
            "source_reference",
            "note",
        ]


class EmbargoResource(_Resource):
    class Meta(_Resource.Meta):
        model = Embargo
        fields = ["id", "country", "severity", "effective_from", "effective_until", "source_reference", "note"]


class ExportLicenceRuleResource(_Resource):
    hs_codes = _list_field("hs_codes")
    outside_hs_codes = _list_field("outside_hs_codes")
    model_certificates = _list_field("model_certificates")

    class Meta(_Resource.Meta):
        model = ExportLicenceRule
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "origin",
            "hs_codes",
            "outside_hs_codes",
            "outside_note",
            "model_certificates",
            "used_vehicle_days",
            "after_sales_outlets",
            "effective_from",
            "effective_until",
            "source_reference",
            "note",
        ]


class ScreenedPartyResource(_Resource):
    aliases = _list_field("aliases")

    class Meta(_Resource.Meta):
        model = ScreenedParty
        # owners: JSON in its cell, e.g. [{"name": "…", "share": 30}]
        fields = [
            "id",
            "name",
            "aliases",
            "country",
            "address",
            "list_source",
            "source_id",
            "date_added",
            "listed",
            "owners",
        ]


# --- import files: read by the platform's upload reader ---------------------------------------------------------

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # the whole screening list is a few MB


class _ReaderFormat:
    """An import format whose file is read by `portal.core.uploads` (size and line limits, encodings, separators,
    ZIP-bomb guard, defusedxml) instead of tablib's own parsers; the rows then go to the resource as before."""

    def is_binary(self):
        return True  # bytes: the reader detects the encoding (UTF-8, UTF-16, GBK/GB18030)

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        data = in_stream if isinstance(in_stream, bytes) else in_stream.encode()
        name = f"import.{self.get_extension()}"
        with open_table(io.BytesIO(data), name=name, max_bytes=MAX_IMPORT_BYTES) as table:
            width = len(table.header)
            dataset = tablib.Dataset(headers=table.header)
            for _line, cells in table.rows:
                dataset.append((list(cells) + [""] * width)[:width])
        return dataset


class ReaderCSV(_ReaderFormat, CSV):
    """CSV in any encoding and separator the upload reader knows."""


class ReaderXLSX(_ReaderFormat, XLSX):
    """XLSX, checked for decompression and XML bombs before it is opened."""


class ReferenceImportForm(ImportForm):
    """The admin's import form: an oversized file is refused before it is stored anywhere."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload


# --- admins ---------------------------------------------------------------------------------------------------


class ReferenceAdmin(ImportExportMixin, SimpleHistoryAdmin):
    """History and CSV / XLSX import-export; every change queues the re-check of open shipments."""

    import_formats = [ReaderCSV, ReaderXLSX]
    export_formats = [CSV, XLSX]
    import_form_class = ReferenceImportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UploadError):
            form.add_error("import_file", str(e))  # the reader's own words: what is wrong with the file
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def _changed(self, request, *, change: str, target=None, **details):
        kind = reference_kind(self.model)
        if kind:
            reference_changed_notify(kind=kind)
        audit_record(
            action=AuditAction.COMPLIANCE_RULE_CHANGED,
            actor=request.user,
            partner=None,
            target=target,
            details={"table": self.model._meta.model_name, "change": change, **details},
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._changed(request, change="changed" if change else "added", target=obj, fields=list(form.changed_data))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._changed(request, change="deleted", target=obj)

    def delete_queryset(self, request, queryset):
        # One by one, so that each deletion is kept in the history (a bulk delete sends no signals).
        count = 0
        for obj in queryset:
            obj.delete()
            count += 1
        self._changed(request, change="deleted", rows=count)

    def process_result(self, result, request):
        response = super().process_result(result, request)
        self._changed(request, change="imported", rows=result.total_rows)
        return response


@admin.register(MarketBloc)
class MarketBlocAdmin(ReferenceAdmin):
    resource_classes = [MarketBlocResource]
    list_display = ["code", "name", "country_count"]
    search_fields = ["code", "name"]

    @admin.display(description=_("countries"))
    def country_count(self, obj):
        return len(obj.countries)


@admin.register(CertificateType)
class CertificateTypeAdmin(ReferenceAdmin):
    resource_classes = [CertificateTypeResource]
    list_display = ["code", "name", "max_validity_months"]
    search_fields = ["code", "name", "description"]


@admin.register(MarketRequirement)
class MarketRequirementAdmin(ReferenceAdmin):
    resource_classes = [MarketRequirementResource]
    list_display = [
        "market",
        "category_list",
        "certificate_type",
        "min_battery_kwh",
        "lithium_only",
        "per_shipment",
        "valid_on",
        "effect",
        "effective_from",
        "effective_until",
        "source_reference",
    ]
    list_filter = ["market", "certificate_type", "lithium_only", "effect"]
    search_fields = ["market", "source_reference", "note", "certificate_type__code", "certificate_type__name"]
    list_select_related = ["certificate_type"]
    date_hierarchy = "effective_from"

    @admin.display(description=_("vehicle categories"))
    def category_list(self, obj):
        return ", ".join(obj.categories) or _("all")


@admin.register(Embargo)
class EmbargoAdmin(ReferenceAdmin):
    resource_classes = [EmbargoResource]
    list_display = ["country", "severity", "effective_from", "effective_until", "source_reference"]
    list_filter = ["severity"]
    search_fields = ["country", "source_reference", "note"]


@admin.register(ExportLicenceRule)
class ExportLicenceRuleAdmin(ReferenceAdmin):
    resource_classes = [ExportLicenceRuleResource]
    list_display = ["code", "origin", "name", "effective_from", "effective_until", "source_reference"]
    list_filter = ["origin"]
    search_fields = ["code", "name", "source_reference", "note"]


@admin.register(ScreenedParty)
class ScreenedPartyAdmin(ReferenceAdmin):
    resource_classes = [ScreenedPartyResource]
    list_display = ["name", "country", "list_source", "source_id", "listed", "date_added"]
    list_filter = ["list_source", "listed", "country"]
    search_fields = ["name", "address", "source_id"]
    date_hierarchy = "date_added"


@admin.register(ScreeningList)
class ScreeningListAdmin(ReferenceAdmin):
    list_display = ["name", "publisher", "source_url", "updated_on", "refresh_days"]
    search_fields = ["name", "publisher", "source_url"]


class ImportDutyRateResource(_Resource):
    class Meta(_Resource.Meta):
        model = ImportDutyRate
        fields = [
            "id",
            "market",
            "origin",
            "hs_code",
            "kind",
            "producer",
            "taric_additional_code",
            "rate",
            "needs_invoice_declaration",
            "effective_from",
            "effective_until",
            "source_reference",
            "note",
        ]


class PriceUndertakingResource(_Resource):
    class Meta(_Resource.Meta):
        model = PriceUndertaking
        fields = [
            "id",
            "market",
            "producer",
            "model",
            "configuration",
            "minimum_price",
            "annual_cap",
            "effective_from",
            "effective_until",
            "source_reference",
            "note",
        ]


@admin.register(ImportDutyRate)
class ImportDutyRateAdmin(ReferenceAdmin):
    resource_classes = [ImportDutyRateResource]
    list_display = ["market", "hs_code", "kind", "producer", "taric_additional_code", "rate", "effective_from"]
    list_filter = ["market", "kind"]
    search_fields = ["producer", "taric_additional_code", "source_reference", "note"]


@admin.register(PriceUndertaking)
class PriceUndertakingAdmin(ReferenceAdmin):
    resource_classes = [PriceUndertakingResource]
    list_display = ["producer", "model", "configuration", "minimum_price", "annual_cap", "effective_from"]
    search_fields = ["producer", "model", "configuration", "source_reference"]


class OffsetRatioInline(admin.TabularInline):
    model = OffsetRatio
    extra = 0
    fields = ["deadline", "ratio", "effective_from", "effective_until", "source_reference", "note"]


class OffsetExportWeightInline(admin.TabularInline):
    model = OffsetExportWeight
    extra = 0
    fields = ["weight", "effective_from", "effective_until", "source_reference", "note"]


@admin.register(OffsetScheme)
class OffsetSchemeAdmin(ReferenceAdmin):
    """Local-production offset schemes (Thailand EV 3.5) with their ratios and export weights."""

    list_display = ["code", "name", "country", "imports_from", "imports_until", "production_from"]
    search_fields = ["code", "name", "source_reference"]
    inlines = [OffsetRatioInline, OffsetExportWeightInline]


@admin.register(OffsetRatio)
class OffsetRatioAdmin(ReferenceAdmin):
    list_display = ["scheme", "deadline", "ratio", "effective_from", "effective_until"]
    list_filter = ["scheme"]
    search_fields = ["source_reference", "note"]


@admin.register(OffsetExportWeight)
class OffsetExportWeightAdmin(ReferenceAdmin):
    list_display = ["scheme", "weight", "effective_from", "effective_until"]
    list_filter = ["scheme"]
    search_fields = ["source_reference", "note"]
