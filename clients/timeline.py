"""The client's single timeline. Apps contribute entries through registered sources.

A source is ``fn(client, user) -> Iterable[TimelineEntry]``; partners and meetings register theirs
in their AppConfig.ready, so clients never imports them. Each source must run a constant number of
queries whatever the number of entries (prefetch, no per-row queries).

A source whose entries grow with the length of supervision (contacts: one a week for years) is
registered with ``paged=True``: it is called as ``fn(client, user, limit=n)`` and returns a
``SourcePage`` with only its newest ``n`` entries and how many it has in all, so the client page
builds the entries of the pages up to the one shown, not of the whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.functional import Promise


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # aware datetime; dates are placed at 00:00 local time
    category: str  # filter key: "contact", "note", "document", "status", "referral", "meeting"
    title: str | Promise
    detail: str = ""
    url: str = ""
    icon: str = "circle"
    badge: str = ""
    badge_class: str = "text-bg-secondary"
    extra: dict = field(default_factory=dict)


@dataclass
class SourcePage:
    """What a paged source returns: its newest entries (at most ``limit``), its total, and the
    one category all its entries have."""

    entries: list[TimelineEntry]
    total: int
    category: str


TimelineSource = Callable[..., Iterable[TimelineEntry] | SourcePage]
_sources: dict[str, TimelineSource] = {}
_paged: set[str] = set()


def register_source(name: str, source: TimelineSource, *, paged: bool = False) -> None:
    _sources[name] = source
    if paged:
        _paged.add(name)
    else:
        _paged.discard(name)


def sources() -> dict[str, TimelineSource]:
    return dict(_sources)


def _newest_first(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    return sorted(entries, key=lambda e: e.at, reverse=True)


def build_timeline(client, user, categories: set[str] | None = None) -> list[TimelineEntry]:
    """Every entry, newest first."""
    entries: list[TimelineEntry] = []
    for name, source in _sources.items():
        found = source(client, user, limit=None).entries if name in _paged else source(
            client, user)
        for entry in found:
            if categories is None or entry.category in categories:
                entries.append(entry)
    return _newest_first(entries)


class TimelineWindow:
    """The newest ``limit`` entries of the timeline, and how many there are in all.

    Behaves as the whole (sorted) list for ``Paginator`` as long as only the first ``limit``
    entries are sliced: ``len()`` is the total, slices come from the newest entries."""

    def __init__(self, entries: list[TimelineEntry], total: int, present: set[str],
                 limit: int | None):
        self.entries, self.total, self.present, self.limit = entries, total, present, limit

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        stop = index.stop if isinstance(index, slice) else index + 1
        if self.limit is not None and stop is not None and stop > self.limit:
            raise IndexError("beyond the window: build it with a larger limit")
        return self.entries[index]


def timeline_window(client, user, *, limit: int | None,
                    categories: set[str] | None = None) -> TimelineWindow:
    """The entries of ``categories`` (None: all), newest first, built for the first ``limit``
    only where a source is paged; ``present``: the categories that have any entry at all."""
    entries: list[TimelineEntry] = []
    present: set[str] = set()
    total = 0
    for name, source in _sources.items():
        if name in _paged:
            page = source(client, user, limit=limit)
            if page.total:
                present.add(page.category)
            if categories is None or page.category in categories:
                entries += page.entries
                total += page.total
            continue
        for entry in source(client, user):
            present.add(entry.category)
            if categories is None or entry.category in categories:
                entries.append(entry)
                total += 1
    entries = _newest_first(entries)
    return TimelineWindow(entries if limit is None else entries[:limit], total, present, limit)
