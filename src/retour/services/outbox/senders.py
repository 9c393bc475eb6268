"""What a channel's sender (e-mail, webhook) is asked to do, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from retour.db.repositories.outbox import Job


@dataclass(frozen=True)
class SendResult:
    is_success: bool
    status_code: int | None = None
    error: str = ""
    #: The first bytes of the receiver's answer, for the delivery's attempt record.
    response_excerpt: str = ""
    message_id: str = ""
    artifact: str = ""
    #: A failure no retry can fix (the subscription is gone, the address is invalid).
    is_permanent: bool = False


class Sender(Protocol):
    def send(self, job: Job) -> SendResult:
        """Send one delivery. Never raises for the receiver's failures: they are results."""
        ...
