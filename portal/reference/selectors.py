"""Reads of the rule tables and the screening list: as they are now, or as they were at a stored version."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field, replace

from django.db.models import QuerySet

from .models import (
    MARKET_ALL,
    CertificateType,
    Embargo,
    ExportLicenceRule,
    ImportDutyRate,
    MarketBloc,
    MarketRequirement,
    PriceUndertaking,
    ScreenedParty,
)
from .versions import RULE_TABLES, reference_versions, rules_version


@dataclass
class RuleSet:
    """The rule tables a check uses, with the versions they are at."""

    versions: dict[str, int]
    blocs: list[MarketBloc]
    certificate_types: dict[int, CertificateType]
    requirements: list[MarketRequirement]
    embargoes: list[Embargo]
    export_licence_rules: list[ExportLicenceRule] = field(default_factory=list)
    import_duty_rates: list[ImportDutyRate] = field(default_factory=list)
    price_undertakings: list[PriceUndertaking] = field(default_factory=list)
    _markets: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def rules_version(self) -> int:
        return rules_version(self.versions)

    def markets_of(self, country: str) -> list[str]:
        """The market codes a destination country falls under: itself, its blocs, and every market (*)."""
        if country not in self._markets:
            blocs = [bloc.code for bloc in self.blocs if country in bloc.countries]
            self._markets[country] = [country, *blocs, MARKET_ALL]
        return self._markets[country]

    def requirements_for(self, country: str) -> list[MarketRequirement]:
        """Every rule of the destination's markets, whatever its dates (the check decides what is in force)."""
        markets = set(self.markets_of(country))
        return [rule for rule in self.requirements if rule.market in markets]

    def embargoes_for(self, country: str, *, on: datetime.date) -> list[Embargo]:
        """Embargoes on the country in force on the day."""
        return [embargo for embargo in self.embargoes if embargo.country == country and embargo.in_force_on(on)]


def _rule_set_read(versions: dict[str, int]) -> RuleSet:
    types = {item.pk: item for item in CertificateType.objects.all()}
    requirements = list(MarketRequirement.objects.all())
    for rule in requirements:
        rule.certificate_type = types[rule.certificate_type_id]
    return RuleSet(
        versions=versions,
        blocs=list(MarketBloc.objects.all()),
        certificate_types=types,
        requirements=requirements,
        embargoes=list(Embargo.objects.all()),
        export_licence_rules=list(ExportLicenceRule.objects.all()),
        import_duty_rates=list(ImportDutyRate.objects.all()),
        price_undertakings=list(PriceUndertaking.objects.all()),
    )


_current: dict[str, tuple[tuple[int, ...], RuleSet]] = {}
_lock = threading.Lock()


def rule_set_current() -> RuleSet:
    """The rule tables as they are now: one version query, and the tables are read again only when a version moved.

    A table's version is its newest history id, which every change on every path writes (admin, import, services,
    seeding migrations), so the rule set read at the same versions is the same; it is kept per process, like the
    screening index, and shared by the checks, which only read it. A change that writes no history
    (`QuerySet.update`) is a change the stored verdicts could not be reproduced from either: don't.
    """
    versions = reference_versions()
    key = tuple(versions.get(name, 0) for name in RULE_TABLES)
    cached = _current.get("rules")
    if cached is None or cached[0] != key:
        with _lock:
            cached = _current.get("rules")
            if cached is None or cached[0] != key:
                cached = _current["rules"] = (key, _rule_set_read(versions))
    # The same tables, with this moment's versions (the screening list's may have moved on its own).
    return replace(cached[1], versions=versions)


def rule_set_forget() -> None:
    """Forget the rule set kept in memory (tests, benchmarks)."""
    _current.pop("rules", None)


def _as_of(model, history_id: int) -> list:
    """The rows of a table as they were when its newest history id was `history_id` (deleted rows left out)."""
    latest = (
        model.history.filter(history_id__lte=history_id)
        .order_by(model._meta.pk.attname, "-history_id")
        .distinct(model._meta.pk.attname)
    )
    return [record.instance for record in latest if record.history_type != "-"]


def rule_set_as_of(versions: dict[str, int]) -> RuleSet:
    """The rule tables exactly as a stored verdict saw them, rebuilt from their change history."""
    tables = {name: _as_of(model, versions.get(name, 0)) for name, model in RULE_TABLES.items()}
    types = {item.pk: item for item in tables["certificate_types"]}
    for rule in tables["market_requirements"]:
        rule.certificate_type = types[rule.certificate_type_id]
    return RuleSet(
        versions={**reference_versions(), **{name: versions.get(name, 0) for name in RULE_TABLES}},
        blocs=tables["market_blocs"],
        certificate_types=types,
        requirements=tables["market_requirements"],
        embargoes=tables["embargoes"],
        export_licence_rules=tables["export_licence_rules"],
        import_duty_rates=tables["import_duty_rates"],
        price_undertakings=tables["price_undertakings"],
    )


def screened_parties_as_of(history_id: int) -> list[ScreenedParty]:
    """The screening list as it was at a stored version."""
    return _as_of(ScreenedParty, history_id)


def market_requirement_list() -> QuerySet[MarketRequirement]:
    """The market requirements with their certificate types, for the read-only pages and API."""
    return MarketRequirement.objects.select_related("certificate_type").order_by(
        "market", "certificate_type__code", "effective_from"
    )


def certificate_type_list() -> QuerySet[CertificateType]:
    """Certificate types, by code."""
    return CertificateType.objects.order_by("code")


def market_bloc_list() -> QuerySet[MarketBloc]:
    """Market blocs, by code."""
    return MarketBloc.objects.order_by("code")


def embargo_list() -> QuerySet[Embargo]:
    """Embargoed destinations, by country."""
    return Embargo.objects.order_by("country", "effective_from")


def trade_rule_lists() -> dict:
    """Export licence rules, import duty rates and price undertakings, for the read-only rules page."""
    return {
        "licence_rules": list(ExportLicenceRule.objects.order_by("origin", "code")),
        "duty_rates": list(ImportDutyRate.objects.order_by("market", "hs_code", "kind", "-rate")),
        "undertakings": list(PriceUndertaking.objects.order_by("producer", "model", "configuration")),
    }
