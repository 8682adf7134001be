"""Restricted-party screening: fuzzy matching of a consignee against the staff-kept screening list.

Each entry's names (name and aliases) carry precomputed keys (`portal.reference.names`): the words run
together, and the same words sorted. A consignee's name gets the same keys, and rapidfuzz's normalised Indel
similarity (`fuzz.ratio`, 0–100) is computed in C against every key of the list at once, with a score cutoff that
lets it skip keys whose length alone rules them out. The best score over both keys is the entry's score, kept
only when the two names' cores (what is left without places and trade words) agree: "Al Nasr Vehicles Trading"
scores 90 against "Al Noor Vehicles Trading" but is another company. A name written in Han characters (four or
more) that appears whole inside the consignee's name is a hit at the review score whatever the fuzzy score (CJK
containment: 雷霆机车 inside 重庆雷霆机车进出口有限公司).
The keys of the whole list are held in memory per process, per list version (one cheap version query per
check tells when the list changed); a 50,000-entry list is screened in milliseconds (bench/bench_compliance.py).

A hit at or above the review score needs a person's review; at or above the block score it blocks, unless the
entry names a country other than the consignee's (a strong name match in another country still needs review).
Ownership: an entry may name its owners with their shares; an entry that is not listed itself (`listed` unticked:
on the list for its owners) is a hit when owners matching listed entries at the block score hold 50 % or more
together (one level: an owner that is only owned by listed parties does not count).

Speed: only keys whose letter counts are close enough to the name's to reach the cutoff are scored (`KeyBags`: the
count difference is a lower bound of the edit distance, so no hit is lost), and each index remembers the hits of
the names it screened (the index never changes; a new list version is a new index), so re-checks of a consignee's
shipments do not scan the list again.

Thresholds: settings.COMPLIANCE_SCREENING = {"REVIEW_SCORE": …, "BLOCK_SCORE": …}.
"""

from __future__ import annotations

import functools
import hashlib
import string
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from rapidfuzz import fuzz, process

from portal.reference.models import ScreenedParty
from portal.reference.names import cores_agree, name_key_cached, name_keys, phonetic

DEFAULT_THRESHOLDS = {"REVIEW_SCORE": 85.0, "BLOCK_SCORE": 97.0}
# A Han name this long (in characters) found whole inside a consignee's name is a hit; shorter ones are too common.
CONTAINMENT_MIN_CHARACTERS = 4
# Consonant skeletons this alike are one name transliterated twice (a review hit, never a block on its own).
PHONETIC_SCORE = 95.0
# Listed parties owning this share (in percent, together) of an entity make it a hit (the 50 % rule).
OWNERSHIP_SHARE = 50.0
# Names whose hits each index remembers (most recently screened first).
SCREEN_CACHE_SIZE = 2048


# Letter counts (bags) of keys: a-z, 0-9, and four buckets for anything else (merged buckets keep the bound below).
BAG_SIZE = 40
_BAG_OF_ASCII = np.full(128, 36, dtype=np.int64)
_BAG_OF_ASCII[[ord(ch) for ch in string.ascii_lowercase]] = np.arange(26)
_BAG_OF_ASCII[[ord(ch) for ch in string.digits]] = np.arange(26, 36)


def _bag_slots(text: str) -> np.ndarray:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    return np.where(codes < 128, _BAG_OF_ASCII[np.minimum(codes, 127)], 36 + codes % 4)


class KeyBags:
    """The lengths and letter counts of a list of keys, to skip the keys a name cannot reach the cutoff against.

    `fuzz.ratio` is 100 · (1 − d / (len a + len b)) with d the Indel distance, and d is at least the difference of
    the lengths and at least the sum of the differences of the two keys' letter counts. A key for which either
    exceeds (1 − cutoff / 100) · (len a + len b) cannot score the cutoff; only the others are scored: the same
    hits, without scoring every key. Keys are held by length, so the length bound is a slice.
    """

    def __init__(self, keys: list[str]):
        lengths = np.fromiter((len(key) for key in keys), dtype=np.int64, count=len(keys))
        rows = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
        slots = rows * BAG_SIZE + _bag_slots("".join(keys))
        counts = np.bincount(slots, minlength=len(keys) * BAG_SIZE).reshape(len(keys), BAG_SIZE)
        self.order = np.argsort(lengths, kind="stable")  # by length → position in `keys`
        self.lengths = lengths[self.order]
        self.counts = counts[self.order].astype(np.int16)

    def same_as(self, other: KeyBags) -> bool:
        return np.array_equal(self.lengths, other.lengths) and np.array_equal(self.counts, other.counts)

    def candidates(self, query: str, cutoff: float) -> np.ndarray:
        """Positions of the keys that may score `cutoff` or more against `query` (a superset of the hits)."""
        size, share = len(query), cutoff / 100.0
        low, high = 0, len(self.lengths)
        if share > 0:  # |len a − len b| ≤ (1 − share)(len a + len b), with a little room for rounding
            low = np.searchsorted(self.lengths, size * share / (2 - share) - 1e-6, side="left")
            high = np.searchsorted(self.lengths, size * (2 - share) / share + 1e-6, side="right")
        if low >= high:
            return np.empty(0, dtype=np.int64)
        bag = np.bincount(_bag_slots(query), minlength=BAG_SIZE).astype(np.int16)
        apart = np.abs(self.counts[low:high] - bag).sum(axis=1)
        reach = (1.0 - share) * (size + self.lengths[low:high]) + 1e-6
        return self.order[low:high][apart <= reach]


def _scan_keys(query: str, keys: list[str], positions: np.ndarray, cutoff: float):
    """(key position, score) of every key among `positions` scoring `cutoff` or more against `query` (in C)."""
    subset = [keys[at] for at in positions]
    for _choice, score, at in process.extract(query, subset, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
        yield int(positions[at]), score


def thresholds() -> dict[str, float]:
    """The configured review and block scores."""
    configured = {**DEFAULT_THRESHOLDS, **getattr(settings, "COMPLIANCE_SCREENING", {})}
    return {"REVIEW_SCORE": float(configured["REVIEW_SCORE"]), "BLOCK_SCORE": float(configured["BLOCK_SCORE"])}


@dataclass(frozen=True)
class Entry:
    """What a hit needs to explain itself, without going back to the database."""

    id: int
    name: str
    aliases: tuple[str, ...]
    country: str
    address: str
    list_source: str
    source_id: str
    date_added: str
    listed: bool = True  # False: on the list for its owners only
    owners: tuple[tuple[str, float], ...] = ()  # (owner's name, share in percent)


@dataclass(frozen=True)
class Hit:
    """One screening-list entry the name matched, and why."""

    entry: Entry
    score: float
    matched_name: str  # the entry's name or alias that matched best
    alias_index: int  # 0 = the entry's name, 1… = its aliases
    consignee_key: str
    entry_key: str
    country_agrees: bool
    contained: bool = False  # the entry's Han name appears whole inside the consignee's name
    # Owned 50 % or more by listed parties: (owner's name, share, the listed entry it matched), and the total.
    owned_by: tuple[tuple[str, float, str], ...] = ()
    ownership_share: float = 0.0

    def as_dict(self) -> dict:
        return {
            "entry_id": self.entry.id,
            "entry_name": self.entry.name,
            "matched_name": self.matched_name,
            "matched_alias": self.alias_index > 0,
            "score": round(self.score, 1),
            "list_source": self.entry.list_source,
            "source_id": self.entry.source_id,
            "entry_country": self.entry.country,
            "entry_address": self.entry.address,
            "date_added": self.entry.date_added,
            "consignee_key": self.consignee_key,
            "entry_key": self.entry_key,
            "country_agrees": self.country_agrees,
            "contained": self.contained,
            "owned_by": [
                {"owner": owner, "share": share, "listed_as": listed} for owner, share, listed in self.owned_by
            ],
            "ownership_share": self.ownership_share,
        }


class ScreeningIndex:
    """The keys of every name of the list, in two flat lists rapidfuzz scans in C."""

    def __init__(self, version: int, entries: list[Entry], keys: list[list[list[str]]]):
        self.version = version
        # The index never changes (a new list version is a new index), so a name screened again with the same
        # country and cutoff gets the same hits: re-checks of a consignee's shipments scan the list once.
        self._screened = functools.lru_cache(maxsize=SCREEN_CACHE_SIZE)(self._screen)
        self.entries = entries
        self.compact: list[str] = []
        self.sorted: list[str] = []
        self.phonetic: list[str] = []  # consonants only, for transliterations (Al Noor / El Nour)
        self.owner: list[tuple[int, int]] = []  # key position → (entry position, name index)
        # pinyin syllables of each Han name → its (entry position, name index), for containment
        self.han: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        for position, names in enumerate(keys):
            for index, stored in enumerate(names):
                self.compact.append(stored[0])
                self.sorted.append(stored[1])
                self.phonetic.append(phonetic(stored[0]))
                self.owner.append((position, index))
                syllables = tuple(stored[2].split()) if len(stored) > 2 else ()
                if len(syllables) >= CONTAINMENT_MIN_CHARACTERS:
                    self.han.setdefault(syllables, []).append((position, index))
        self.compact_bags = KeyBags(self.compact)
        # A sorted key has the letters of its compact key (the same words): one set of counts serves both.
        sorted_bags = KeyBags(self.sorted)
        self.sorted_bags = self.compact_bags if sorted_bags.same_as(self.compact_bags) else sorted_bags
        self.phonetic_bags = KeyBags(self.phonetic)
        # An entry is a hit when it is listed, or when listed parties own 50 % or more of it (one level).
        self.hittable = [entry.listed for entry in entries]
        self.ownership: dict[int, tuple[tuple[str, float, str], ...]] = {}
        for position, entry in enumerate(entries):
            if not entry.listed and entry.owners:
                owned = self._listed_owners(entry)
                if sum(share for _owner, share, _listed in owned) >= OWNERSHIP_SHARE:
                    self.ownership[position] = owned
                    self.hittable[position] = True

    def _listed_owners(self, entry: Entry) -> tuple[tuple[str, float, str], ...]:
        """The owners of an entry that are listed parties (a match at the block score), with their shares."""
        owned = []
        for owner, share in entry.owners:
            # Not through the cache: `hittable` is still being filled while owners are screened.
            hits = self._screen(owner, "", thresholds()["BLOCK_SCORE"])
            if hits:
                owned.append((owner, share, hits[0].entry.name))
        return tuple(owned)

    def __len__(self) -> int:
        return len(self.entries)

    def screen(self, name: str, *, country: str = "", review_score: float | None = None) -> list[Hit]:
        """Every entry whose name or alias scores at least the review score against `name`, best first."""
        cutoff = thresholds()["REVIEW_SCORE"] if review_score is None else float(review_score)
        return list(self._screened(name, country or "", cutoff))

    def scan(self, name: str, *, country: str = "", review_score: float | None = None) -> list[Hit]:
        """The same hits as `screen`, always computed (what a name not screened before costs; benchmarks)."""
        cutoff = thresholds()["REVIEW_SCORE"] if review_score is None else float(review_score)
        return list(self._screen(name, country or "", cutoff))

    def screened_clear(self) -> None:
        """Forget the remembered hits (benchmarks: a check that screens a consignee for the first time)."""
        self._screened.cache_clear()

    def _screen(self, name: str, country: str, cutoff: float) -> tuple[Hit, ...]:
        key = name_key_cached(name)
        if not key.compact:
            return ()
        scores: dict[int, dict[int, tuple[float, str]]] = {}  # entry position → name index → (score, key)
        compact_at = self.compact_bags.candidates(key.compact, cutoff)
        same_letters = self.sorted_bags is self.compact_bags and sorted(key.sorted) == sorted(key.compact)
        sorted_at = compact_at if same_letters else self.sorted_bags.candidates(key.sorted, cutoff)
        for query, choices, positions in (
            (key.compact, self.compact, compact_at),
            (key.sorted, self.sorted, sorted_at),
        ):
            for at, score in _scan_keys(query, choices, positions, cutoff):
                position, index = self.owner[at]
                if score > scores.setdefault(position, {}).get(index, (-1.0, ""))[0]:
                    scores[position][index] = (score, choices[at])
        # Another transliteration of the same name (El Nour / Al Noor) is a hit at the review score.
        sound = phonetic(key.compact)
        sound_at = self.phonetic_bags.candidates(sound, PHONETIC_SCORE)
        for at, _score in _scan_keys(sound, self.phonetic, sound_at, PHONETIC_SCORE):
            position, index = self.owner[at]
            scores.setdefault(position, {}).setdefault(index, (cutoff, self.compact[at]))
        best: dict[int, tuple[float, int, str, bool]] = {}
        for position, by_name in scores.items():
            if not self.hittable[position]:
                continue
            names = self._names(position)
            for index, (score, entry_key) in sorted(by_name.items(), key=lambda item: -item[1][0]):
                if index < len(names) and cores_agree(key, name_key_cached(names[index])):
                    best[position] = (score, index, entry_key, False)
                    break
        for position, index, syllables in self._contained(key):
            if position not in best and self.hittable[position]:
                best[position] = (cutoff, index, "".join(syllables), True)
        hits = []
        for position, (score, index, entry_key, contained) in best.items():
            entry = self.entries[position]
            names = self._names(position)
            hits.append(
                Hit(
                    entry=entry,
                    score=score,
                    matched_name=names[index] if index < len(names) else entry.name,
                    alias_index=index,
                    consignee_key=key.compact,
                    entry_key=entry_key,
                    country_agrees=not entry.country or not country or entry.country == country,
                    contained=contained,
                    owned_by=self.ownership.get(position, ()),
                    ownership_share=sum(share for _owner, share, _listed in self.ownership.get(position, ())),
                )
            )
        return tuple(sorted(hits, key=lambda hit: (-hit.score, hit.entry.name)))

    def entry(self, entry_id: int) -> Entry | None:
        """The entry with this id, if it is on the list."""
        if not hasattr(self, "_by_id"):
            self._by_id = {entry.id: entry for entry in self.entries}
        return self._by_id.get(entry_id)

    def _names(self, position: int) -> tuple[str, ...]:
        entry = self.entries[position]
        return (entry.name, *entry.aliases)

    def _contained(self, key) -> list[tuple[int, int, tuple[str, ...]]]:
        """Han names of the list found whole inside a consignee's name written in Han characters."""
        if not key.ordered or not self.han:
            return []
        words, found = key.words, []
        for length in range(CONTAINMENT_MIN_CHARACTERS, len(words) + 1):
            for start in range(len(words) - length + 1):
                syllables = tuple(words[start : start + length])
                found += [(position, index, syllables) for position, index in self.han.get(syllables, ())]
        return found


def _owners(owners) -> tuple[tuple[str, float], ...]:
    return tuple(
        (str(owner["name"]), float(owner["share"]))
        for owner in owners or ()
        if isinstance(owner, dict) and owner.get("name") and isinstance(owner.get("share"), int | float)
    )


def _entry(row) -> Entry:
    pk, name, aliases, country, address, list_source, source_id, date_added, listed, owners = row
    return Entry(
        id=pk,
        name=name,
        aliases=tuple(aliases or ()),
        country=str(country or ""),
        address=address or "",
        list_source=list_source,
        source_id=source_id or "",
        date_added=date_added.isoformat() if date_added else "",
        listed=listed is not False,
        owners=_owners(owners),
    )


ENTRY_FIELDS = [
    "pk",
    "name",
    "aliases",
    "country",
    "address",
    "list_source",
    "source_id",
    "date_added",
    "listed",
    "owners",
]


def index_build(*, version: int) -> ScreeningIndex:
    """Read the list's entries and their stored keys (one query)."""
    entries, keys = [], []
    for row in ScreenedParty.objects.order_by("pk").values_list(*ENTRY_FIELDS, "match_keys").iterator(chunk_size=5000):
        entries.append(_entry(row[:-1]))
        keys.append(row[-1] or name_keys([row[1], *(row[2] or [])]))
    return ScreeningIndex(version, entries, keys)


def index_from_parties(parties: list[ScreenedParty], *, version: int) -> ScreeningIndex:
    """An index of given entries (e.g. the list rebuilt from its history to reproduce an old verdict)."""
    entries = [_entry([getattr(party, field) for field in ENTRY_FIELDS]) for party in parties]
    keys = [name_keys(party.all_names()) for party in parties]
    return ScreeningIndex(version, entries, keys)


_cache: dict[str, ScreeningIndex] = {}
_lock = threading.Lock()


def index_get(*, version: int) -> ScreeningIndex:
    """The in-memory index at `version`, rebuilt when the list has changed since it was built."""
    current = _cache.get("index")
    if current is not None and current.version == version:
        return current
    with _lock:
        current = _cache.get("index")
        if current is None or current.version != version:
            current = _cache["index"] = index_build(version=version)
    return current


def index_clear() -> None:
    """Forget the in-memory index (tests, benchmarks)."""
    _cache.pop("index", None)


def _fingerprint(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def entry_fingerprint(entry: Entry) -> str:
    """What a dismissal of this entry depends on: its names, country, address and owners (a change raises the hit
    again)."""
    return _fingerprint(entry.name, *entry.aliases, entry.country, entry.address, entry.listed, *entry.owners)


def consignee_fingerprint(name: str, country: str) -> str:
    """What a dismissal for this consignee depends on: its name (spaces and case aside) and country."""
    return _fingerprint(" ".join((name or "").casefold().split()), country or "")


class DismissalFilter:
    """An index without the hits officers found not to be the listed party (pairs of entry and consignee
    fingerprints): the verdict screens through it like through the index."""

    def __init__(self, index: ScreeningIndex, dismissed: set[tuple[int, str, str]]):
        self.index = index
        self.version = index.version
        self.dismissed = dismissed

    def __len__(self) -> int:
        return len(self.index)

    def screen(self, name: str, *, country: str = "", review_score: float | None = None) -> list[Hit]:
        hits = self.index.screen(name, country=country, review_score=review_score)
        if not self.dismissed:
            return hits
        consignee = consignee_fingerprint(name, country)
        return [hit for hit in hits if (hit.entry.id, entry_fingerprint(hit.entry), consignee) not in self.dismissed]

    def entry(self, entry_id: int) -> Entry | None:
        return self.index.entry(entry_id)
