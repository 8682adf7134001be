"""Dashboards of industry statistics: staff see every cell on the public host, partners the disclosed cells and
their own figures on their subdomain. Pages read only the precomputed tables."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.core.forms import style_widgets
from portal.core.replicas import reads_may_lag
from portal.core.roles import staff_or_role, staff_required
from portal.core.spreadsheets import table_csv_response, table_xlsx_response
from tenants.choices import Role

from . import pipeline, selectors
from .choices import Breakdown, RunKind
from .forms import selection_from
from .measures import MEASURES

ROWS_PER_PAGE = 100


def _is_staff_view(request) -> bool:
    return bool(request.tenant.is_public)


def _table(request):
    form, selection = selection_from(request.GET)
    staff = _is_staff_view(request)
    partner = None if staff else request.tenant
    return form, selectors.table_get(selection=selection, staff=staff, partner=partner)


@reads_may_lag
@require_GET
@staff_or_role(Role.VIEWER)
def dashboard(request):
    """Charts and tables of one measure, the alliance targets, policies and risk warnings."""
    form, table = _table(request)
    style_widgets(form, small=True)
    staff = table.staff
    partner = None if staff else request.tenant
    rows = table.rows()
    rows.reverse()  # newest month first
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    measure = table.selection.measure
    context = {
        "form": form,
        "table": table,
        "measure": measure,
        "breakdown_label": Breakdown(table.selection.breakdown).label,
        "breakdowns": {code: list(m.breakdowns) for code, m in MEASURES.items()},
        "page": page,
        "query": query.urlencode(),
        "chart": table.chart(),
        "coarser": selectors.coarser_view(table=table),
        "staff": staff,
        "targets": selectors.target_progress(staff=staff),
        "policies": selectors.policy_effects(partner=partner, staff=staff),
        "warnings": selectors.warning_list(partner=partner)[:50],
        "funnel": selectors.funnel_rows(partner=None, staff=staff),
        "own_funnel": selectors.funnel_rows(partner=partner, staff=False) if partner else None,
        "runs": selectors.run_list()[:5] if staff else [],
        "last_run": selectors.run_list().filter(status="finished").first(),
    }
    return render(request, "insights/dashboard.html", context)


def _export_rows(table):
    for row in reversed(table.rows()):
        period = selectors.period_code(row["period"], table.selection.grain)
        line = [period, row["key"], row["label"], row["value"], "yes" if row["suppressed"] else ""]
        if table.staff:
            line += [row.get("contributors"), row.get("top_share"), row["status"]]
        else:
            line.append(row["own"])
        yield line


@reads_may_lag
@require_GET
@staff_or_role(Role.VIEWER)
def export(request, fmt: str):
    """The dashboard's table as CSV or XLSX, with the same disclosure as the page."""
    _form, table = _table(request)
    headers = [table.selection.grain, "key", "label", "alliance_value", "suppressed"]
    headers += ["contributors", "top_share", "status"] if table.staff else ["own_value"]
    name = f"statistics-{table.selection.measure.code}-{table.selection.breakdown}"
    respond = table_csv_response if fmt == "csv" else table_xlsx_response
    return respond(headers=headers, rows=_export_rows(table), name=name)


@reads_may_lag
@require_GET
@staff_required
def run_list_view(request):
    """Every run of the pipeline: when, how far, what it wrote and what failed."""
    page = Paginator(selectors.run_list(), 50).get_page(request.GET.get("page"))
    return render(request, "insights/run_list.html", {"page": page, "kinds": RunKind.choices})


@require_POST
@staff_required
def run_start_view(request):
    """Start a run now (the worker does it; the list shows its progress)."""
    kind = request.POST.get("kind", RunKind.INCREMENTAL)
    if kind not in RunKind.values:
        messages.error(request, _("Unknown kind of run."))
        return redirect("insights:runs")
    run = pipeline.run_start(kind=kind, by=request.user)
    messages.success(
        request, _("Run #%(id)s started: %(n)s partners to compute.") % {"id": run.pk, "n": run.partners_total}
    )
    return redirect("insights:runs")
