"""When to try a failed delivery again: a fixed schedule, spread with jitter, then give up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

_S, _M, _H = 1, 60, 3600

#: Webhooks: retried over about three days (5 s … 20 h apart; 71.6 h in all).
WEBHOOK_SCHEDULE: tuple[int, ...] = (
    5 * _S, 5 * _M, 30 * _M, 2 * _H, 5 * _H, 10 * _H, 10 * _H, 10 * _H, 14 * _H, 20 * _H,
)  # fmt: skip
#: E-mails: a mail server is usually back within hours.
EMAIL_SCHEDULE: tuple[int, ...] = (1 * _M, 5 * _M, 30 * _M, 2 * _H, 6 * _H)
#: ±20 %: retries of many deliveries that failed together do not arrive together.
JITTER = 0.2


def schedule_for(channel: str) -> tuple[int, ...]:
    return WEBHOOK_SCHEDULE if channel == "webhook" else EMAIL_SCHEDULE


def next_attempt_at(
    schedule: Sequence[int],
    attempts_made: int,
    now: datetime,
    uniform: Callable[[float, float], float],
) -> datetime | None:
    """When to try again after `attempts_made` failed attempts; None once the schedule is
    used up (the delivery is dead). `uniform` is `random.uniform` (injected for tests)."""
    if attempts_made < 1 or attempts_made > len(schedule):
        return None
    delay = schedule[attempts_made - 1]
    return now + timedelta(seconds=delay * uniform(1 - JITTER, 1 + JITTER))
