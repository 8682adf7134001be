"""The matchmaking scheduler: mutually wanted meetings placed into slots and tables (pure Python, no database).

`schedule()` takes people (their available slots and languages), meeting requests (two or more people, must-meet
or would-like), the event's slots and tables, and the placements staff locked, and returns a `Schedule`: each
placed request's (slot, table id), a reason code for every request left out, the method that found the answer,
an upper bound on how many requests can be placed, and the objective.

Rules: a person is in at most one meeting per slot; a meeting goes only into a slot all its people are available
in, at a table with enough seats, one meeting per table and slot; its people share a language; locked
placements are kept as staff fixed them; must-meets come first (lexicographically: one more must-meet is worth
more than every would-like together).

Model. Tables of the same size are interchangeable, so the solver only chooses a slot per request: a boolean per
(request, common slot), at most one per request, at most one per (person, slot), and per slot and size threshold
k at most as many meetings of size ≥ k as there are free tables with ≥ k seats. Those counts are Hall's condition
for the nested "table is big enough" sets, so concrete tables can always be handed out afterwards (largest meeting
first, each the smallest free table it fits). OR-Tools CP-SAT solves the model within the time limit, warm-started
with the greedy answer (`AddHint`) and told the combinatorial upper bound as a redundant constraint, so it stops
as soon as it matches it. When CP-SAT finds nothing in time, or fails, the greedy answer is returned
(`method="greedy"`); the greedy answer is also kept whenever the solver's is not better.

Bound (`Schedule.bound`, placed meetings, locked ones included): the smallest of the number of requests that can
be placed at all, the per-slot limits (in each slot no more meetings than free tables big enough, than requests
that could go there, than available people divided by the smallest meeting size), and the per-person limits
(each person in at most min(available free slots, own requests) meetings; each meeting takes at least the
smallest meeting size of those person-slots).
"""

from __future__ import annotations

import bisect
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Reason codes for `Schedule.unplaced`.
UNKNOWN_PERSON = "unknown_person"
TOO_FEW_PEOPLE = "too_few_people"
NO_SHARED_LANGUAGE = "no_shared_language"
NO_COMMON_SLOT = "no_common_slot"
NO_TABLE_LARGE_ENOUGH = "no_table_large_enough"
NO_CAPACITY = "no_capacity"  # could have been placed alone, but the people, tables or locks left no room

CP_SAT = "cp-sat"
GREEDY = "greedy"

# Below this much time left, CP-SAT is not started at all (building the model alone takes longer).
MIN_SOLVER_S = 0.05
# The LP relaxation is solved for a bound when it has at most this many variables (GLOP: ~1 s per 20,000 here).
LP_MAX_VARIABLES = 30_000
# ... and within this time (at most a quarter of the time left), else the counting bounds stand alone.
LP_TIME_LIMIT_S = 3.0
# CP-SAT parameters set on every solve; large models get a lighter presolve, which otherwise eats the time limit
# (measured: 80,000 variables, presolve still running after 20 s on 2 cores).
SOLVER_PARAMETERS: dict[str, object] = {}
LARGE_MODEL_VARIABLES = 40_000
LARGE_MODEL_PARAMETERS: dict[str, object] = {"max_presolve_iterations": 1, "cp_model_probing_level": 0}
# Rounds of the greedy answer's repair (moving one blocking meeting to let a request in).
REPAIR_PASSES = 3
# The share of the time left that the first round (must-meets alone) may take.
FIRST_ROUND_SHARE = 0.4


@dataclass(frozen=True)
class Person:
    """A participant: the slots they are free in and the languages they speak."""

    id: int
    available_slots: frozenset[int]
    languages: frozenset[str]


@dataclass(frozen=True)
class MeetingRequest:
    """A meeting every one of `people` wants (mutually accepted); must-meets are placed first."""

    id: int
    people: tuple[int, ...]
    must_meet: bool = False


@dataclass(frozen=True)
class Table:
    """A meeting table with its number of seats; every table is there in every slot."""

    id: int
    seats: int


@dataclass
class Schedule:
    """The answer of `schedule()`.

    placements: request id -> (slot, table id), locked placements included.
    unplaced: request id -> reason code (module constants) for every request not placed.
    method: "cp-sat" when the solver's answer is returned, "greedy" when the greedy one is (the fallback).
    bound: an upper bound on the number of requests that can be placed (locked ones included).
    objective: must_weight × must-meets placed + would-likes placed (locked ones included).
    status: "optimal" when the answer is proven best, "feasible" otherwise; after a fallback, why.
    """

    placements: dict[int, tuple[int, int]]
    unplaced: dict[int, str]
    method: str
    bound: int
    objective: int
    must_placed: int = 0
    must_weight: int = 1
    status: str = ""
    solve_s: float = 0.0
    details: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return len(self.placements)


class LockError(ValueError):
    """A locked placement that cannot be kept (unknown request, slot or table; a table or a person taken twice)."""


@dataclass
class _Candidate:
    """A request that can be placed on its own: its people, size and the slots it may go into."""

    request: MeetingRequest
    people: tuple[int, ...]
    size: int
    slots: list[int]


def _table_assignment(meetings: list[tuple[int, int]], free_tables: list[tuple[int, int]]) -> dict[int, int] | None:
    """Concrete tables for one slot's meetings: (request id, size) -> table id; None when they do not fit.

    Largest meeting first, each the smallest free table with enough seats: this succeeds whenever, for every
    size k, there are no more meetings of size ≥ k than free tables with ≥ k seats.
    """
    tables = sorted(free_tables)  # (seats, table id)
    seats = [entry[0] for entry in tables]
    assigned = {}
    for request_id, size in sorted(meetings, key=lambda meeting: (-meeting[1], meeting[0])):
        index = bisect.bisect_left(seats, size)
        if index == len(seats):
            return None
        assigned[request_id] = tables[index][1]
        del seats[index], tables[index]
    return assigned


def schedule(
    people: Iterable[Person],
    requests: Iterable[MeetingRequest],
    slots: Sequence[int],
    tables: Iterable[Table],
    *,
    locked: Iterable[tuple[int, int, int]] = (),
    time_limit_s: float = 20.0,
    use_solver: bool = True,
    num_workers: int = 0,
) -> Schedule:
    """Place the requests into slots and tables (see the module's docstring); raise LockError for bad locks.

    `time_limit_s` bounds the whole call (pre-processing, greedy, model building and solving).
    `use_solver=False` returns the greedy answer without starting CP-SAT. `num_workers` = 0: CP-SAT's default.
    """
    started = time.perf_counter()
    person_by_id = {person.id: person for person in people}
    requests = list(requests)
    request_by_id: dict[int, MeetingRequest] = {}
    for request in requests:
        if request.id in request_by_id:
            raise ValueError(f"request {request.id} is given twice")
        request_by_id[request.id] = request
    slot_list = list(dict.fromkeys(slots))
    slot_set = set(slot_list)
    table_by_id: dict[int, Table] = {}
    for table in tables:
        if table.id in table_by_id:
            raise ValueError(f"table {table.id} is given twice")
        table_by_id[table.id] = table
    max_seats = max((table.seats for table in table_by_id.values()), default=0)

    # Locked placements: kept as staff fixed them (availability and language are staff's call), but they must
    # be physically possible.
    placements: dict[int, tuple[int, int]] = {}
    busy: set[tuple[int, int]] = set()  # (person, slot)
    used_tables: set[tuple[int, int]] = set()  # (slot, table id)
    for request_id, slot, table_id in locked:
        request = request_by_id.get(request_id)
        if request is None:
            raise LockError(f"locked request {request_id} is not among the requests")
        if request_id in placements:
            raise LockError(f"request {request_id} is locked twice")
        if slot not in slot_set:
            raise LockError(f"request {request_id} is locked into unknown slot {slot}")
        table = table_by_id.get(table_id)
        if table is None:
            raise LockError(f"request {request_id} is locked to unknown table {table_id}")
        members = tuple(dict.fromkeys(request.people))
        if len(members) > table.seats:
            raise LockError(f"request {request_id} has {len(members)} people; table {table_id} seats {table.seats}")
        if (slot, table_id) in used_tables:
            raise LockError(f"table {table_id} is locked twice in slot {slot}")
        for person_id in members:
            if (person_id, slot) in busy:
                raise LockError(f"person {person_id} is locked into two meetings in slot {slot}")
            busy.add((person_id, slot))
        used_tables.add((slot, table_id))
        placements[request_id] = (slot, table_id)

    free_tables = {
        slot: [(table.seats, table.id) for table in table_by_id.values() if (slot, table.id) not in used_tables]
        for slot in slot_list
    }
    free_seats = {slot: sorted(entry[0] for entry in free_tables[slot]) for slot in slot_list}

    unplaced: dict[int, str] = {}
    candidates: list[_Candidate] = []
    for request in requests:
        if request.id in placements:
            continue
        members = tuple(dict.fromkeys(request.people))
        if len(members) < 2:
            unplaced[request.id] = TOO_FEW_PEOPLE
            continue
        if any(person_id not in person_by_id for person_id in members):
            unplaced[request.id] = UNKNOWN_PERSON
            continue
        persons = [person_by_id[person_id] for person_id in members]
        if not frozenset.intersection(*(person.languages for person in persons)):
            unplaced[request.id] = NO_SHARED_LANGUAGE
            continue
        common = slot_set.intersection(*(person.available_slots for person in persons))
        if not common:
            unplaced[request.id] = NO_COMMON_SLOT
            continue
        if len(members) > max_seats:
            unplaced[request.id] = NO_TABLE_LARGE_ENOUGH
            continue
        open_slots = [
            slot
            for slot in slot_list
            if slot in common
            and not any((person_id, slot) in busy for person_id in members)
            and free_seats[slot]
            and free_seats[slot][-1] >= len(members)
        ]
        if not open_slots:
            unplaced[request.id] = NO_CAPACITY
            continue
        candidates.append(_Candidate(request, members, len(members), open_slots))

    n_would = sum(1 for candidate in candidates if not candidate.request.must_meet)
    must_weight = n_would + 1
    locked_must = sum(1 for request_id in placements if request_by_id[request_id].must_meet)
    locked_objective = must_weight * locked_must + (len(placements) - locked_must)

    # Size thresholds: a constraint per slot and meeting size k that some candidate has.
    sizes = sorted({candidate.size for candidate in candidates})
    capacity = {
        slot: {size: len(free_seats[slot]) - bisect.bisect_left(free_seats[slot], size) for size in sizes}
        for slot in slot_list
    }

    musts = [index for index, candidate in enumerate(candidates) if candidate.request.must_meet]
    free_bound = _bound(candidates, slot_list, capacity)
    must_bound = _bound([candidates[index] for index in musts], slot_list, capacity)
    bound_started = time.perf_counter()
    for indices in (musts, range(len(candidates))):
        if 0 < sum(len(candidates[index].slots) for index in indices) <= LP_MAX_VARIABLES:
            left = time_limit_s - (time.perf_counter() - started)
            lp_limit = min(LP_TIME_LIMIT_S, left / 4)
            relaxed = None
            if lp_limit > 0:
                relaxed = _lp_bound(candidates, list(indices), slot_list, sizes, capacity, lp_limit)
            if relaxed is not None and indices is musts:
                must_bound = min(must_bound, relaxed)
            elif relaxed is not None:
                free_bound = min(free_bound, relaxed)
    must_bound = min(must_bound, free_bound)
    details: dict = {"lp_s": round(time.perf_counter() - bound_started, 3)}
    bound = len(placements) + free_bound
    # objective = (W - 1) · musts + placed ≤ (W - 1) · must_bound + free_bound (locked ones aside)
    objective_bound = (must_weight - 1) * must_bound + free_bound

    def value(choice: dict[int, int]) -> int:
        return sum(must_weight if candidates[index].request.must_meet else 1 for index in choice)

    greedy_choice = _greedy(candidates, sizes, capacity, busy, bounds=(must_bound, free_bound))
    greedy_objective = value(greedy_choice)
    method, status, choice, objective = GREEDY, "", greedy_choice, greedy_objective
    if not use_solver:
        status = "fallback: solver not used"
    elif greedy_objective >= objective_bound:
        # Nothing to search for: the bound proves the greedy answer best; CP-SAT is not started.
        status = "optimal (the greedy answer meets the bound)"
    else:
        try:
            solved = _optimise(
                candidates,
                slot_list,
                sizes,
                capacity,
                busy,
                must_weight=must_weight,
                must_bound=must_bound,
                free_bound=free_bound,
                greedy_choice=greedy_choice,
                deadline=started + time_limit_s,
                num_workers=num_workers,
            )
        except Exception as error:  # noqa: BLE001 -- any solver failure falls back to the greedy answer
            status = f"fallback: solver failed ({type(error).__name__}: {error})"
        else:
            details.update(solved.details)
            if solved.choice is None:
                status = f"fallback: solver {solved.status}"
            elif value(solved.choice) < greedy_objective:
                status = "fallback: the solver's answer is worse than the greedy one"
            else:
                method, choice, objective = CP_SAT, solved.choice, value(solved.choice)
                status = "optimal" if solved.status == "OPTIMAL" else "feasible"

    if method == GREEDY and objective >= objective_bound and not status.startswith("optimal"):
        status = f"optimal (the greedy answer meets the bound); {status}"

    # Concrete tables, slot by slot.
    by_slot: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for index, slot in choice.items():
        by_slot[slot].append((candidates[index].request.id, candidates[index].size))
    for slot, meetings in by_slot.items():
        assigned = _table_assignment(meetings, free_tables[slot])
        if assigned is None:  # cannot happen when the capacity counts hold; kept loud rather than silent
            raise AssertionError(f"slot {slot}: meetings do not fit the free tables")
        for request_id, table_id in assigned.items():
            placements[request_id] = (slot, table_id)
    for candidate in candidates:
        if candidate.request.id not in placements:
            unplaced[candidate.request.id] = NO_CAPACITY

    must_placed = sum(1 for request_id in placements if request_by_id[request_id].must_meet)
    details.update(greedy_objective=locked_objective + greedy_objective)
    details.update(candidates=len(candidates), must_bound=locked_must + must_bound)
    return Schedule(
        placements=placements,
        unplaced=unplaced,
        method=method,
        bound=bound,
        objective=locked_objective + objective,
        must_placed=must_placed,
        must_weight=must_weight,
        status=status,
        solve_s=round(time.perf_counter() - started, 3),
        details=details,
    )


def _bound(
    candidates: list[_Candidate],
    slot_list: list[int],
    capacity: dict[int, dict[int, int]],
) -> int:
    """An upper bound on how many of `candidates` can be placed together (see the module's docstring)."""
    if not candidates:
        return 0
    smallest = min(candidate.size for candidate in candidates)
    per_slot_requests: dict[int, int] = defaultdict(int)
    per_slot_people: dict[int, set[int]] = defaultdict(set)
    requests_of: dict[int, int] = defaultdict(int)
    slots_of: dict[int, set[int]] = defaultdict(set)
    for candidate in candidates:
        for slot in candidate.slots:
            per_slot_requests[slot] += 1
            per_slot_people[slot].update(candidate.people)
        for person_id in candidate.people:
            requests_of[person_id] += 1
            slots_of[person_id].update(candidate.slots)
    per_slot = sum(
        min(capacity[slot][smallest], per_slot_requests[slot], len(per_slot_people[slot]) // smallest)
        for slot in slot_list
    )
    person_slots = sum(min(len(slots_of[person_id]), requests_of[person_id]) for person_id in requests_of)
    return min(len(candidates), per_slot, person_slots // smallest)


def _lp_bound(
    candidates: list[_Candidate],
    indices: list[int],
    slot_list: list[int],
    sizes: list[int],
    capacity: dict[int, dict[int, int]],
    time_limit_s: float,
) -> int | None:
    """The LP relaxation of the slot model over `indices` (GLOP), rounded down; None without an optimum in time.

    It sees what the counting bounds miss (a person with more requests than slots among requests with few
    slots), and it is the bound CP-SAT's own LP does not reach here: CP-SAT keeps the at-most-ones out of its LP.
    """
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    solver.SetTimeLimit(max(1, int(1000 * time_limit_s)))
    infinity = solver.infinity()
    objective = solver.Objective()
    person_rows: dict[tuple[int, int], object] = {}
    capacity_rows: dict[tuple[int, int], object] = {}
    for index in indices:
        candidate = candidates[index]
        own = solver.Constraint(-infinity, 1)
        for slot in candidate.slots:
            var = solver.NumVar(0, 1, "")
            objective.SetCoefficient(var, 1)
            own.SetCoefficient(var, 1)
            for person_id in candidate.people:
                row = person_rows.get((person_id, slot))
                if row is None:
                    row = person_rows[person_id, slot] = solver.Constraint(-infinity, 1)
                row.SetCoefficient(var, 1)
            for size in sizes:
                if size <= candidate.size:
                    row = capacity_rows.get((slot, size))
                    if row is None:
                        row = capacity_rows[slot, size] = solver.Constraint(-infinity, capacity[slot][size])
                    row.SetCoefficient(var, 1)
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return int(objective.Value() + 1e-6)


def _greedy(
    candidates: list[_Candidate],
    sizes: list[int],
    capacity: dict[int, dict[int, int]],
    busy: set[tuple[int, int]],
    fixed: dict[int, int] | None = None,
    bounds: tuple[int, int] | None = None,
) -> dict[int, int]:
    """Candidate index -> slot: `fixed` first as given, then must-meets, then the requests with the fewest slots.

    Each goes into the open slot with the most room left for its size. Then repair passes: a request left out
    goes into a slot where one meeting blocks it, when that meeting can move to another of its slots (nobody
    loses a place), or, for a must-meet blocked by a would-like that cannot move, instead of it. No repair when
    the answer already meets `bounds` (must-meets, meetings).
    """
    room = {slot: dict(per_size) for slot, per_size in capacity.items()}  # free tables ≥ size, per size
    occupant: dict[tuple[int, int], int] = {}  # (person, slot) -> candidate index placed there
    choice: dict[int, int] = {}

    def fits(index: int, slot: int) -> int:
        """How many tables are left for the candidate's size in the slot (0: none)."""
        return min(room[slot][size] for size in sizes if size <= candidates[index].size)

    def free(index: int, slot: int) -> bool:
        return not any(
            (person_id, slot) in busy or (person_id, slot) in occupant for person_id in candidates[index].people
        )

    def place(index: int, slot: int) -> None:
        choice[index] = slot
        for person_id in candidates[index].people:
            occupant[person_id, slot] = index
        for size in sizes:
            if size <= candidates[index].size:  # a meeting of size k takes a table ≥ j for every j ≤ k
                room[slot][size] -= 1

    def remove(index: int) -> int:
        slot = choice.pop(index)
        for person_id in candidates[index].people:
            del occupant[person_id, slot]
        for size in sizes:
            if size <= candidates[index].size:
                room[slot][size] += 1
        return slot

    for index, slot in (fixed or {}).items():
        place(index, slot)
    order = sorted(
        (index for index in range(len(candidates)) if index not in choice),
        key=lambda i: (
            not candidates[i].request.must_meet,
            len(candidates[i].slots),
            -candidates[i].size,
            candidates[i].request.id,
        ),
    )
    for index in order:
        best, best_room = None, 0
        for slot in candidates[index].slots:
            if free(index, slot) and fits(index, slot) > best_room:
                best, best_room = slot, fits(index, slot)
        if best is not None:
            place(index, best)

    for _ in range(REPAIR_PASSES):
        if bounds is not None:
            musts = sum(1 for index in choice if candidates[index].request.must_meet)
            if musts >= bounds[0] and len(choice) >= bounds[1]:
                break
        improved = False
        for index in order:
            if index in choice:
                continue
            candidate = candidates[index]
            for slot in candidate.slots:
                if any((person_id, slot) in busy for person_id in candidate.people):
                    continue
                blockers = {occupant[key] for key in ((p, slot) for p in candidate.people) if key in occupant}
                if len(blockers) > 1:
                    continue
                if not blockers:
                    if fits(index, slot):
                        place(index, slot)
                        break
                    continue
                (blocker,) = blockers
                blocker_size = candidates[blocker].size
                if any(room[slot][size] <= 0 and size > blocker_size for size in sizes if size <= candidate.size):
                    continue  # even with the blocker gone, no table big enough
                remove(blocker)
                if not fits(index, slot):
                    place(blocker, slot)
                    continue
                place(index, slot)
                moved = next(
                    (other for other in candidates[blocker].slots if free(blocker, other) and fits(blocker, other)),
                    None,
                )
                if moved is not None:
                    place(blocker, moved)
                    break
                if candidate.request.must_meet and not candidates[blocker].request.must_meet:
                    break  # the must-meet takes the would-like's place
                remove(index)
                place(blocker, slot)
            if index in choice:
                improved = True
        if not improved:
            break
    return choice


@dataclass
class _Solved:
    choice: dict[int, int] | None
    status: str
    bound: int = 0
    details: dict = field(default_factory=dict)


def _optimise(
    candidates: list[_Candidate],
    slot_list: list[int],
    sizes: list[int],
    capacity: dict[int, dict[int, int]],
    busy: set[tuple[int, int]],
    *,
    must_weight: int,
    must_bound: int,
    free_bound: int,
    greedy_choice: dict[int, int],
    deadline: float,
    num_workers: int,
) -> _Solved:
    """CP-SAT in two rounds: the most must-meets (alone), then the most meetings keeping that many must-meets.

    The first round is small (must-meets only) and usually proven quickly; its count becomes a constraint of the
    second, whose hint is the first round's must-meets with the greedy fill around them. Each round is told its
    upper bound, so it stops when the hint already reaches it.
    """
    musts = [index for index, candidate in enumerate(candidates) if candidate.request.must_meet]
    details: dict = {}
    must_choice = {index: slot for index, slot in greedy_choice.items() if candidates[index].request.must_meet}
    must_proven = must_bound
    if musts and len(must_choice) < must_bound:
        # Must-meets first, with part of the time left (the second round may need the rest).
        first = _solve(
            candidates,
            musts,
            dict.fromkeys(musts, 1),
            slot_list,
            sizes,
            capacity,
            objective_bound=must_bound,
            hint=must_choice,
            deadline=time.perf_counter() + FIRST_ROUND_SHARE * (deadline - time.perf_counter()),
            num_workers=num_workers,
        )
        details.update({f"must_{key}": value for key, value in first.details.items()})
        if first.choice is not None and len(first.choice) >= len(must_choice):
            must_choice = first.choice
        if first.choice is not None:
            must_proven = min(must_bound, first.bound)
    hint = _greedy(candidates, sizes, capacity, busy, fixed=must_choice, bounds=(must_proven, free_bound))
    if len(hint) >= free_bound:
        # As many meetings as the bound allows around the most must-meets found: a second round cannot do better.
        status = "OPTIMAL" if len(must_choice) >= must_proven else "FEASIBLE"
        return _Solved(hint, status, details=details)
    weights = {index: must_weight if candidates[index].request.must_meet else 1 for index in range(len(candidates))}
    # objective = (W - 1) · musts + placed ≤ (W - 1) · must bound + bound
    second = _solve(
        candidates,
        list(range(len(candidates))),
        weights,
        slot_list,
        sizes,
        capacity,
        objective_bound=(must_weight - 1) * must_proven + free_bound,
        hint=hint,
        must_min=len(must_choice),
        deadline=deadline,
        num_workers=num_workers,
    )
    details.update(second.details)
    second.details = details
    if second.choice is None:
        if len(must_choice) > sum(1 for index in greedy_choice if candidates[index].request.must_meet):
            return _Solved(hint, "FEASIBLE", details=details)  # the first round's must-meets, filled greedily
        return second
    if second.status == "OPTIMAL" and len(must_choice) < must_proven:
        second.status = "FEASIBLE"  # best for the first round's must-meets, which are not proven the most
    return second


def _solve(
    candidates: list[_Candidate],
    indices: list[int],
    weights: dict[int, int],
    slot_list: list[int],
    sizes: list[int],
    capacity: dict[int, dict[int, int]],
    *,
    objective_bound: int,
    hint: dict[int, int],
    deadline: float,
    num_workers: int,
    must_min: int = 0,
) -> _Solved:
    """The slot model of the module's docstring over `indices`, maximising the weighted sum until `deadline`."""
    from ortools.sat.python import cp_model

    built = time.perf_counter()
    model = cp_model.CpModel()
    variables: list[tuple[int, int, object]] = []  # (candidate index, slot, var)
    by_person_slot: dict[tuple[int, int], list] = defaultdict(list)
    by_slot_size: dict[tuple[int, int], list] = defaultdict(list)
    coefficients, must_vars = [], []
    for index in indices:
        candidate = candidates[index]
        own = []
        for slot in candidate.slots:
            var = model.new_bool_var(f"x{index}_{slot}")
            variables.append((index, slot, var))
            coefficients.append(weights[index])
            own.append(var)
            if candidate.request.must_meet:
                must_vars.append(var)
            for person_id in candidate.people:
                by_person_slot[person_id, slot].append(var)
            for size in sizes:
                if size <= candidate.size:
                    by_slot_size[slot, size].append(var)
        if len(own) > 1:
            model.add_at_most_one(own)
    by_person: dict[int, list] = defaultdict(list)
    person_slots: dict[int, int] = defaultdict(int)
    for (person_id, _slot), group in by_person_slot.items():
        if len(group) > 1:
            model.add_at_most_one(group)
        by_person[person_id].extend(group)
        person_slots[person_id] += 1
    # Redundant, for the LP relaxation (which sees linear constraints, not the at-most-ones): a person is in no
    # more meetings than the slots they can meet in.
    for person_id, group in by_person.items():
        if len(group) > person_slots[person_id]:
            model.add(cp_model.LinearExpr.sum(group) <= person_slots[person_id])
    for slot in slot_list:
        previous = None
        for size in sizes:
            limit = capacity[slot][size]
            group = by_slot_size.get((slot, size), [])
            # the threshold below, with as many tables and more meetings, already implies this one
            if len(group) > limit and limit != previous:
                model.add(cp_model.LinearExpr.sum(group) <= limit)
            previous = limit
    if must_min:
        model.add(cp_model.LinearExpr.sum(must_vars) >= must_min)
    objective = cp_model.LinearExpr.weighted_sum([entry[2] for entry in variables], coefficients)
    model.add(objective <= objective_bound)  # redundant (a proven bound): lets CP-SAT stop once it reaches it
    model.maximize(objective)
    for index, slot, var in variables:
        model.add_hint(var, hint.get(index) == slot)

    solver = cp_model.CpSolver()
    details = {"variables": len(variables), "build_s": round(time.perf_counter() - built, 3)}
    remaining = deadline - time.perf_counter()
    if remaining < MIN_SOLVER_S:
        return _Solved(None, "not started: no time left after building the model", details=details)
    solver.parameters.max_time_in_seconds = remaining
    if num_workers:
        solver.parameters.num_workers = num_workers
    solver.parameters.log_search_progress = bool(os.environ.get("SCHEDULING_SOLVER_LOG"))
    parameters = dict(LARGE_MODEL_PARAMETERS) if len(variables) > LARGE_MODEL_VARIABLES else {}
    for name, value in {**parameters, **SOLVER_PARAMETERS}.items():
        setattr(solver.parameters, name, value)
    status = solver.solve(model)
    name = solver.status_name(status)
    details.update(solver_status=name, solver_s=round(solver.wall_time, 3))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Solved(None, name, details=details)
    choice = {index: slot for index, slot, var in variables if solver.boolean_value(var)}
    return _Solved(choice, name, bound=int(solver.best_objective_bound), details=details)


def violations(
    result: Schedule,
    people: Iterable[Person],
    requests: Iterable[MeetingRequest],
    slots: Sequence[int],
    tables: Iterable[Table],
    *,
    locked: Iterable[tuple[int, int, int]] = (),
) -> list[str]:
    """What is wrong with a schedule (empty when it keeps every rule); locked placements skip the people rules."""
    person_by_id = {person.id: person for person in people}
    request_by_id = {request.id: request for request in requests}
    seats = {table.id: table.seats for table in tables}
    slot_set = set(slots)
    locked_ids = set()
    problems = []
    for request_id, slot, table_id in locked:
        locked_ids.add(request_id)
        if result.placements.get(request_id) != (slot, table_id):
            problems.append(f"locked request {request_id} moved to {result.placements.get(request_id)}")
    seen_people: set[tuple[int, int]] = set()
    seen_tables: set[tuple[int, int]] = set()
    for request_id, (slot, table_id) in result.placements.items():
        request = request_by_id.get(request_id)
        if request is None:
            problems.append(f"unknown request {request_id} placed")
            continue
        members = tuple(dict.fromkeys(request.people))
        if slot not in slot_set:
            problems.append(f"request {request_id} in unknown slot {slot}")
        if table_id not in seats or seats[table_id] < len(members):
            problems.append(f"request {request_id} at table {table_id} without enough seats")
        if (slot, table_id) in seen_tables:
            problems.append(f"table {table_id} used twice in slot {slot}")
        seen_tables.add((slot, table_id))
        for person_id in members:
            if (person_id, slot) in seen_people:
                problems.append(f"person {person_id} booked twice in slot {slot}")
            seen_people.add((person_id, slot))
        if request_id in locked_ids:
            continue
        persons = [person_by_id[person_id] for person_id in members if person_id in person_by_id]
        if len(persons) != len(members):
            problems.append(f"request {request_id} has unknown people")
            continue
        if any(slot not in person.available_slots for person in persons):
            problems.append(f"request {request_id} in slot {slot} where not all its people are available")
        if not frozenset.intersection(*(person.languages for person in persons)):
            problems.append(f"request {request_id} placed without a shared language")
    for request_id in request_by_id:
        if (request_id in result.placements) == (request_id in result.unplaced):
            problems.append(f"request {request_id} is placed and unplaced, or neither")
    return problems
