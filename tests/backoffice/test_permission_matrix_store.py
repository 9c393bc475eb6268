"""The store-level back-office actions × every role: the roles the table in domain/staff.py
allows succeed and write; the others are refused (NotPermitted) with nothing written. (Actions
on one return: test_permission_matrix.py.)"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from retour.db.models import (
    ApiKey,
    CarrierAccountRow,
    EmailTemplate,
    InventoryLocation,
    NotificationSetting,
    PolicyVersion,
    ReturnReason,
    ReturnRouteRow,
    ReturnRow,
    StaffUser,
    Store,
)
from retour.domain.addresses import Address
from retour.domain.notifications import EMAIL_KINDS
from retour.domain.staff import NotPermitted, Role, StaffMember
from retour.notifications.templates import TemplateSource
from retour.services import shipments
from retour.services.backoffice import (
    api_key_settings,
    bulk,
    carrier_settings,
    dashboard,
    email_settings,
    location_settings,
    on_behalf,
    payment_settings,
    policy_settings,
    reason_settings,
    staff_settings,
    unplanned,
)
from retour.services.backoffice.queue import QueueFilter, returns_queue
from retour.shipping.easypost import NAME as EASYPOST
from retour.shipping.easypost import easypost_factory
from retour.shipping.registry import Carriers
from tests.factories import import_sample_order

R = Role
POLICY = '{"timezone": "UTC", "currency": "EUR", "default": {"window_days": 30}}'
ALLOWED = {
    "add_user": {R.OWNER},
    "create_api_key": {R.OWNER, R.ADMIN},
    "add_reason": {R.OWNER, R.ADMIN},
    "add_location": {R.OWNER, R.ADMIN},
    "save_routing_rules": {R.OWNER, R.ADMIN},
    "save_policy": {R.OWNER, R.ADMIN},
    "simulate_policy": {R.OWNER, R.ADMIN},
    "save_email_template": {R.OWNER, R.ADMIN},
    "switch_email_off": {R.OWNER, R.ADMIN},
    "switch_carrier_account": {R.OWNER, R.ADMIN},
    "save_money_settings": {R.OWNER, R.ADMIN},
    "new_return": {R.OWNER, R.ADMIN, R.AGENT},
    "unplanned_return": {R.OWNER, R.ADMIN, R.AGENT, R.WAREHOUSE},
    "bulk_approve": {R.OWNER, R.ADMIN, R.AGENT},
    "dashboard": {R.OWNER, R.ADMIN, R.ANALYST},
    "queue": set(Role),
}
#: Reads write nothing: they only have to answer.
READS = {"dashboard", "queue", "simulate_policy"}


def rows(uow) -> tuple[int, ...]:
    """How many rows of each kind, how many carrier accounts are on, and Σ restocking fees."""
    with uow:
        counts = tuple(
            uow.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (
                StaffUser,
                ApiKey,
                ReturnReason,
                ReturnRow,
                InventoryLocation,
                ReturnRouteRow,
                PolicyVersion,
                EmailTemplate,
                NotificationSetting,
                CarrierAccountRow,
            )
        )
        active = select(func.count()).where(CarrierAccountRow.is_active.is_(True))
        fees = select(func.coalesce(func.sum(Store.restocking_fee_bp), 0))
        return (*counts, uow.session.scalar(active) or 0, uow.session.scalar(fees) or 0)


def switch_carrier_account(uow, staff: StaffMember, shop, index: int):
    """The store's EasyPost account (made once, on), switched off, on, off… by each role."""
    carriers = Carriers(factories={EASYPOST: easypost_factory()})
    now = shop.clock.now()
    if not shipments.list_carrier_accounts(uow, shop.store_id):
        changes = shipments.AccountChanges(api_key="EZTK_matrix")
        shipments.set_carrier_account(uow, carriers, shop.store_id, EASYPOST, changes, now)
    return carrier_settings.switch_account(uow, staff, EASYPOST, index % 2 == 1, now)


def run(action: str, uow, staff: StaffMember, shop, index: int):
    now = shop.clock.now()
    order = import_sample_order(uow, shop.store_id, shop.clock, platform_id=f"8{index}").order
    line = order.lines[0].id
    kind = list(EMAIL_KINDS)[index]  # one row per role that may: each adds, none updates
    template = TemplateSource("{{ rma.number }}", "<p>{{ rma.number }}</p>", "{{ rma.number }}")
    calls = {
        "add_user": lambda: staff_settings.add_staff_user(
            uow, staff, staff_settings.NewStaffUser(f"new{index}@acme.test", "", "agent"), now
        ),
        "create_api_key": lambda: api_key_settings.create_key(uow, staff, f"erp {index}", now),
        "add_reason": lambda: reason_settings.add_reason(
            uow, staff, reason_settings.ReasonForm("Faded", code=f"faded_{index}")
        ),
        "add_location": lambda: location_settings.add_location(
            uow, staff, f"hub-{index}", "Hub", Address()
        ),
        "save_routing_rules": lambda: location_settings.save_rules(
            uow, staff, [location_settings.RuleRow("returns", "country", "GB")] * (index + 1)
        ),
        "save_policy": lambda: policy_settings.save_typed_policy(
            uow, staff, POLICY, f"version {index}", now
        ),
        "simulate_policy": lambda: policy_settings.simulate_typed_policy(
            uow, staff, POLICY, 90, now
        ),
        "save_email_template": lambda: email_settings.save_email_template(
            uow, staff, kind, "en", template, "http://127.0.0.1:8000", now
        ),
        "switch_email_off": lambda: email_settings.switch_email(uow, staff, kind, False, now),
        "switch_carrier_account": lambda: switch_carrier_account(uow, staff, shop, index),
        "save_money_settings": lambda: payment_settings.save_money_settings(
            uow,
            staff,
            {
                **dict.fromkeys((*payment_settings.PERCENTS, *payment_settings.AMOUNTS), "0"),
                "restocking_fee_bp": str(index + 1),
                "exchange_fallback": "refund",
            },
        ),
        "new_return": lambda: on_behalf.open_return_for_shopper(
            uow,
            staff,
            order.id,
            on_behalf.NewReturn({line: 1}, "too_small", "refund", "ship_yourself"),
            now,
        ),
        "unplanned_return": lambda: unplanned.open_unplanned_return(
            uow, staff, order.id, {line: 1}, "too_small", "", now
        ),
        "bulk_approve": lambda: bulk.decide_many(
            uow, staff, "approve", [bulk.Ticked(shop.requested, "")], now
        ),
        "dashboard": lambda: dashboard.dashboard(uow, staff, date(2026, 2, 1), date(2026, 3, 2)),
        "queue": lambda: returns_queue(uow, staff, QueueFilter(), now),
    }
    return calls[action]()


@pytest.mark.parametrize("action", list(ALLOWED))
def test_each_role_may_do_exactly_what_the_table_says(shop, uow, action):
    for index, role in enumerate(Role):
        staff = StaffMember(1, shop.store_id, "acme", f"{role}@acme.test", "", role)
        before = rows(uow)
        if role in ALLOWED[action]:
            result = run(action, uow, staff, shop, index)
            if action == "bulk_approve":  # the first approves; the next find it approved
                assert (len(result.done), len(result.refused)) in {(1, 0), (0, 1)}, role
            elif action not in READS:
                assert rows(uow) != before, (action, role)
        else:
            with pytest.raises(NotPermitted):
                run(action, uow, staff, shop, index)
            assert rows(uow) == before, (action, role)
