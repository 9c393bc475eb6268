"""Settings → return policy: the live version and the history, a typed document saved as the
next version or tried on the store's history, a past version saved again. Owners and admins
(CONFIGURE_STORE), for reading too: the policy is store configuration. The rules are
services/policy's (versions.py, simulation.py); this module reads the page's text into them
and says on which line of it each problem is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.policy import InvalidPolicy
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.actions import actor_of
from retour.services.backoffice.audit import audit_entry
from retour.services.policy import versions
from retour.services.policy.document_text import NotJson, lines_of, read_document
from retour.services.policy.simulation import SimulationResult, simulate_policy
from retour.services.policy.versions import PolicyRecord, SavedPolicy
from retour.services.queries import Page

#: Versions a page of the history lists.
VERSIONS_PER_PAGE = 20
#: The periods a simulation may look back over, in days. A year at most: the page waits for
#: the simulation, which judges a few thousand returns a second (docs/backoffice.md).
PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
#: As the API's `note` query parameter.
MAX_NOTE = 2000


@dataclass(frozen=True)
class PolicySettings:
    live: PolicyRecord
    versions: Page[PolicyRecord]


@dataclass(frozen=True)
class PolicyProblem:
    #: The JSON pointer into the document ("" for the whole of it).
    pointer: str
    message: str
    #: The line of the typed text it is on, when known.
    line: int | None


class PolicyRefused(DomainError):
    """A typed document that is not JSON or breaks the schema: every problem, nothing done."""

    code = "invalid_policy"

    def __init__(self, problems: list[PolicyProblem]) -> None:
        count = len(problems)
        super().__init__(
            f"The document has {count} error{'' if count == 1 else 's'}: nothing was saved.",
            field="document",
        )
        self.problems = problems


@dataclass(frozen=True)
class Simulation:
    result: SimulationResult
    #: The draft's currency: the report's amounts are in it.
    currency: str
    days: int


def policy_settings(uow: UnitOfWork, staff: StaffMember, cursor: str | None) -> PolicySettings:
    """The live version (or the built-in one) and a page of saved versions, newest first."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    live = versions.live_policy_record(uow, staff.store_id)
    page = versions.list_policy_versions(uow, staff.store_id, cursor, VERSIONS_PER_PAGE)
    return PolicySettings(live, page)


def policy_version(uow: UnitOfWork, staff: StaffMember, version: int) -> PolicyRecord:
    """One version (0: the built-in policy); another store's, or none, is NotFound."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return versions.get_policy_version(uow, staff.store_id, version)


def save_typed_policy(
    uow: UnitOfWork, staff: StaffMember, text: str, note: str, now: datetime
) -> SavedPolicy:
    """The typed document saved as the next version, live at once; PolicyRefused else."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidRequest(f"the note may have at most {MAX_NOTE} characters", field="note")
    document = _document(text)
    try:
        with audit_entry(uow, staff, "policy", "saved", now=now) as entry:
            saved = versions.save_policy(uow, staff.store_id, document, note, actor_of(staff), now)
            entry.subject, entry.details = f"version {saved.record.version}", {"note": note}
            return saved
    except InvalidPolicy as invalid:
        raise _refused(text, invalid) from None


def restore_policy_version(
    uow: UnitOfWork, staff: StaffMember, version: int, now: datetime
) -> SavedPolicy:
    """Save a past version's document again, as the next version."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    record = versions.get_policy_version(uow, staff.store_id, version)
    note = f"Restored version {version}"
    try:
        with audit_entry(uow, staff, "policy", "restored", now=now) as entry:
            saved = versions.save_policy(
                uow, staff.store_id, record.document, note, actor_of(staff), now
            )
            entry.subject = f"version {saved.record.version}"
            entry.details = {"restored_version": version}
            return saved
    except InvalidPolicy as invalid:  # saved under rules since made stricter
        raise PolicyRefused([PolicyProblem(*error, None) for error in invalid.errors]) from None


def simulate_typed_policy(
    uow: UnitOfWork, staff: StaffMember, text: str, days: int, now: datetime
) -> Simulation:
    """What-if: the typed document against the live policy on the returns asked for in the
    last `days` days and the lines of the orders placed since then; nothing is saved."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    if days not in PERIODS:
        allowed = ", ".join(str(period) for period in PERIODS)
        raise InvalidRequest(f"the period must be one of {allowed} days", field="days")
    document = _document(text)
    try:
        result = simulate_policy(uow, staff.store_id, document, now - timedelta(days=days))
    except InvalidPolicy as invalid:
        raise _refused(text, invalid) from None
    return Simulation(result, str(document["currency"]), days)


def _document(text: str) -> Any:
    try:
        return read_document(text)
    except NotJson as error:
        raise PolicyRefused([PolicyProblem("", error.message, error.line)]) from None


def _refused(text: str, invalid: InvalidPolicy) -> PolicyRefused:
    lines = lines_of(text, [pointer for pointer, _ in invalid.errors])
    return PolicyRefused(
        [PolicyProblem(*error, line) for error, line in zip(invalid.errors, lines, strict=True)]
    )
