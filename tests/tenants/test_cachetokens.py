"""Version tokens in the shared cache (tenants.cachetokens): an entry never outlives a change of its scopes."""

import pytest

from tenants import cachetokens

pytestmark = pytest.mark.django_db

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cachetokens-tests"}
ENTRY = "test:entry"
ONE, TWO = "test:token:one", "test:token:two"


@pytest.fixture
def shared_cache(settings):
    """A cache for the `throttle` alias as every web process would share it (Redis in production)."""
    settings.CACHES = {**settings.CACHES, "throttle": LOCMEM}
    cachetokens.shared_cache().clear()
    yield cachetokens.shared_cache()
    cachetokens.shared_cache().clear()


def _read():
    return cachetokens.TokenRead({ENTRY: (ONE, TWO)})


def test_an_entry_is_read_back_under_the_same_tokens(shared_cache):
    assert _read().get(ENTRY) is None
    _read().remember(ENTRY, {"answer": 42})
    assert _read().get(ENTRY) == {"answer": 42}


@pytest.mark.parametrize("scope", [ONE, TWO])
def test_a_bump_of_any_scope_makes_the_entry_stale(shared_cache, scope):
    _read().remember(ENTRY, "cached")
    cachetokens.bump(scope)
    assert _read().get(ENTRY) is None
    _read().remember(ENTRY, "fresh")  # stored again under the new tokens
    assert _read().get(ENTRY) == "fresh"


def test_a_value_read_before_a_bump_is_stored_under_the_old_tokens(shared_cache):
    """A reader racing a change: its tokens were read before the database, so what it stores is stale at once."""
    racing = _read()
    cachetokens.bump(ONE)
    racing.remember(ENTRY, "read before the change")
    assert _read().get(ENTRY) is None


def test_bump_deletes_the_stale_entries_and_replaces_the_token_again_after_commit(
    shared_cache, django_capture_on_commit_callbacks
):
    _read().remember(ENTRY, "cached")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cachetokens.bump(ONE, ENTRY)
        assert shared_cache.get(ENTRY) is None
        during = shared_cache.get(ONE)
    assert len(callbacks) == 1
    assert shared_cache.get(ONE) not in (None, during, cachetokens.NONE)


def test_scopes_of_other_entries_do_not_touch_this_one(shared_cache):
    other = cachetokens.TokenRead({"test:other": ("test:token:other",)})
    other.remember("test:other", "theirs")
    _read().remember(ENTRY, "mine")
    cachetokens.bump("test:token:other")
    assert _read().get(ENTRY) == "mine"
    assert cachetokens.TokenRead({"test:other": ("test:token:other",)}).get("test:other") is None


def test_one_read_is_one_round_trip(shared_cache, monkeypatch):
    calls = []
    original = shared_cache.get_many
    monkeypatch.setattr(shared_cache, "get_many", lambda keys: calls.append(sorted(keys)) or original(keys))
    cachetokens.TokenRead({ENTRY: (ONE, TWO), "test:second": (ONE,)})
    assert calls == [sorted([ENTRY, "test:second", ONE, TWO])]


def test_without_a_shared_cache_nothing_is_ever_read_back(settings):
    settings.CACHES = {**settings.CACHES, "throttle": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    _read().remember(ENTRY, "cached")
    assert _read().get(ENTRY) is None


def test_an_entry_of_another_shape_is_a_miss(shared_cache):
    """What an earlier release stored under the same key (a bare token, a pair with one token) is never served."""
    for stored in ("-", ("-", "value"), ["x"], 7):
        shared_cache.set(ENTRY, stored)
        assert _read().get(ENTRY) is None


def test_a_read_answers_only_for_the_entries_and_scopes_it_fetched(shared_cache):
    read = _read()
    assert read.covers({ENTRY: (ONE, TWO)})
    assert not read.covers({ENTRY: (ONE,)})
    assert not read.covers({"test:another": (ONE, TWO)})
