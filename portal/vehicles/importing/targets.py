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
    - `detail_url`: the URL name of the job page (the uploader's notice links it).
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
