"""What one kind of import brings to the streaming pipeline: its columns, its row checks and how its rows are written.

The pipeline (`pipeline.py`: stream the file, COPY checked rows into a per-job staging table, duplicates and
rejections in SQL, one upsert transaction, progress, heartbeat, dry run, recovery) is the same for every kind;
an `ImportTarget` supplies the rest. The registry's own kind is `vehicles` (`vehicle_target.py`); another domain
registers its kinds from its `AppConfig.ready()` with `import_target_register` (the battery passports register
batteries and their readings), so the registry never imports the domains above it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise

VEHICLES = "vehicles"


@dataclass(frozen=True)
class ImportPage:
    """The list and upload pages a family of kinds shares (`ImportTarget.page`): the vehicles have theirs, the
    batteries and their readings share one. The pages themselves are the pipeline's (`views.py`, the templates
    `vehicles/import_list.html` and `vehicles/import_form.html`); this says what differs.

    - `title` / `list_title`: the upload page's and the list page's headings;
    - `list_url` / `create_url`: the URL names of the two pages (a job's page is `ImportTarget.detail_url`);
    - `rules`: what the upload page says of rows already in the registry;
    - `market`: the market of every job uploaded here; None: the form asks for it (VIN rules depend on it).
    """

    title: str | Promise
    list_title: str | Promise
    list_url: str
    create_url: str
    rules: str | Promise
    market: str | None = None


@dataclass(frozen=True)
class ImportTarget:
    """One kind of import (`ImportJob.kind`).

    - `stage_ddl`: the kind's columns of the staging table (besides `line` and the problem arrays);
    - `stage_columns`: the COPY columns, in the order `checker(...).check(line, cells)` returns them (the problem
      arrays included, as in `rows.STAGE_COLUMNS`);
    - `duplicate_key` / `duplicate_column`: the SQL expression over the staging row that must be unique in a file,
      and the column a duplicate is reported under; `duplicate_message` has a `%(line)s`;
    - `match_header(cells)` → field → column index (raises `UploadError`);
    - `checker(job=, columns=, partner_id=)` → an object whose `check(line, cells)` gives the staging tuple;
    - `counts(cursor, stage)` → (to create, to update, unchanged) for a dry run;
    - `upsert(job, stage)` → (created, updated, unchanged), inside the pipeline's transaction;
    - `sql_checks(cursor, stage, job)`: checks that need the database (references by key to rows of the partner's
      tables, identifiers another partner holds), run in SQL over the whole staging table before duplicates are
      looked for; they add errors to rows with `stage_error_add`;
    - `analyze`: tables to ANALYZE after a large import;
    - `detail_url`: the URL name of the job page (the uploader's notice links it); `api_detail_url`: the URL name
      of the job's API resource (the `import.finished` webhook links both);
    - `page`: the list and upload pages of the kind (`ImportPage`, shared by the kinds of one family);
      `job_label`: what the job page calls a job of this kind ("Battery import"); `columns_help`: (term, text)
      pairs the upload page shows under "Columns"; `template_url(file_format)`: the URL of the kind's empty
      template ("csv" or "xlsx"), `template_name` its file name.
    """

    kind: str
    label: str | Promise
    empty_message: str | Promise
    stage_ddl: str
    stage_columns: tuple[str, ...]
    duplicate_key: str
    duplicate_column: str
    duplicate_message: str | Promise
    match_header: Callable
    checker: Callable
    counts: Callable
    upsert: Callable
    template_header: Callable
    sql_checks: Callable | None = None
    analyze: tuple[str, ...] = ()
    detail_url: str = "vehicles:import_detail"
    api_detail_url: str = "v1:vehicle-import-detail"
    page: ImportPage | None = None
    job_label: str | Promise = ""
    columns_help: tuple[tuple[str | Promise, str | Promise], ...] = ()
    template_url: Callable[[str], str] | None = None
    template_name: str = "import-template"
    extra: dict = field(default_factory=dict)


_TARGETS: dict[str, ImportTarget] = {}


def import_target_register(target: ImportTarget) -> None:
    """Make a kind of import known (idempotent: a second registration of the same kind replaces the first)."""
    _TARGETS[target.kind] = target


def import_target(kind: str) -> ImportTarget:
    """The target of a kind; the vehicles' is loaded on first use. KeyError for an unknown kind."""
    if VEHICLES not in _TARGETS:
        from . import vehicle_target  # noqa: F401  (registers itself)
    return _TARGETS[kind]


def import_kinds() -> list[str]:
    import_target(VEHICLES)
    return list(_TARGETS)


def import_page_targets(kind: str) -> list[ImportTarget]:
    """The targets whose jobs share the pages of `kind`'s (its family, in the order they were registered)."""
    page = import_target(kind).page
    return [target for target in _TARGETS.values() if target.page == page]
