"""Signals of the tenancy app, for apps that react to partners changing (e.g. the audit trail)."""

from django.dispatch import Signal

# Sent with `partner=` after the change is written.
partner_deactivated = Signal()
partner_reactivated = Signal()
