"""Reads about clients and orders that several pages share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from .models import Contact, Outcome


def consecutive_missed(order_ids: Iterable[int]) -> dict[int, int]:
    """For each order, how many of its most recent recorded contacts were missed in a row.

    One query for any number of orders. A missed contact is 'tidak hadir tanpa alasan'; an
    acceptable absence neither counts nor breaks the run; an attended contact ends it.
    """
    order_ids = list(order_ids)
    if not order_ids:
        return {}
    outcomes: dict[int, list[str]] = defaultdict(list)
    rows = (
        Contact.objects.filter(order_id__in=order_ids, cancelled_at__isnull=True)
        .exclude(outcome="")
        .exclude(outcome=Outcome.EXCUSED)
        .order_by("order_id", "-planned_at")
        .values_list("order_id", "outcome")
    )
    for order_id, outcome in rows:
        outcomes[order_id].append(outcome)
    result = {}
    for order_id in order_ids:
        count = 0
        for outcome in outcomes.get(order_id, []):
            if outcome != Outcome.MISSED:
                break
            count += 1
        result[order_id] = count
    return result


class _CountedRows:
    """One page of rows and the total, looking to ``Paginator`` like the whole list."""

    def __init__(self, rows: list, total: int, offset: int):
        self.rows, self.total, self.offset = rows, total, offset

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list:
        if index.start != self.offset:
            raise IndexError("only the page that was read")
        return self.rows


def window_page(queryset: QuerySet, number, per_page: int) -> Page:
    """``Paginator(queryset, per_page).get_page(number)`` in one query instead of two.

    The page's rows come with ``COUNT(*) OVER ()``, the number of rows of the whole list, so
    no separate ``count()`` compiles and runs the (often heavily annotated) query again. Only
    a page past the end (no rows) costs a count, and the last page is read instead.
    """
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(_window_total=Window(Count("pk")))
    offset = (number - 1) * per_page
    rows = list(counted[offset:offset + per_page])
    if rows:
        total = rows[0]._window_total
    else:
        total = queryset.count() if number > 1 else 0
        last = max(1, -(-total // per_page))
        if number != last and total:
            number, offset = last, (last - 1) * per_page
            rows = list(counted[offset:offset + per_page])
        else:
            number, offset = 1, 0
    return Paginator(_CountedRows(rows, total, offset), per_page).page(number)
