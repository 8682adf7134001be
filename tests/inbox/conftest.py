"""Inbox tests read notices in English unless they choose another language (a page served earlier in the same
thread may have left another one active)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
