"""What the parts of the scale seed share: the bench logins, options and in-memory records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.db import models

BENCH_PASSWORD = "bench12345"  # noqa: S105 (bench logins; seed_scale refuses when DEBUG is off)
BENCH_DOMAIN = "bench.local"
DAY = timedelta(days=1)


def office_email(role: str, office_no: int) -> str:
    """``pk1@office1.bench.local``: every bench login is predictable."""
    return f"{role}@office{office_no}.{BENCH_DOMAIN}"


def model(label: str) -> type[models.Model]:
    """A feature app's model by label, so ``bapas`` imports no feature app."""
    return apps.get_model(label)


@dataclass
class ScaleOptions:
    offices: int = 90
    clients: int = 200_000
    contacts: int = 2_000_000
    referrals: int = 300_000
    sessions: int = 1_000_000
    meetings: int = 20_000
    years: int = 3
    seed: int = 1


@dataclass
class OfficeInfo:
    no: int
    id: int
    city: str
    regency_code: str
    province_code: str
    head: int = 0
    supervisors: list[int] = field(default_factory=list)
    operator: int = 0
    pks: list[int] = field(default_factory=list)
    partners: list[int] = field(default_factory=list)
    clients: list[int] = field(default_factory=list)
    districts: list[tuple[str, list[str], str]] = field(default_factory=list)


@dataclass(slots=True)
class OrderInfo:
    id: int
    office: int  # index into offices
    client: int
    child: bool
    pk: int | None
    start: int  # date ordinals
    end: int
    status: str
    closed: int  # status date ordinal, 0 while active
    risk: str
    program: str
