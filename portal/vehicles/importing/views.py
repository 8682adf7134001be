"""Import pages: upload, list of past imports, job page with htmx progress, rejected rows and their CSV.

The same views serve every kind of import: a URL conf names the kind (`kind=` in its extra arguments) and the
targets registry (`targets.py`) says what its pages show — the vehicles' at /vehicles/imports/, the batteries' and
their readings' at /batteries/imports/. A job's page is one for every kind.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.forms import apply_errors
from portal.core.roles import has_role, role_required
from portal.core.spreadsheets import table_csv_response, table_xlsx_response
from tenants.choices import Role

from ..choices import ImportMode, ImportStatus
from .forms import ImportUploadForm
from .selectors import (
    import_job_commit_of,
    import_job_get,
    import_job_is_stale,
    import_job_list,
    import_job_progress,
    import_rejection_list,
    import_rejections_csv,
    import_warning_list,
)
from .services import import_job_commit, import_job_create
from .targets import import_page_targets, import_target

PAGE_SIZE = 50
WARNINGS_SHOWN = 100


def _job_or_404(pk):
    job = import_job_get(job_id=pk)
    if job is None:
        raise Http404(_("No such import."))
    return job


@require_GET
@role_required(Role.VIEWER)
def import_list(request, *, kind: str):
    """Past imports of this partner of the kinds that share `kind`'s page, newest first."""
    targets = import_page_targets(kind)
    page = Paginator(import_job_list(kinds=tuple(t.kind for t in targets)), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "import_page": targets[0].page,
        "several_kinds": len(targets) > 1,
        "can_upload": has_role(request, Role.MEMBER),
    }
    return render(request, "vehicles/import_list.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def import_create(request, *, kind: str):
    """Upload a file: it is checked at once (kind, encoding, header), then imported by a worker."""
    targets = import_page_targets(kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(user=request.user, upload=form.cleaned_data["file"], **form.job_options())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(import_target(job.kind).detail_url, pk=job.pk)
    context = {
        "form": form,
        "import_page": targets[0].page,
        "targets": [(t, t.template_url("xlsx"), t.template_url("csv")) for t in targets],
    }
    return render(request, "vehicles/import_form.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(Role.VIEWER)
def import_detail(request, pk):
    """The job: progress while it runs, then what happened (imported, refused, would be), its errors and warnings;
    a finished dry run offers to import the same file without uploading it again."""
    job = _job_or_404(pk)
    page = Paginator(import_rejection_list(job=job), PAGE_SIZE).get_page(request.GET.get("page"))
    committed = import_job_commit_of(job=job) if job.dry_run else None
    context = {
        "job": job,
        "target": import_target(job.kind),
        "page": page,
        "warnings": import_warning_list(job=job)[:WARNINGS_SHOWN] if job.rows_warned else [],
        "progress": import_job_progress(job),
        "running": _running(job),
        "stale": import_job_is_stale(job),
        "committed": committed,
        "can_commit": (
            job.dry_run
            and job.status == ImportStatus.SUCCEEDED
            and job.rows_valid > 0
            and (committed is None or committed.status == ImportStatus.FAILED)
            and has_role(request, Role.MEMBER)
        ),
        "valid_rows_mode": ImportMode.VALID_ROWS,
    }
    return render(request, "vehicles/import_detail.html", context)


@require_POST
@role_required(Role.MEMBER)
def import_commit(request, pk):
    """Import the file a dry run checked (stored with it): no second upload; a new run, linked to the dry run."""
    job = _job_or_404(pk)
    mode = request.POST.get("mode") or None
    try:
        run = import_job_commit(user=request.user, dry_run_job=job, mode=mode)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("vehicles:import_detail", pk=job.pk)
    return redirect("vehicles:import_detail", pk=run.pk)


@require_GET
@role_required(Role.VIEWER)
def import_template(request, *, kind: str, file_format: str, page_of: str | None = None):
    """An empty file to fill in: the columns named in the reader's language (the import accepts every language).

    `page_of`: the kind's page when the kind comes from the URL; a kind of another page is not found there."""
    try:
        target = import_target(kind)
    except KeyError:
        raise Http404() from None
    if page_of is not None and target not in import_page_targets(page_of):
        raise Http404()
    respond = table_xlsx_response if file_format == "xlsx" else table_csv_response
    return respond(headers=target.template_header(), rows=[], name=target.template_name)


def _running(job) -> bool:
    return job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


@require_GET
@role_required(Role.VIEWER)
def import_progress(request, pk):
    """The progress fragment the job page polls (htmx); reloads the page once the job has finished."""
    job = _job_or_404(pk)
    running = _running(job)
    response = render(
        request,
        "vehicles/_import_progress.html",
        {"job": job, "progress": import_job_progress(job), "running": running, "stale": import_job_is_stale(job)},
    )
    if not running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_GET
@role_required(Role.VIEWER)
def import_errors_csv(request, pk):
    """Every rejected row as CSV (streamed; cells that look like formulas are neutralised)."""
    job = _job_or_404(pk)
    response = StreamingHttpResponse(import_rejections_csv(job=job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
    return response
