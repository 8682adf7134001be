"""Query budgets that count real queries, not django-tenants' per-cursor `SET search_path`."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


class RealQueries(CaptureQueriesContext):
    """The queries a block ran, without the `SET search_path` django-tenants sends for each new cursor.

    Those switches follow the number of cursors, not rows; counting them on one side of a comparison and not
    on the other is how a budget ends up twice the real count, so every count here leaves them out.
    """

    @property
    def captured_queries(self):
        return [q for q in super().captured_queries if not q["sql"].startswith("SET search_path")]

    def sql(self) -> str:
        return "\n".join(q["sql"] for q in self.captured_queries)


@contextmanager
def query_budget(limit: int):
    """Fail when the block runs more than `limit` queries (search_path switches excluded)."""
    with RealQueries(connection) as captured:
        yield captured
    assert len(captured) <= limit, f"{len(captured)} queries > budget {limit}:\n{captured.sql()}"


def assert_same_queries(few: RealQueries, many: RealQueries, what: str = "") -> None:
    """The claim "does not grow with rows": the same number of real queries with few rows and with many."""
    assert len(many) == len(few), (
        f"{what or 'the block'}: {len(few)} queries with few rows, {len(many)} with many:\n"
        f"--- few\n{few.sql()}\n--- many\n{many.sql()}"
    )
