"""The stage-gated pipeline: which stage may follow which, and who may move a project.

The one place where transition rules live; services, forms, views and the API all ask `transition_check`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tenants.choices import Role, role_at_least

from .choices import Stage

ORDER: list[str] = [
    Stage.PROPOSED,
    Stage.NEGOTIATING,
    Stage.DOCKED,
    Stage.SIGNED,
    Stage.IN_DEVELOPMENT,
    Stage.PILOT,
    Stage.LAUNCHED,
]
TERMINAL: frozenset[str] = frozenset({Stage.LAUNCHED, Stage.WITHDRAWN, Stage.FAILED})
# Stages a project enters (moving on) only with a document as evidence, and what that document is.
EVIDENCE: dict[str, str] = {Stage.SIGNED: _("the signed agreement")}
EXITS: frozenset[str] = frozenset({Stage.WITHDRAWN, Stage.FAILED})


def _table() -> dict[tuple[str, str], str]:
    """(from, to) → kind: "forward", "back" (needs a reason) or "exit"."""
    table: dict[tuple[str, str], str] = {}
    for index, stage in enumerate(ORDER):
        if stage in TERMINAL:
            continue
        table[(stage, ORDER[index + 1])] = "forward"
        if index > 0:
            table[(stage, ORDER[index - 1])] = "back"
        for exit_stage in EXITS:
            table[(stage, exit_stage)] = "exit"
    return table


TRANSITIONS: dict[tuple[str, str], str] = _table()

# Who may move a project: a person of the owner partner with at least this role, for each kind of move.
MINIMUM_ROLE: dict[str, str] = {"forward": Role.MANAGER, "back": Role.MANAGER, "exit": Role.MANAGER}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""
    needs_reason: bool = False
    needs_evidence: bool = False


def allowed_targets(from_stage: str) -> list[str]:
    """Stages reachable from `from_stage`, in pipeline order."""
    return [to for (frm, to) in TRANSITIONS if frm == from_stage]


def next_stage(from_stage: str) -> str | None:
    """The stage a project moves on to (None at the end of the pipeline or after an exit)."""
    return next((to for (frm, to), kind in TRANSITIONS.items() if frm == from_stage and kind == "forward"), None)


def transition_check(*, from_stage: str, to_stage: str, is_owner_partner: bool, role: str | None) -> Verdict:
    """May a person with `role` in a partner (the owner partner or not) move a project from → to?"""
    kind = TRANSITIONS.get((from_stage, to_stage))
    if kind is None:
        return Verdict(False, str(_("This stage change is not allowed.")))
    if not is_owner_partner or not role_at_least(role, MINIMUM_ROLE[kind]):
        return Verdict(False, str(_("Only the owner partner's managers and owners may change the stage.")))
    return Verdict(True, needs_reason=kind == "back", needs_evidence=kind == "forward" and to_stage in EVIDENCE)


def evidence_hint(to_stage: str) -> str:
    """What a move into `to_stage` must attach ("" when nothing), in the active language."""
    if to_stage not in EVIDENCE:
        return ""
    return str(_("Moving to “%(stage)s” needs %(what)s as evidence.")) % {
        "stage": Stage(to_stage).label,
        "what": EVIDENCE[to_stage],
    }


def moves_for(*, from_stage: str, is_owner_partner: bool, role: str | None) -> list[tuple[str, Verdict]]:
    """Every stage reachable from `from_stage`, in pipeline order, with the verdict for this person."""
    return [
        (to, transition_check(from_stage=from_stage, to_stage=to, is_owner_partner=is_owner_partner, role=role))
        for to in allowed_targets(from_stage)
    ]


def stage_rank(stage: str) -> int:
    """Position in the pipeline (exits rank after everything)."""
    return ORDER.index(stage) if stage in ORDER else len(ORDER)
