"""Battery import pages: upload, past battery imports, the templates. A job's own page is the import pipeline's
(`vehicles:import_detail`): progress, outcome, rejected rows and their CSV, commit of a dry run."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.forms import apply_errors
from portal.core.roles import has_role, role_required
from portal.core.spreadsheets import table_csv_response, table_xlsx_response
from portal.vehicles.importing.selectors import import_job_list
from portal.vehicles.importing.services import import_job_create
from portal.vehicles.importing.targets import import_target
from tenants.choices import Role

from .forms import BatteryImportForm
from .targets import KINDS

PAGE_SIZE = 50


@require_GET
@role_required(Role.VIEWER)
def battery_import_list(request):
    """Past battery and reading imports of this partner, newest first."""
    page = Paginator(import_job_list(kinds=KINDS), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "batteries/import_list.html", {"page": page, "can_upload": has_role(request, Role.MEMBER)})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def battery_import_create(request):
    """Upload a file of batteries or readings: checked at once (kind, encoding, header), imported by a worker."""
    form = BatteryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_create(
                user=request.user,
                upload=data["file"],
                market="EU",
                mode=data["mode"],
                dry_run=data["dry_run"],
                kind=data["kind"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("vehicles:import_detail", pk=job.pk)
    return render(request, "batteries/import_form.html", {"form": form}, status=400 if form.errors else 200)


def _template_header(kind: str) -> list[str]:
    if kind not in KINDS:
        raise Http404()
    return import_target(kind).template_header()


@require_GET
@role_required(Role.VIEWER)
def battery_import_template_csv(request, kind: str):
    """An empty file to fill in: the columns named in the reader's language (every language is read back)."""
    return table_csv_response(headers=_template_header(kind), rows=[], name=f"{kind.replace('_', '-')}-template")


@require_GET
@role_required(Role.VIEWER)
def battery_import_template_xlsx(request, kind: str):
    """The same template as XLSX."""
    return table_xlsx_response(headers=_template_header(kind), rows=[], name=f"{kind.replace('_', '-')}-template")
