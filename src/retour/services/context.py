"""Who is acting, and the one clock every use case reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


@dataclass(frozen=True)
class Actor:
    """Who did something, as the timeline shows it: `api_key:ops`, `staff:ann@x`, `system`."""

    kind: str
    name: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind


SYSTEM = Actor("system")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests and simulations: it says what it is told."""

    current: datetime

    def now(self) -> datetime:
        return self.current
