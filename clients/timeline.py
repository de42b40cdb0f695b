"""The client's single timeline. Apps contribute entries through registered sources.

A source is ``fn(client, user) -> Iterable[TimelineEntry]``; partners and meetings register theirs
in their AppConfig.ready, so clients never imports them. Each source must run a constant number of
queries whatever the number of entries (prefetch, no per-row queries).
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


TimelineSource = Callable[[object, object], Iterable[TimelineEntry]]
_sources: dict[str, TimelineSource] = {}


def register_source(name: str, source: TimelineSource) -> None:
    _sources[name] = source


def sources() -> dict[str, TimelineSource]:
    return dict(_sources)


def build_timeline(client, user, categories: set[str] | None = None) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for source in _sources.values():
        for entry in source(client, user):
            if categories is None or entry.category in categories:
                entries.append(entry)
    return sorted(entries, key=lambda e: e.at, reverse=True)
