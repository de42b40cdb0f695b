"""Reads about clients and orders that several pages share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
