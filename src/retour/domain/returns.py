"""The return (RMA) aggregate: one request against one order, and every move it can make."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from retour.domain.completion import completed_lines, completion_blocker
from retour.domain.errors import IllegalTransition, InvalidRequest
from retour.domain.events import DomainEvent
from retour.domain.inputs import (
    InspectionInput,
    LineRequest,
    Receipt,
    StockMove,
    UnexpectedItem,
    required_text,
)
from retour.domain.inspecting import check_verdicts, record_verdicts, verdicts_payload
from retour.domain.keep_items import approval_deadline, refuse_keep_item
from retour.domain.lines import Resolution, ReturnLine, ReturnMethod
from retour.domain.orders import Order
from retour.domain.policy_override import DECISION_KEY, TermsOverride, changed_override
from retour.domain.quantity_checks import requested_lines, units_held
from retour.domain.quantity_edits import changes_payload, check_edit, checked_reason, edit_blocker
from retour.domain.receiving import check_receipts, received_payload, record_receipts
from retour.domain.review import approve_lines, lines_payload
from retour.domain.statuses import ReturnAction, ReturnStatus, ensure_allowed, is_allowed

_UNDECIDED_OR_APPROVED = frozenset(
    {ReturnStatus.REQUESTED, ReturnStatus.NEEDS_INFO, ReturnStatus.APPROVED}
)
#: A parcel is on its way back, or about to be: a delivery at the warehouse means "arrived".
_AWAITING_PARCEL = frozenset({ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT})


@dataclass
class Return:
    store_id: int
    order_id: int
    number: str
    customer_email: str
    currency: str
    resolution: Resolution
    return_method: ReturnMethod
    created_at: datetime
    updated_at: datetime
    status: ReturnStatus = ReturnStatus.REQUESTED
    lines: list[ReturnLine] = field(default_factory=list)
    customer_note: str = ""
    staff_message: str = ""
    tracking_number: str = ""
    carrier: str = ""
    approved_at: datetime | None = None
    expires_at: datetime | None = None
    completed_at: datetime | None = None
    #: When the carrier delivered the parcel at the warehouse (a `delivered` scan): shown as
    #: arrived until the warehouse receives the items. None: not delivered, or no tracking.
    arrived_at: datetime | None = None
    #: Summary of the return's refunds (none, pending, failed, partially_refunded, refunded),
    #: kept by the refund use cases; the aggregate only carries it.
    refund_status: str = "none"
    #: What the shopper owes for a dearer exchange until it is released (its payment recorded),
    #: read with the return from its replacement order; the aggregate only carries it.
    balance_due: int = 0
    #: The store's policy version it was decided under and what the engine said then (None:
    #: no policy); set by the request use case, the aggregate only carries them.
    policy_version: int | None = None
    policy_decision: Mapping[str, Any] | None = None
    risk_score: int | None = None
    window_days_left: int | None = None
    id: int | None = None
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def request(
        cls,
        *,
        order: Order,
        return_id: int,
        line_ids: Sequence[int],
        number: str,
        requests: Sequence[LineRequest],
        returnable: Mapping[int, int],
        resolution: Resolution,
        return_method: ReturnMethod,
        customer_note: str,
        now: datetime,
    ) -> Return:
        """Open a return; each quantity must fit in what is still returnable on its line.

        Ids are given (reserved by the caller) so that the `return.requested` event can name
        the lines it creates.
        """
        if len(line_ids) != len(requests):
            raise ValueError("one reserved id per requested line")
        if not requests:
            raise InvalidRequest("a return needs at least one line", field="lines")
        lines = requested_lines(order, requests, line_ids, returnable, resolution)
        created = cls(
            id=return_id,
            store_id=order.store_id,
            order_id=order.id,
            number=number,
            customer_email=order.customer_email,
            currency=order.currency,
            resolution=resolution,
            return_method=return_method,
            created_at=now,
            updated_at=now,
            lines=lines,
            customer_note=customer_note,
        )
        created._record(
            "return.requested", lines=lines_payload(created.lines, "requested_quantity")
        )
        return created

    # -- predicates -------------------------------------------------------------------------

    def can(self, action: ReturnAction) -> bool:
        """True when `action` is allowed now; drives both the guards and the buttons."""
        if action is ReturnAction.COMPLETE:
            return completion_blocker(self.status, self.return_method) is None
        if action is ReturnAction.EDIT_QUANTITIES:
            return edit_blocker(self.status, self.lines) is None
        return is_allowed(self.status, action)

    def can_approve(self) -> bool:
        return self.can(ReturnAction.APPROVE)

    def can_cancel(self) -> bool:
        return self.can(ReturnAction.CANCEL)

    def can_receive(self) -> bool:
        return self.can(ReturnAction.RECEIVE)

    def can_inspect(self) -> bool:
        return self.can(ReturnAction.INSPECT)

    def can_complete(self) -> bool:
        return self.can(ReturnAction.COMPLETE)

    def can_edit_quantities(self) -> bool:
        return self.can(ReturnAction.EDIT_QUANTITIES)

    def allowed_actions(self) -> list[ReturnAction]:
        return [action for action in ReturnAction if self.can(action)]

    def held_quantity(self, order_line_id: int) -> int:
        """Units of an order line this return keeps from being returned again."""
        return sum(
            units_held(self.status, line.requested_quantity, line.approved_quantity)
            for line in self.lines
            if line.order_line_id == order_line_id and not line.is_unexpected
        )

    def line(self, line_id: int, field: str) -> ReturnLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise InvalidRequest(f"return {self.number} has no line {line_id}", field=field)

    # -- transitions ------------------------------------------------------------------------

    def approve(
        self,
        now: datetime,
        deadline_days: int,
        quantities: Mapping[int, int] | None = None,
        message: str = "",
    ) -> None:
        """Approve every requested unit, or only `quantities` (line id → units; others get 0);
        `message` is the staff's words to the shopper (it replaces any earlier message)."""
        ensure_allowed(self.status, ReturnAction.APPROVE)
        approve_lines(self.lines, quantities, self.line)
        self.status = ReturnStatus.APPROVED
        self.approved_at = now
        self.staff_message = message.strip()
        self.expires_at = approval_deadline(self.return_method, now, deadline_days)
        self._touch(now)
        self._record(
            "return.approved",
            lines=lines_payload(self.lines, "approved_quantity"),
            expires_at=self.expires_at.isoformat() if self.expires_at else None,
            **({"message": self.staff_message} if self.staff_message else {}),
        )

    def reject(self, now: datetime, reason: str) -> None:
        ensure_allowed(self.status, ReturnAction.REJECT)
        self.staff_message = required_text(reason, "reason")
        self.status = ReturnStatus.REJECTED
        self._touch(now)
        self._record("return.rejected", reason=self.staff_message)

    def request_info(self, now: datetime, message: str) -> None:
        ensure_allowed(self.status, ReturnAction.REQUEST_INFO)
        self.staff_message = required_text(message, "message")
        self.status = ReturnStatus.NEEDS_INFO
        self._touch(now)
        self._record("return.info_requested", message=self.staff_message)

    def answer_info(self, now: datetime, message: str) -> None:
        ensure_allowed(self.status, ReturnAction.ANSWER_INFO)
        answer = required_text(message, "message")
        self.status = ReturnStatus.REQUESTED
        self._touch(now)
        self._record("return.info_provided", message=answer)

    def cancel(self, now: datetime, reason: str = "") -> None:
        ensure_allowed(self.status, ReturnAction.CANCEL)
        self.status = ReturnStatus.CANCELLED
        self._touch(now)
        self._record("return.cancelled", reason=reason.strip())

    def fall_back_to(self, now: datetime, resolution: Resolution, reason: str) -> None:
        """Pay this return another way (an exchange whose items ran out of stock)."""
        if self.status not in _UNDECIDED_OR_APPROVED:
            raise IllegalTransition("change the resolution of", self.status.value)
        previous = self.resolution
        self.resolution = resolution
        for line in self.lines:
            if line.resolution is previous:
                line.resolution = resolution
        self._touch(now)
        self._record(
            "return.resolution_changed",
            previous=previous.value,
            resolution=resolution.value,
            reason=reason,
        )

    def edit_quantities(
        self,
        now: datetime,
        quantities: Mapping[int, int],
        reason: str,
        refunded: Mapping[int, int] | None = None,
        free_units: Mapping[int, int] | None = None,
        exchange_reserved: bool = False,
    ) -> None:
        """Change approved units of lines none of whose units arrived (line id → units; lines
        left out keep theirs); the rules and their inputs: `quantity_edits.check_edit`."""
        blocker = edit_blocker(self.status, self.lines)
        if blocker is not None:
            raise blocker
        why = checked_reason(reason)
        changes = check_edit(
            self.lines, quantities, self.line, refunded or {}, free_units or {},
            exchange_reserved,
        )  # fmt: skip
        for change in changes:
            self.line(change.line_id, field="lines").approved_quantity = change.after
        # Nothing more awaited (the missing units will not come): the return is received.
        if self.status is ReturnStatus.PARTIALLY_RECEIVED and not any(
            line.awaiting_receipt_quantity for line in self.lines
        ):
            self.status = ReturnStatus.RECEIVED
        self._touch(now)
        self._record("return.quantities_changed", lines=changes_payload(changes), reason=why)

    def change_location(self, now: datetime, current: str, chosen: str, reason: str) -> None:
        """Send the return to another of the store's locations (codes) before it ships."""
        ensure_allowed(self.status, ReturnAction.CHANGE_LOCATION)
        refuse_keep_item(self.return_method, ReturnAction.CHANGE_LOCATION)
        if chosen == current:
            raise InvalidRequest(f"the return already goes to {current}", field="location")
        why = required_text(reason, "reason")
        self._touch(now)
        self._record("return.location_changed", **{"from": current, "to": chosen}, reason=why)

    def override_policy(self, now: datetime, override: TermsOverride) -> None:
        """Staff change the refund terms (fees waived, original shipping refunded), with a
        reason, until the return is closed or refunded in full; the same terms again change
        nothing."""
        ensure_allowed(self.status, ReturnAction.OVERRIDE_POLICY)
        if self.refund_status == "refunded":
            raise IllegalTransition(ReturnAction.OVERRIDE_POLICY.value, "refunded in full")
        kept = changed_override(override, self.policy_decision)
        if kept is None:
            return
        self.policy_decision = {**(self.policy_decision or {}), DECISION_KEY: kept.as_json()}
        self._touch(now)
        self._record("return.policy_overridden", **kept.as_json())

    def mark_in_transit(self, now: datetime, tracking_number: str, carrier: str = "") -> None:
        ensure_allowed(self.status, ReturnAction.MARK_IN_TRANSIT)
        refuse_keep_item(self.return_method, ReturnAction.MARK_IN_TRANSIT)
        self.tracking_number = required_text(tracking_number, "tracking_number")
        self.carrier = carrier.strip()
        self.status = ReturnStatus.IN_TRANSIT
        self._touch(now)
        self._record(
            "return.in_transit", tracking_number=self.tracking_number, carrier=self.carrier
        )

    def is_awaiting_arrival(self) -> bool:
        """Approved or in transit, and no delivery at the warehouse recorded yet."""
        return self.arrived_at is None and self.status in _AWAITING_PARCEL

    def mark_arrived(self, now: datetime, tracking_number: str, delivered_at: datetime) -> None:
        """The carrier delivered the parcel at the warehouse. The status does not move:
        receiving the items (what came, how many) stays the warehouse's own step."""
        if not self.is_awaiting_arrival():
            state = "arrived already" if self.arrived_at is not None else self.status.value
            raise IllegalTransition("mark arrived", state)
        self.arrived_at = delivered_at
        self._touch(now)
        self._record(
            "return.arrived",
            tracking_number=tracking_number,
            delivered_at=delivered_at.isoformat(),
        )

    def receive(
        self,
        now: datetime,
        receipts: Sequence[Receipt],
        unexpected: Sequence[UnexpectedItem] = (),
    ) -> None:
        """Record units that arrived; partial receipts leave the return partially received."""
        ensure_allowed(self.status, ReturnAction.RECEIVE)
        refuse_keep_item(self.return_method, ReturnAction.RECEIVE)
        check_receipts(self.lines, receipts, unexpected, self.line)
        record_receipts(self.lines, receipts, unexpected, self.resolution, self.line)
        fully_received = all(line.awaiting_receipt_quantity == 0 for line in self.lines)
        self.status = ReturnStatus.RECEIVED if fully_received else ReturnStatus.PARTIALLY_RECEIVED
        self._touch(now)
        self._record("return.received", **received_payload(receipts, unexpected, fully_received))

    def inspect(self, now: datetime, verdicts: Sequence[InspectionInput]) -> list[StockMove]:
        """Grade and route received units; returns the stock moves their dispositions call for."""
        ensure_allowed(self.status, ReturnAction.INSPECT)
        check_verdicts(self.lines, verdicts, self.line)
        moves = record_verdicts(verdicts, self.line, now)
        all_inspected = all(line.awaiting_inspection_quantity == 0 for line in self.lines)
        if self.status is ReturnStatus.RECEIVED and all_inspected:
            self.status = ReturnStatus.INSPECTED
        self._touch(now)
        self._record(
            "return.inspected",
            verdicts=verdicts_payload(verdicts),
            fully_inspected=self.status is ReturnStatus.INSPECTED,
        )
        return moves

    def complete(self, now: datetime) -> None:
        """Close the return once every line has an outcome, recording the chosen resolution."""
        blocker = completion_blocker(self.status, self.return_method)
        if blocker is not None:
            raise blocker
        self.status = ReturnStatus.COMPLETED
        self.completed_at = now
        self._touch(now)
        self._record(
            "return.completed",
            resolution=self.resolution.value,
            lines=completed_lines(self.lines, self.return_method),
        )

    def expire(self, now: datetime) -> None:
        """Close an approved return whose parcel never arrived by its deadline."""
        ensure_allowed(self.status, ReturnAction.EXPIRE)
        refuse_keep_item(self.return_method, ReturnAction.EXPIRE)
        if self.expires_at is None or now < self.expires_at:
            raise IllegalTransition(ReturnAction.EXPIRE.value, "approved and not yet due")
        self.status = ReturnStatus.EXPIRED
        self._touch(now)
        self._record("return.expired", expired_at=now.isoformat())

    def is_overdue(self, now: datetime) -> bool:
        return (
            self.status is ReturnStatus.APPROVED
            and self.expires_at is not None
            and now >= self.expires_at
        )

    def check_invariants(self) -> None:
        for line in self.lines:
            line.check_invariants()

    # -- helpers ----------------------------------------------------------------------------

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        self.check_invariants()

    def _record(self, name: str, **payload: Any) -> None:
        self.events.append(
            DomainEvent(name, {"number": self.number, "status": self.status.value, **payload})
        )
