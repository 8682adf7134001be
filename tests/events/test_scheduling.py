"""The matchmaking scheduler (portal/events/scheduling.py): the rules on random instances, locks, must-meets first,
brute-force optima of small instances, reason codes and the greedy fallback. Pure Python, no database."""

import random

import pytest

from portal.events import scheduling
from portal.events.scheduling import (
    NO_CAPACITY,
    NO_COMMON_SLOT,
    NO_SHARED_LANGUAGE,
    NO_TABLE_LARGE_ENOUGH,
    TOO_FEW_PEOPLE,
    UNKNOWN_PERSON,
    LockError,
    MeetingRequest,
    Person,
    Table,
    schedule,
    violations,
)

LANGUAGES = ["zh", "en", "th", "ar"]


def random_instance(
    rng: random.Random, *, people: int, requests: int, slots: int, tables: list[int], languages=LANGUAGES
):
    """People with random gaps and 1–3 languages, requests of 2–3 distinct people, tables of the given seats."""
    slot_ids = list(range(10, 10 + slots))
    persons = [
        Person(
            number,
            frozenset(slot for slot in slot_ids if rng.random() < 0.7),
            frozenset(rng.sample(languages, rng.randint(1, min(3, len(languages))))),
        )
        for number in range(1, people + 1)
    ]
    wanted = []
    for number in range(1, requests + 1):
        size = 3 if rng.random() < 0.2 else 2
        wanted.append(
            MeetingRequest(100 + number, tuple(rng.sample(range(1, people + 1), size)), must_meet=rng.random() < 0.3)
        )
    table_list = [Table(500 + number, seats) for number, seats in enumerate(tables)]
    return persons, wanted, slot_ids, table_list


def lexicographic(result, requests) -> tuple[int, int]:
    must = {request.id for request in requests if request.must_meet}
    return (sum(1 for request_id in result.placements if request_id in must), len(result.placements))


def brute_force(people, requests, slots, tables, locked=()) -> tuple[int, int]:
    """The best (must-meets, meetings) over every assignment of requests to (slot, table) or nothing."""
    person_by_id = {person.id: person for person in people}
    fixed = {request_id: (slot, table_id) for request_id, slot, table_id in locked}
    seats = {table.id: table.seats for table in tables}
    best = (-1, -1)

    def allowed(request, slot, table_id, people_busy, tables_busy) -> bool:
        members = request.people
        if (slot, table_id) in tables_busy or seats[table_id] < len(members):
            return False
        if any((person_id, slot) in people_busy for person_id in members):
            return False
        if request.id in fixed:
            return True
        persons = [person_by_id[person_id] for person_id in members]
        if any(slot not in person.available_slots for person in persons):
            return False
        return bool(frozenset.intersection(*(person.languages for person in persons)))

    def walk(position, people_busy, tables_busy, must, total):
        nonlocal best
        if position == len(requests):
            best = max(best, (must, total))
            return
        request = requests[position]
        if request.id in fixed:
            options = [fixed[request.id]]
        else:
            options = [None] + [(slot, table.id) for slot in slots for table in tables]
        for option in options:
            if option is None:
                walk(position + 1, people_busy, tables_busy, must, total)
                continue
            slot, table_id = option
            if not allowed(request, slot, table_id, people_busy, tables_busy):
                continue
            walk(
                position + 1,
                people_busy | {(person_id, slot) for person_id in request.people},
                tables_busy | {(slot, table_id)},
                must + request.must_meet,
                total + 1,
            )

    walk(0, frozenset(), frozenset(), 0, 0)
    return best


@pytest.fixture
def weak_bounds(monkeypatch):
    """Bounds that prove nothing, so every instance goes to CP-SAT (or to the fallback)."""
    monkeypatch.setattr(scheduling, "_bound", lambda candidates, *args: len(candidates))
    monkeypatch.setattr(scheduling, "_lp_bound", lambda *args: None)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("use_solver", [True, False])
def test_random_instances_keep_every_rule(seed, use_solver):
    rng = random.Random(seed)
    people, requests, slots, tables = random_instance(rng, people=14, requests=40, slots=4, tables=[2, 2, 3, 4])
    result = schedule(people, requests, slots, tables, time_limit_s=10, use_solver=use_solver)

    assert violations(result, people, requests, slots, tables) == []
    assert set(result.placements) | set(result.unplaced) == {request.id for request in requests}
    assert result.placed <= result.bound
    booked = [(person_id, slot) for request_id, (slot, _) in result.placements.items()
              for person_id in next(r for r in requests if r.id == request_id).people]  # fmt: skip
    assert len(booked) == len(set(booked)), "a person is booked twice in a slot"
    tables_used = list(result.placements.values())
    assert len(tables_used) == len(set(tables_used)), "a table is used twice in a slot"


def test_random_instances_with_the_solver_forced(weak_bounds):
    for seed in range(8):
        rng = random.Random(100 + seed)
        people, requests, slots, tables = random_instance(rng, people=12, requests=30, slots=3, tables=[2, 3])
        result = schedule(people, requests, slots, tables, time_limit_s=10)
        assert result.method == "cp-sat" or NO_CAPACITY not in result.unplaced.values()
        assert result.status.startswith("optimal")
        assert violations(result, people, requests, slots, tables) == []


@pytest.mark.parametrize("seed", range(25))
def test_small_instances_reach_the_brute_force_optimum(seed, monkeypatch):
    rng = random.Random(1000 + seed)
    people, requests, slots, tables = random_instance(
        rng,
        people=5,
        requests=rng.randint(5, 7),
        slots=3,
        tables=rng.choice([[2, 3], [2, 2], [3], [2, 4]]),
        languages=["zh", "en"],
    )
    best = brute_force(people, requests, slots, tables)

    result = schedule(people, requests, slots, tables, time_limit_s=10)
    assert violations(result, people, requests, slots, tables) == []
    assert lexicographic(result, requests) == best
    assert result.bound >= best[1]
    assert result.objective == result.must_weight * best[0] + (best[1] - best[0])

    # The same through CP-SAT itself (no bound lets the greedy answer stand).
    monkeypatch.setattr(scheduling, "_bound", lambda candidates, *args: len(candidates))
    monkeypatch.setattr(scheduling, "_lp_bound", lambda *args: None)
    forced = schedule(people, requests, slots, tables, time_limit_s=10)
    # greedy only when it placed every request that can be placed alone (then the weak bound proves it)
    assert forced.method == "cp-sat" or NO_CAPACITY not in forced.unplaced.values()
    assert forced.status.startswith("optimal")
    assert lexicographic(forced, requests) == best


def test_small_instances_with_a_lock_reach_the_brute_force_optimum():
    checked = 0
    for seed in range(12):
        rng = random.Random(2000 + seed)
        people, requests, slots, tables = random_instance(rng, people=5, requests=5, slots=3, tables=[2, 3])
        first = schedule(people, requests, slots, tables, use_solver=False)
        if not first.placements:
            continue
        request_id, (slot, table_id) = sorted(first.placements.items())[-1]
        locked = [(request_id, slot, table_id)]

        result = schedule(people, requests, slots, tables, locked=locked, time_limit_s=10)
        assert result.placements[request_id] == (slot, table_id)
        assert violations(result, people, requests, slots, tables, locked=locked) == []
        assert lexicographic(result, requests) == brute_force(people, requests, slots, tables, locked)
        checked += 1
    assert checked >= 8


def test_locked_placements_are_kept_even_against_availability():
    people = [
        Person(1, frozenset({1, 2}), frozenset({"en"})),
        Person(2, frozenset({1, 2}), frozenset({"en"})),
        Person(3, frozenset({1, 2}), frozenset({"en"})),
    ]
    requests = [
        MeetingRequest(11, (1, 2), must_meet=False),
        MeetingRequest(12, (1, 3), must_meet=True),
        MeetingRequest(13, (2, 3), must_meet=False),
    ]
    tables = [Table(7, 2)]
    # Staff put 11 into slot 3, which nobody declared: staff's call, kept.
    locked = [(11, 3, 7), (13, 1, 7)]
    result = schedule(people, requests, [1, 2, 3], tables, locked=locked)
    assert result.placements[11] == (3, 7)
    assert result.placements[13] == (1, 7)
    assert result.placements[12] == (2, 7)  # the only table is taken in slot 1
    assert violations(result, people, requests, [1, 2, 3], tables, locked=locked) == []


@pytest.mark.parametrize(
    ("locked", "message"),
    [
        ([(99, 1, 7)], "not among the requests"),
        ([(11, 5, 7)], "unknown slot"),
        ([(11, 1, 99)], "unknown table"),
        ([(11, 1, 7), (11, 2, 7)], "locked twice"),
        ([(11, 1, 7), (12, 1, 7)], "table 7 is locked twice"),
        ([(11, 1, 7), (12, 1, 8)], "person 1 is locked into two meetings"),
        ([(14, 1, 7)], "table 7 seats 2"),
    ],
)
def test_impossible_locks_are_refused(locked, message):
    people = [Person(number, frozenset({1, 2}), frozenset({"en"})) for number in (1, 2, 3)]
    requests = [
        MeetingRequest(11, (1, 2), False),
        MeetingRequest(12, (1, 3), False),
        MeetingRequest(14, (1, 2, 3), False),
    ]
    with pytest.raises(LockError, match=message):
        schedule(people, requests, [1, 2], [Table(7, 2), Table(8, 4)], locked=locked)


def test_a_must_meet_beats_the_would_likes_it_displaces():
    # One slot, two tables: the would-likes 1–3 and 2–4 fit together, the must-meet 1–2 blocks both.
    people = [Person(number, frozenset({1}), frozenset({"zh"})) for number in (1, 2, 3, 4)]
    requests = [
        MeetingRequest(21, (1, 3), False),
        MeetingRequest(22, (2, 4), False),
        MeetingRequest(23, (1, 2), True),
    ]
    for use_solver in (True, False):
        result = schedule(people, requests, [1], [Table(1, 2), Table(2, 2)], use_solver=use_solver)
        assert 23 in result.placements
        assert result.unplaced == {21: NO_CAPACITY, 22: NO_CAPACITY}
        assert result.must_placed == 1


def test_must_meets_first_on_random_instances():
    for seed in range(10):
        rng = random.Random(3000 + seed)
        people, requests, slots, tables = random_instance(rng, people=10, requests=40, slots=3, tables=[2, 2])
        everything = schedule(people, requests, slots, tables)
        musts_only = schedule(people, [request for request in requests if request.must_meet], slots, tables)
        assert everything.status.startswith("optimal") and musts_only.status.startswith("optimal")
        # Would-likes never cost a must-meet: as many must-meets as when only must-meets are asked for.
        assert everything.must_placed == musts_only.placed


def test_reason_codes():
    people = [
        Person(1, frozenset({1, 2}), frozenset({"zh", "en"})),
        Person(2, frozenset({1}), frozenset({"en"})),
        Person(3, frozenset({2}), frozenset({"th"})),
        Person(4, frozenset({2}), frozenset({"en"})),
        Person(5, frozenset({1, 2}), frozenset({"en"})),
    ]
    requests = [
        MeetingRequest(1, (1, 2), True),
        MeetingRequest(2, (1, 3), False),  # no shared language
        MeetingRequest(3, (2, 4), False),  # no common slot
        MeetingRequest(4, (1, 2, 5), False),  # three people, tables of two
        MeetingRequest(5, (1, 42), False),  # unknown person
        MeetingRequest(6, (5, 5), False),  # one person twice
        MeetingRequest(7, (2, 5), False),  # slot 1 only, where the one table is taken by the must-meet
    ]
    result = schedule(people, requests, [1, 2], [Table(1, 2)])
    assert result.placements == {1: (1, 1)}
    assert result.unplaced == {
        2: NO_SHARED_LANGUAGE,
        3: NO_COMMON_SLOT,
        4: NO_TABLE_LARGE_ENOUGH,
        5: UNKNOWN_PERSON,
        6: TOO_FEW_PEOPLE,
        7: NO_CAPACITY,
    }
    assert result.bound == 1


def test_larger_meetings_get_tables_that_seat_them():
    people = [Person(number, frozenset({1}), frozenset({"en"})) for number in range(1, 8)]
    requests = [
        MeetingRequest(1, (1, 2), False),
        MeetingRequest(2, (3, 4, 5), False),
        MeetingRequest(3, (6, 7), False),
    ]
    tables = [Table(1, 2), Table(2, 4), Table(3, 2)]
    result = schedule(people, requests, [1], tables)
    assert result.placed == 3
    assert result.placements[2] == (1, 2)


def test_bound_counts_tables_and_slots():
    people = [Person(number, frozenset({1, 2}), frozenset({"en"})) for number in range(1, 41)]
    requests = [MeetingRequest(number, (number, number % 40 + 1), False) for number in range(1, 41)]
    result = schedule(people, requests, [1, 2], [Table(1, 2), Table(2, 2), Table(3, 2)])
    assert result.bound == 6  # 2 slots × 3 tables
    assert result.placed == 6


def scarce_instance():
    """Greedy places fewer than the (weakened) bound, so the solver would be started."""
    rng = random.Random(7)
    return random_instance(rng, people=10, requests=30, slots=3, tables=[2, 2])


def test_greedy_fallback_when_the_solver_fails(weak_bounds, monkeypatch):
    people, requests, slots, tables = scarce_instance()

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(scheduling, "_solve", broken)
    result = schedule(people, requests, slots, tables)
    assert result.method == "greedy"
    assert result.status == "fallback: solver failed (RuntimeError: solver crashed)"
    assert result.placements
    assert violations(result, people, requests, slots, tables) == []


def test_greedy_fallback_without_time(weak_bounds):
    people, requests, slots, tables = scarce_instance()
    result = schedule(people, requests, slots, tables, time_limit_s=0)
    assert result.method == "greedy"
    assert result.status.startswith("fallback")
    assert violations(result, people, requests, slots, tables) == []


def test_greedy_fallback_when_the_solver_finds_nothing(weak_bounds, monkeypatch):
    people, requests, slots, tables = scarce_instance()
    monkeypatch.setattr(scheduling, "_solve", lambda *args, **kwargs: scheduling._Solved(None, "UNKNOWN"))
    result = schedule(people, requests, slots, tables)
    assert (result.method, result.status) == ("greedy", "fallback: solver UNKNOWN")
    assert violations(result, people, requests, slots, tables) == []


def test_greedy_only(weak_bounds):
    people, requests, slots, tables = scarce_instance()
    result = schedule(people, requests, slots, tables, use_solver=False)
    assert (result.method, result.status) == ("greedy", "fallback: solver not used")
    assert violations(result, people, requests, slots, tables) == []


def test_violations_notices_broken_schedules():
    people = [Person(number, frozenset({1}), frozenset({"en"})) for number in (1, 2, 3)]
    requests = [MeetingRequest(1, (1, 2), False), MeetingRequest(2, (1, 3), False)]
    broken = scheduling.Schedule(placements={1: (1, 5), 2: (1, 5)}, unplaced={}, method="greedy", bound=2, objective=2)
    problems = violations(broken, people, requests, [1], [Table(5, 2)])
    assert "table 5 used twice in slot 1" in problems
    assert "person 1 booked twice in slot 1" in problems


def test_cp_sat_finds_the_optima_an_unrepaired_greedy_answer_misses(weak_bounds, monkeypatch):
    """Without its repair passes the greedy answer misses optima; CP-SAT, warm-started with it, finds them all."""
    monkeypatch.setattr(scheduling, "REPAIR_PASSES", 0)
    missed = 0
    for seed in range(25):
        rng = random.Random(1000 + seed)
        people, requests, slots, tables = random_instance(
            rng,
            people=5,
            requests=rng.randint(5, 7),
            slots=3,
            tables=rng.choice([[2, 3], [2, 2], [3], [2, 4]]),
            languages=["zh", "en"],
        )
        best = brute_force(people, requests, slots, tables)
        greedy = schedule(people, requests, slots, tables, use_solver=False)
        missed += lexicographic(greedy, requests) < best
        assert lexicographic(schedule(people, requests, slots, tables, time_limit_s=10), requests) == best
    assert missed >= 3


def test_empty_inputs():
    person = Person(1, frozenset({1}), frozenset({"en"}))
    other = Person(2, frozenset({1}), frozenset({"en"}))
    request = MeetingRequest(1, (1, 2), True)
    assert schedule([], [], [], []).placements == {}
    assert schedule([person, other], [request], [], [Table(1, 2)]).unplaced == {1: NO_COMMON_SLOT}
    assert schedule([person, other], [request], [1], []).unplaced == {1: NO_TABLE_LARGE_ENOUGH}


def test_the_benchmark_instance_at_a_small_scale():
    """The generated expo of bench matchmaking (delegations, 3-person meetings, tables of 2, 4 and 6 seats)."""
    from bench.bench_matchmaking import instance

    people, requests, slots, tables = instance(participants=200, requests=1500, seed=3)
    tables = tables[:20] + tables[110:116] + tables[140:142]
    result = schedule(people, requests, slots, tables, time_limit_s=10)
    assert violations(result, people, requests, slots, tables) == []
    assert result.placed <= result.bound <= len(slots) * len(tables)
    assert result.placed >= 0.95 * result.bound
