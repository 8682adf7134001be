"""Query budgets that count real queries, not django-tenants' per-cursor `SET search_path`."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def query_budget(limit: int):
    """Fail when the block runs more than `limit` queries (search_path switches excluded)."""
    with CaptureQueriesContext(connection) as captured:
        yield captured
    queries = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(queries) <= limit, f"{len(queries)} queries > budget {limit}:\n" + "\n".join(queries)
