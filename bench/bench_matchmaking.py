"""The matchmaking scheduler at expo scale: 2,000 participants, 20,000 mutual requests, 12 slots × 150 tables.

`bench matchmaking: participants=… requests=… schedule_s=… placed_pct=… bound_pct=…` and extra figures.
The instance is generated (seeded, not timed): two days of six slots; people of 1–4-person partner delegations
speak 1–3 languages (their delegation's home language, Chinese for most, English for seven in ten, a third for
some),
some come for one day only, some arrive late or leave early, and most have a slot or two taken by talks; requests
are distinct mutual pairs between people of different delegations, drawn with a skewed popularity (a few people
are wanted by many), one in twenty with a colleague joining (3 people), about 6 % must-meets; 150 tables
(110 with 2 seats, 30 with 4, 10 with 6). 12 × 150 = 1,800 places, so at most 9 % of the requests can be placed.

- `schedule_s`: wall time of `portal.events.scheduling.schedule` (time limit 25 s; goal under 30 s).
- `placed_pct`: placed requests as a percentage of all; `bound_pct`: the upper bound the same call computed, as
  a percentage of all (goal: placed_pct within 2 points of it).
- `must_placed` / `must_bound`: must-meets placed and their bound; `method`, `status`: which answer was returned
  and whether it is proven best. The schedule is checked against every rule (`violations`) before reporting.

No database is used: `.venv/bin/python -c "import bench.bench_matchmaking as b; print(b.run())"` runs it alone.
"""

import os
import random
import time
from collections import Counter

from portal.events.scheduling import MeetingRequest, Person, Table, schedule, violations

PARTICIPANTS = int(os.environ.get("MATCHMAKING_BENCH_PARTICIPANTS", 2000))
REQUESTS = int(os.environ.get("MATCHMAKING_BENCH_REQUESTS", 20000))
SLOTS_PER_DAY = 6
# a delegation's home language (most partners are Chinese); English is the usual second language
HOME_LANGUAGES = {"zh": 0.6, "en": 0.1, "de": 0.06, "ar": 0.06, "th": 0.06, "ja": 0.06, "fr": 0.03, "es": 0.03}
TABLE_SIZES = [(2, 110), (4, 30), (6, 10)]


def instance(*, participants: int = PARTICIPANTS, requests: int = REQUESTS, seed: int = 16):
    """(people, requests, slots, tables) of a generated expo; the same for the same arguments."""
    rng = random.Random(seed)
    slots = list(range(2 * SLOTS_PER_DAY))
    days = [slots[:SLOTS_PER_DAY], slots[SLOTS_PER_DAY:]]
    people, delegation_of, delegations = [], {}, []
    while len(people) < participants:
        delegation = []
        home = rng.choices(list(HOME_LANGUAGES), weights=list(HOME_LANGUAGES.values()))[0]
        for _ in range(min(rng.choice([1, 1, 2, 2, 3, 4]), participants - len(people))):
            person_id = len(people) + 1
            languages = {home}
            if rng.random() < 0.7:
                languages.add("en")
            if rng.random() < 0.15:
                languages.add(rng.choice(list(HOME_LANGUAGES)))
            available = set()
            present = days if rng.random() > 0.15 else [rng.choice(days)]
            for day in present:
                first = rng.choice([0, 0, 0, 1, 2])  # arrives late
                last = len(day) - rng.choice([0, 0, 0, 1, 2])  # leaves early
                available.update(day[first:last])
            for _ in range(rng.choice([0, 1, 1, 2])):  # a talk to give or attend
                available.discard(rng.choice(slots))
            people.append(Person(person_id, frozenset(available), frozenset(languages)))
            delegation_of[person_id] = len(delegations)
            delegation.append(person_id)
        delegations.append(delegation)

    ids = [person.id for person in people]
    popularity = [rng.lognormvariate(0, 0.8) for _ in ids]
    pairs: set[tuple[int, int]] = set()
    wanted = []
    while len(wanted) < requests:
        a = rng.choice(ids)
        b = rng.choices(ids, weights=popularity)[0]
        pair = (min(a, b), max(a, b))
        if delegation_of[a] == delegation_of[b] or pair in pairs:
            continue
        pairs.add(pair)
        members = list(pair)
        colleagues = [p for p in delegations[delegation_of[a]] if p != a]
        if colleagues and rng.random() < 0.05:
            members.append(rng.choice(colleagues))
        wanted.append(MeetingRequest(len(wanted) + 1, tuple(members), must_meet=rng.random() < 0.06))

    tables = []
    for seats, count in TABLE_SIZES:
        tables.extend(Table(len(tables) + 1, seats) for _ in range(count))
    return people, wanted, slots, tables


def run() -> dict:
    people, requests, slots, tables = instance()
    started = time.perf_counter()
    result = schedule(people, requests, slots, tables, time_limit_s=25.0)
    elapsed = time.perf_counter() - started
    problems = violations(result, people, requests, slots, tables)
    if problems:
        raise AssertionError(f"{len(problems)} rule violations, e.g. {problems[:3]}")
    musts = sum(1 for request in requests if request.must_meet)
    reasons = Counter(result.unplaced.values())
    print(f"unplaced by reason: {dict(sorted(reasons.items()))}; details: {result.details}", flush=True)
    return {
        "participants": len(people),
        "requests": len(requests),
        "schedule_s": f"{elapsed:.2f}",
        "placed_pct": f"{100 * result.placed / len(requests):.2f}",
        "bound_pct": f"{100 * result.bound / len(requests):.2f}",
        "placed": result.placed,
        "bound": result.bound,
        "must_placed": f"{result.must_placed}/{musts}",
        "must_bound": result.details.get("must_bound"),
        "method": result.method,
        "status": f'"{result.status}"',
    }
