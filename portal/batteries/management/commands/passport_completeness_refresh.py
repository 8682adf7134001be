"""Recompute every battery's stored passport completeness, in every active partner's schema (safe to rerun)."""

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from portal.batteries.services import completeness_refresh_all
from tenants.models import Partner


class Command(BaseCommand):
    help = "Recompute Battery.complete in every partner schema (after the attribute list was reloaded)."

    def add_arguments(self, parser):
        parser.add_argument("--partner", help="only this partner's slug")

    def handle(self, *args, partner=None, **options):
        partners = Partner.objects.filter(is_active=True).exclude(schema_name__in=["public", "partner_template"])
        if partner:
            partners = partners.filter(schema_name=partner.replace("-", "_"))
        for row in partners.order_by("schema_name"):
            with schema_context(row.schema_name):
                changed = completeness_refresh_all()
            self.stdout.write(f"{row.slug}: {changed} batteries changed")
