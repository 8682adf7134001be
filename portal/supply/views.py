"""Pages of supply reports: the months reported, a form for one month, and a CSV upload."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.core.forms import apply_errors
from portal.core.roles import has_role, role_check, role_required
from tenants.choices import Role

from . import selectors, services
from .forms import SupplyFileForm, SupplyReportForm
from .models import SupplyReport


@require_http_methods(["GET", "POST"])
def supply_list(request):
    """The months reported with their local supply rate; members add or correct a month, or upload a file."""
    can_write = has_role(request, Role.MEMBER)
    form, upload = SupplyReportForm(), SupplyFileForm()
    if request.method == "POST":
        role_check(request, Role.MEMBER)
        if "file" in request.FILES:
            upload = SupplyFileForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    saved = services.supply_reports_import(file=upload.cleaned_data["file"], by=request.user)
                except ValidationError as error:
                    upload.add_error("file", error.messages)
                else:
                    messages.success(request, _("%(n)s months saved from the file.") % {"n": len(saved)})
                    return redirect("supply:list")
        else:
            form = SupplyReportForm(request.POST)
            if form.is_valid():
                try:
                    report = services.supply_report_save(**form.cleaned_data, by=request.user)
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(request, _("%(month)s saved.") % {"month": f"{report.month:%Y-%m}"})
                    return redirect("supply:list")
    reports = selectors.supply_report_list()[:120]
    context = {"reports": reports, "form": form, "upload": upload, "can_write": can_write}
    return render(request, "supply/supply_list.html", context, status=400 if form.errors or upload.errors else 200)


@require_POST
@role_required(Role.MEMBER)
def supply_delete(request, pk: int):
    """Remove one month's report."""
    report = get_object_or_404(SupplyReport, pk=pk)
    services.supply_report_delete(report=report)
    messages.success(request, _("%(month)s removed.") % {"month": f"{report.month:%Y-%m}"})
    return redirect("supply:list")
