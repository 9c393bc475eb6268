"""A report's period: calendar days in the store's timezone, as a half-open UTC range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from retour.domain.errors import InvalidRequest

#: Longest period one report covers.
MAX_DAYS = 366


class Cohort(StrEnum):
    """Which date puts a return in the period: its order's or its own request's."""

    ORDER_DATE = "order_date"
    RETURN_DATE = "return_date"


@dataclass(frozen=True)
class Period:
    """The days `first_day` … `last_day` (inclusive) in `timezone`."""

    first_day: date
    last_day: date
    timezone: str

    @property
    def start(self) -> datetime:
        """Local midnight opening the first day, in UTC."""
        return _midnight_utc(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        """Local midnight closing the last day, in UTC (excluded)."""
        return _midnight_utc(self.last_day + timedelta(days=1), self.timezone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def preceding(self, days: int) -> Period:
        """The `days` days just before this period."""
        last = self.first_day - timedelta(days=1)
        return Period(last - timedelta(days=days - 1), last, self.timezone)


def make_period(first_day: date, last_day: date, timezone: str) -> Period:
    """A period, refused when it runs backwards or is longer than `MAX_DAYS`."""
    if last_day < first_day:
        raise InvalidRequest("`to` must not be before `from`", field="to")
    if (last_day - first_day).days >= MAX_DAYS:
        raise InvalidRequest(f"a report covers at most {MAX_DAYS} days", field="to")
    return Period(first_day, last_day, timezone)


def _midnight_utc(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)
