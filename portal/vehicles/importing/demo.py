"""Demo imports for the Chongqing maker: a GBK file from its ERP (Chinese headers), a dry run waiting to be imported,
and a file for the EU whose VINs carry "Z" in the check-digit position (warnings, imported all the same); idempotent."""

from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import schema_context

from tenants.models import User

from ..choices import ImportMode
from ..models import ImportJob, VehicleModel
from ..vin import check_digit
from .pipeline import import_run

PARTNER = "cq-thunder"
WMI = "LCT"
FILES = [
    # (file name, market, mode, dry run, first serial)
    ("erp-export-2025-05.csv", "CN", ImportMode.VALID_ROWS, False, 1),
    ("erp-export-2025-06.csv", "CN", ImportMode.ALL_OR_NOTHING, True, 41),
    ("eu-assembly-2025-07.csv", "EU", ImportMode.VALID_ROWS, False, 201),
]


def _vin(serial: int, *, eu: bool = False) -> str:
    body = f"{WMI}T5S1A0SC{serial:06d}"  # position 10 'S' = 2025, plant letter C (the Bishan line)
    # EU makers often write Z where the check digit goes: allowed there, so a warning, not an error.
    return body[:8] + ("Z" if eu else check_digit(body)) + body[9:]


def _content(model: str, first: int, *, eu: bool = False) -> bytes:
    lines = ["车架号,车型,生产日期,工厂,状态"]
    for serial in range(first, first + 40):
        lines.append(f"{_vin(serial, eu=eu)},{model},2025/05/{1 + serial % 28:02d},璧山工厂,已生产")
    lines.append(f"{_vin(first + 90, eu=eu)},雷霆 X9,2025/05/03,璧山工厂,")  # unknown model
    lines.append(f"{_vin(first + 91, eu=eu)},{model},2025/02/30,璧山工厂,")  # no such date
    lines.append(f"{_vin(first, eu=eu)},{model},2025/05/04,璧山工厂,")  # same VIN again
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def seed(*, partners: dict, stdout) -> None:
    partner = partners.get(PARTNER)
    if partner is None:
        return
    user = User.objects.filter(memberships__partner=partner, memberships__role="member").first()
    with schema_context(partner.schema_name):
        connection.set_tenant(partner)
        model = VehicleModel.objects.order_by("name").first()
        if model is None:
            stdout.write(f"  {PARTNER}: no vehicle model, no demo import")
            return
        for name, market, mode, dry_run, first in FILES:
            if ImportJob.objects.filter(original_name=name).exists():
                continue
            content = _content(model.name, first, eu=market == "EU")
            job = ImportJob(
                original_name=name, size_bytes=len(content), market=market, mode=mode, dry_run=dry_run, created_by=user
            )
            job.file.save(f"{job.pk.hex}.bin", ContentFile(content), save=False)
            job.save()
            job = import_run(job_id=job.pk, partner_id=partner.pk)
            stdout.write(
                f"  {PARTNER}: import {name}: {job.status}, {job.rows_created} created, {job.rows_rejected} rejected, "
                f"{job.rows_warned} with warnings"
            )
    connection.set_schema_to_public()
