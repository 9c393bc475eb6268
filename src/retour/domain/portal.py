"""The shopper portal's rules: does what the shopper typed find the order, and how long must
a client or an order wait after too many failed tries."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LookupLimits:
    #: Failed tries allowed per client, and per order, within `window`.
    tries: int = 10
    window: timedelta = timedelta(minutes=15)


def order_key(number: str) -> str:
    """An order number as shoppers type it: no spaces, no leading '#', case folded."""
    return "".join(number.split()).lstrip("#").casefold()


def compact(text: str) -> str:
    """An e-mail address or postal code compared without case or spaces."""
    return "".join(text.split()).casefold()


def proves_the_order(
    order_email: str, order_postal_code: str, email: str, postal_code: str
) -> bool:
    """The shopper knows the order's e-mail address, or else its shipping postal code.

    Compared in constant time, so the answer's timing does not tell which part was wrong.
    """
    if email.strip():
        return hmac.compare_digest(compact(email).encode(), compact(order_email).encode())
    known = compact(order_postal_code)
    return bool(known) and hmac.compare_digest(compact(postal_code).encode(), known.encode())


def proves_the_gift(is_gift: bool, order_code: str, code: str) -> bool:
    """The gift's recipient knows the code on its gift receipt (a gift order with one)."""
    known = compact(order_code)
    return is_gift and bool(known) and hmac.compare_digest(compact(code).encode(), known.encode())


def seconds_to_wait(
    failures: Sequence[datetime], now: datetime, limits: LookupLimits
) -> int | None:
    """None while fewer than `limits.tries` failures fall within the window; else the
    seconds until the oldest of the last `limits.tries` leaves it (at least 1)."""
    recent = sorted(moment for moment in failures if moment > now - limits.window)
    if len(recent) < limits.tries:
        return None
    frees_at = recent[-limits.tries] + limits.window
    return max(1, int((frees_at - now).total_seconds() + 0.999))
