"""Signals of the tenancy app, for apps that react to partners changing (e.g. the audit trail)."""

from django.dispatch import Signal

# Sent with `partner=` after the change is written.
partner_deactivated = Signal()
partner_reactivated = Signal()

# Sent after a team changed, with `partner=`, `event=` (tenants.choices.TeamEvent), `email=` (whom it concerns),
# `actor=` (who did it, or None) and `details=` (dict). The audit trail records rows itself (model signals); this is
# for apps that tell people about it, such as an inbox.
team_changed = Signal()
