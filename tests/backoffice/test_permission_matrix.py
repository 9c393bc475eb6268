"""Every back-office action × every role × the own store and another: the roles the table in
domain/staff.py allows succeed; the others are refused with nothing changed; another store's
return is not found, whatever the role."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from retour.db.models import Event, ReturnNote
from retour.domain.inputs import InspectionInput, Receipt
from retour.domain.lines import Disposition, Grade
from retour.domain.policy_override import TermsOverride
from retour.domain.refund_quote import FeeCode
from retour.domain.staff import NotPermitted, Role, StaffMember
from retour.payments.registry import NO_PROVIDERS
from retour.services import returns as use_cases
from retour.services.backoffice import actions, refunding, station
from retour.services.backoffice.detail import return_detail, return_id_of
from retour.services.errors import NotFound
from tests.backoffice.conftest import request_return
from tests.factories import STAFF, import_sample_order

ALLOWED = {
    "view": set(Role),
    "approve": {Role.OWNER, Role.ADMIN, Role.AGENT},
    "edit_quantities": {Role.OWNER, Role.ADMIN, Role.AGENT},
    "reject": {Role.OWNER, Role.ADMIN, Role.AGENT},
    "request_info": {Role.OWNER, Role.ADMIN, Role.AGENT},
    "cancel": {Role.OWNER, Role.ADMIN, Role.AGENT},
    "mark_in_transit": {Role.OWNER, Role.ADMIN, Role.AGENT, Role.WAREHOUSE},
    "receive": {Role.OWNER, Role.ADMIN, Role.AGENT, Role.WAREHOUSE},
    "inspect": {Role.OWNER, Role.ADMIN, Role.AGENT, Role.WAREHOUSE},
    "station": {Role.OWNER, Role.ADMIN, Role.AGENT, Role.WAREHOUSE},
    "complete": {Role.OWNER, Role.ADMIN, Role.AGENT},
    "note": {Role.OWNER, Role.ADMIN, Role.AGENT, Role.WAREHOUSE},
    "refund": {Role.OWNER, Role.ADMIN, Role.AGENT},
    "override_policy": {Role.OWNER, Role.ADMIN, Role.AGENT},
}
#: The status each action needs its return brought to first.
SETUP = {
    "view": "requested", "approve": "requested", "reject": "requested",
    "request_info": "requested", "cancel": "requested", "note": "requested",
    "mark_in_transit": "approved", "receive": "approved", "station": "approved",
    "inspect": "received", "complete": "inspected", "refund": "approved",
    "edit_quantities": "approved", "override_policy": "received",
}  # fmt: skip


def bring_to(uow, shop, number: str, status: str, store_id: int) -> None:
    with uow:
        return_id = return_id_of(uow, store_id, number)
    now = shop.clock.now()
    if status == "requested":
        return
    ret = use_cases.approve_return(uow, store_id, return_id, STAFF, now)
    if status == "approved":
        return
    receipts = [Receipt(line.id, line.approved_quantity) for line in ret.lines]
    ret = use_cases.receive_return(uow, store_id, return_id, STAFF, now, receipts)
    if status == "received":
        return
    verdicts = [
        InspectionInput(line.id, line.received_quantity, True, Grade.A, Disposition.RESTOCK)
        for line in ret.lines
    ]
    use_cases.inspect_return(uow, store_id, return_id, STAFF, now, verdicts)


def owner_of(store_id: int) -> StaffMember:
    return StaffMember(1, store_id, "", "owner@test", "", Role.OWNER)


def run(action: str, uow, staff: StaffMember, number: str, now, store_id: int):
    """The action as `staff`; its inputs are read by the return's own store's owner."""
    ret = return_detail(uow, owner_of(store_id), number).ret
    calls = {
        "view": lambda: return_detail(uow, staff, number),
        "approve": lambda: actions.approve(uow, staff, number, "", now),
        "edit_quantities": lambda: actions.edit_quantities(
            uow, staff, number, "", now, {ret.lines[0].id: 1}, "keeps one"
        ),
        "reject": lambda: actions.reject(uow, staff, number, "", now, "worn"),
        "request_info": lambda: actions.request_info(uow, staff, number, "", now, "photo?"),
        "cancel": lambda: actions.cancel(uow, staff, number, "", now, ""),
        "mark_in_transit": lambda: actions.mark_in_transit(uow, staff, number, "", now, "T1"),
        "receive": lambda: actions.receive(
            uow, staff, number, "", now, [Receipt(line.id, 1) for line in ret.lines]
        ),
        "inspect": lambda: actions.inspect(
            uow,
            staff,
            number,
            "",
            now,
            [
                InspectionInput(line.id, line.received_quantity, True, Grade.A, Disposition.RESTOCK)
                for line in ret.lines
            ],
        ),
        "station": lambda: station.receive_and_grade(
            uow, staff, number, "", now, station.default_lines(ret)
        ),
        "complete": lambda: actions.complete(uow, staff, number, "", now),
        "note": lambda: actions.add_note(uow, staff, number, now, "seen"),
        "override_policy": lambda: actions.override_policy(
            uow, staff, number, "", now, TermsOverride(frozenset({FeeCode.LABEL}), reason="late")
        ),
        "refund": lambda: refunding.refund_from_page(
            uow,
            staff,
            number,
            "",
            refunding.RefundForm("store_credit", "", "", "", f"key-{number}" * 3),
            refunding.Payments(NO_PROVIDERS, lambda: uow, lambda: now),
        ),
    }
    return calls[action]()


def writes(uow) -> tuple[int, int]:
    with uow:
        events = uow.session.scalar(select(func.count()).select_from(Event))
        notes = uow.session.scalar(select(func.count()).select_from(ReturnNote))
    return events, notes


@pytest.mark.parametrize("action", list(ALLOWED))
def test_each_role_may_do_exactly_what_the_table_says(shop, uow, action):
    for role in Role:
        # Each role gets its own fresh return in the right state (a success changes it).
        order = import_sample_order(
            uow, shop.store_id, shop.clock, platform_id=f"9{list(Role).index(role)}"
        ).order
        number = request_return(uow, shop.store_id, order, shop.clock).number
        bring_to(uow, shop, number, SETUP[action], shop.store_id)
        staff = StaffMember(1, shop.store_id, "acme", f"{role}@acme.test", "", role)
        before = writes(uow)
        if role in ALLOWED[action]:
            run(action, uow, staff, number, shop.clock.now(), shop.store_id)
            if action != "view":
                assert writes(uow) != before, (action, role)
        else:
            with pytest.raises(NotPermitted):
                run(action, uow, staff, number, shop.clock.now(), shop.store_id)
            assert writes(uow) == before, (action, role)


@pytest.mark.parametrize("action", list(ALLOWED))
def test_no_role_reaches_another_stores_return(shop, uow, action):
    bring_to(uow, shop, shop.other_stores, SETUP[action], shop.other_store_id)
    for role in Role:
        staff = StaffMember(1, shop.store_id, "acme", f"{role}@acme.test", "", role)
        before = writes(uow)
        expected = NotFound if role in ALLOWED[action] else NotPermitted
        with pytest.raises(expected):
            run(action, uow, staff, shop.other_stores, shop.clock.now(), shop.other_store_id)
        assert writes(uow) == before, (action, role)
