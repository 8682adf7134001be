"""Disclosure control, as official statistics do it: which cells of a table partners may see.

A cell is safe when at least `MIN_CONTRIBUTORS` partners contribute and none has more than `MAX_SHARE` of it
(primary rule). When some cells of a table are suppressed, the total minus the shown cells reveals their sum,
so that sum must be safe too: more cells are suppressed (smallest first) until it is, or the total goes
(secondary suppression).
"""

from dataclasses import dataclass
from decimal import Decimal

from .choices import CellStatus

MIN_CONTRIBUTORS = 3
MAX_SHARE = 0.85
TOTAL = ""  # the key of a table's total cell


@dataclass
class CellFigures:
    """What a cell is made of: each contributing partner's value."""

    by_partner: dict[int, Decimal]

    @property
    def value(self) -> Decimal:
        return sum(self.by_partner.values(), Decimal(0))

    @property
    def contributors(self) -> int:
        return sum(1 for value in self.by_partner.values() if value)

    @property
    def top_share(self) -> float:
        value = self.value
        return float(max(self.by_partner.values()) / value) if value else 0.0


def severity(status: str) -> int:
    """Order of statuses, mildest first: a cell gets the worst status any rule gives it."""
    return [CellStatus.SHOWN, CellStatus.SECONDARY, CellStatus.PRIMARY].index(status)


def is_safe(by_partner: dict[int, Decimal]) -> bool:
    """The primary rule: enough contributors and no dominant one."""
    figures = CellFigures(by_partner)
    if figures.value == 0:
        return True  # nothing happened: no partner's figure can be read from a zero
    return figures.contributors >= MIN_CONTRIBUTORS and figures.top_share <= MAX_SHARE


def merged(cells: list[dict[int, Decimal]]) -> dict[int, Decimal]:
    """Several cells as one: each partner's values added up."""
    merged: dict[int, Decimal] = {}
    for cell in cells:
        for partner, value in cell.items():
            merged[partner] = merged.get(partner, Decimal(0)) + value
    return merged


def protect(
    table: dict[str, dict[int, Decimal]], *, has_total: bool = True, hidden_elsewhere: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The status of every cell of one table (its keys, plus TOTAL when `has_total`).

    `hidden_elsewhere`: keys another table's protection already hides (secondary), e.g. a quarter that would
    reveal a suppressed month of it; the hidden sum must be safe with them too.
    """
    status = {key: CellStatus.SHOWN if is_safe(cell) else CellStatus.PRIMARY for key, cell in table.items()}
    for key in hidden_elsewhere & status.keys():
        status[key] = max(status[key], CellStatus.SECONDARY, key=severity)
    if not has_total or TOTAL not in table or status[TOTAL] != CellStatus.SHOWN:
        return status  # no published total: shown cells reveal nothing about the others
    parts = [key for key in table if key != TOTAL]
    hidden = [key for key in parts if status[key] != CellStatus.SHOWN]
    while hidden and not is_safe(merged([table[key] for key in hidden])):
        candidates = sorted(
            (key for key in parts if status[key] == CellStatus.SHOWN), key=lambda k: CellFigures(table[k]).value
        )
        if not candidates:
            status[TOTAL] = CellStatus.SECONDARY
            break
        status[candidates[0]] = CellStatus.SECONDARY
        hidden.append(candidates[0])
    return status
