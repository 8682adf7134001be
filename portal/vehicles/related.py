"""Records of the domains above the registry that concern a vehicle (its shipments, its model's certificates).

The vehicles app may not import those domains (they import it), so they tell it: each registers a provider in its
`AppConfig.ready()`, and the vehicle page shows what the providers return, linked to each record's page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Vehicle


@dataclass(frozen=True)
class RelatedLink:
    """One record: its name, its page, and a few words about it (status, dates)."""

    text: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class RelatedGroup:
    """Records of one kind, with the words to show when there are none."""

    key: str
    title: str
    empty: str
    links: list[RelatedLink] = field(default_factory=list)


Provider = Callable[[Vehicle], RelatedGroup]
_providers: dict[str, Provider] = {}


def vehicle_related_register(key: str, provider: Provider) -> None:
    """Show `provider(vehicle)` on every vehicle page (registering the same key again replaces it)."""
    _providers[key] = provider


def vehicle_related(*, vehicle: Vehicle) -> list[RelatedGroup]:
    """Every registered group of records about `vehicle`, in the order the providers registered."""
    return [provider(vehicle) for provider in _providers.values()]
