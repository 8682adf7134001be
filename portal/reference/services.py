"""Writes of the reference tables that need more than a model save: telling the apps that depend on them."""

from django.db import transaction

from .models import (
    CertificateType,
    Embargo,
    ExportLicenceRule,
    ImportDutyRate,
    MarketBloc,
    MarketRequirement,
    PriceUndertaking,
    ScreenedParty,
)
from .signals import reference_changed

KIND_RULES = "rules"
KIND_SCREENING = "screening"
RULE_MODELS = (
    MarketBloc,
    CertificateType,
    MarketRequirement,
    Embargo,
    ExportLicenceRule,
    ImportDutyRate,
    PriceUndertaking,
)


def reference_kind(model) -> str | None:
    """Which kind of reference data a model holds ("rules", "screening"), or None."""
    if model is ScreenedParty:
        return KIND_SCREENING
    return KIND_RULES if model in RULE_MODELS else None


def reference_changed_notify(*, kind: str) -> None:
    """After the commit, tell the dependent apps (compliance re-checks open shipments) that `kind` changed."""
    transaction.on_commit(lambda: reference_changed.send(sender=None, kind=kind))


def screened_party_create(*, name: str, list_source: str, aliases=(), country: str = "", address: str = "", **fields):
    """Add an entry to the screening list (its matching keys are computed on save)."""
    party = ScreenedParty(
        name=name.strip(), list_source=list_source, aliases=list(aliases), country=country, address=address, **fields
    )
    party.full_clean()
    party.save()
    reference_changed_notify(kind=KIND_SCREENING)
    return party
