"""Next / previous pages without a total count (COUNT(*) over millions of rows is slow)."""

PAGE_SIZE = 50
MAX_PAGE = 100_000


class Page:
    """A page of rows: `next` / `previous` only, read with one query of size + 1 rows."""

    def __init__(self, queryset, number: int, size: int = PAGE_SIZE):
        self.number = number
        rows = list(queryset[(number - 1) * size : number * size + 1])
        self.has_next = len(rows) > size
        self.object_list = rows[:size]
        self.has_previous = number > 1
        self.next_page_number = number + 1
        self.previous_page_number = number - 1

    def __iter__(self):
        return iter(self.object_list)


def page_number(raw) -> int:
    """The requested page, clamped to 1 … MAX_PAGE; anything unreadable is page 1."""
    try:
        return max(1, min(int(raw), MAX_PAGE))
    except (TypeError, ValueError, OverflowError):
        return 1
