"""URL kwargs of battery passport objects that belong to the victim partner (for tests/test_isolation.py)."""

from django_tenants.utils import schema_context

from portal.vehicles.choices import ImportStatus
from portal.vehicles.models import ImportJob, ImportRejection
from tests.vehicles.import_samples import job_make

from .factories import battery_make, model_make


def _identifier(partner) -> dict:
    return {"identifier": battery_make(partner).identifier}


def _model_pk(partner) -> dict:
    return {"pk": model_make(partner).pk}


def _passport_link(partner) -> dict:
    import datetime as dt

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from portal.batteries.models import PassportLink

    battery = battery_make(partner)
    with schema_context(partner.schema_name):
        link = PassportLink.objects.create(
            link_id=f"L{battery.pk}x{partner.pk}",
            battery=battery,
            group="authority",
            issued_to="sample",
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
    return {"identifier": battery.identifier, "link_id": link.link_id}


SAMPLES = {
    "batteries:battery_detail": _identifier,
    "batteries:battery_update": _identifier,
    "batteries:battery_history": _identifier,
    "batteries:battery_fit": _identifier,
    "batteries:battery_reading": _identifier,
    "batteries:model_update": _model_pk,
    "v1:battery-detail": _identifier,
    "v1:battery-fit": _identifier,
    "v1:battery-readings": _identifier,
    "v1:battery-model-detail": _model_pk,
    # passport tools (QR codes, signed links) and the public passport page
    "passport_tools:qr_svg": _identifier,
    "passport_tools:qr_png": _identifier,
    "passport_tools:link": _identifier,
    "passport:passport": _identifier,
    "passport_tools:link_revoke": _passport_link,
}


def _battery_job(partner, **fields) -> dict:
    """A finished battery import of the victim with one rejected row (no file on disk)."""
    with schema_context(partner.schema_name):
        job = ImportJob.objects.create(
            original_name="victim-batteries.csv",
            kind="batteries",
            file="vehicle-imports/victim.bin",
            status=ImportStatus.FAILED,
            rows_rejected=1,
            **fields,
        )
        ImportRejection.objects.create(job=job, line=2, column="identifier", value="VICTIM-ID", reason="victim")
    return {"pk": job.pk}


def _battery_dry_run(partner) -> dict:
    """A finished battery dry run with its file stored: importing it would add a job (which the matrix would see)."""
    job = job_make(partner, b"identifier,model\r\n", name="victim-dry-run.csv", dry_run=True, kind="batteries")
    with schema_context(partner.schema_name):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.SUCCEEDED, rows_valid=1, rows_processed=1)
    return {"pk": job.pk}


# The battery import: its templates (the kind is the only parameter) and its API routes.
SAMPLES.update(
    {
        "battery_imports:template_csv": lambda partner: {"kind": "batteries"},
        "battery_imports:template_xlsx": lambda partner: {"kind": "battery_readings"},
        "v1:battery-import-detail": _battery_job,
        "v1:battery-import-errors": _battery_job,
        "v1:battery-import-errors-csv": _battery_job,
        "v1:battery-import-warnings": _battery_job,
        "v1:battery-import-commit": _battery_dry_run,
    }
)


def _plant(partner) -> list[str]:
    """A battery model and battery whose non-public texts only the partner's members may ever see."""
    slug = partner.schema_name
    model = model_make(
        partner,
        code=f"SECRET-{slug}-pack",
        values={"materials_used_in_cathode_anode_and_electrolyte": f"SECRET-{slug}-cathode"},
        complete=False,
    )
    battery = battery_make(partner, battery_model=model, complete=False)
    return [model.code, f"SECRET-{slug}-cathode", battery.identifier]


PLANTS = [_plant]

# The import templates are empty tables (column names only): the same for every partner by design.
SHARED = {
    "battery_imports:template_csv": {"get"},
    "battery_imports:template_xlsx": {"get"},
}
