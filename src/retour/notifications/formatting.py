"""Money and dates as the store's language writes them, in the store's timezone (Babel), and
dates read back from event payloads."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_datetime_format
from babel.numbers import format_currency, format_decimal

from retour.domain.money import currency_precision


def format_money(amount_minor: int, currency: str, locale: str) -> str:
    """`11760, "EUR"` → `€117.60` (en), `117,60 €` (fr, de)."""
    amount = Decimal(amount_minor).scaleb(-currency_precision(currency))
    return str(format_currency(amount, currency, locale=locale))


def format_ratio(ratio: float, locale: str) -> str:
    """How many times a baseline something is, to one decimal: `3.2×` (en), `3,2×` (fr, de)."""
    return f"{format_decimal(ratio, format='0.0', locale=locale)}×"


def zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_day(value: date | datetime, locale: str, timezone: str = "UTC") -> str:
    """A day, long form: `March 2, 2026`, `2 mars 2026`, `2. März 2026`."""
    if isinstance(value, datetime):
        value = value.astimezone(zone(timezone)).date()
    return str(babel_format_date(value, format="long", locale=locale))


def format_moment(value: datetime, locale: str, timezone: str = "UTC") -> str:
    """A day and time in the store's timezone: `March 2, 2026, 10:30 AM`, `2 mars 2026, 10:30`."""
    local = value.astimezone(zone(timezone))
    day = babel_format_date(local.date(), format="long", locale=locale)
    time = babel_format_time(local.time(), format="short", locale=locale)
    return str(get_datetime_format("medium", locale=locale)).replace("'", "").format(time, day)


def parse_moment(value: Any, tz: Any) -> datetime | None:
    """An event payload's ISO moment in `tz`; None when it is missing or unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).astimezone(tz)
    except ValueError:
        return None


def parse_day(value: Any) -> date | None:
    """An event payload's ISO day; None when it is missing or unreadable."""
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
