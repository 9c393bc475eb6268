"""The store-level back-office actions × every role: the roles the table in domain/staff.py
allows succeed and write; the others are refused (NotPermitted) with nothing written. (Actions
on one return: test_permission_matrix.py.)"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from retour.db.models import (
    ApiKey,
    EmailTemplate,
    InventoryLocation,
    NotificationSetting,
    PolicyVersion,
    ReturnReason,
    ReturnRouteRow,
    ReturnRow,
    StaffUser,
)
from retour.domain.addresses import Address
from retour.domain.notifications import EMAIL_KINDS
from retour.domain.staff import NotPermitted, Role, StaffMember
from retour.notifications.templates import TemplateSource
from retour.services.backoffice import (
    api_key_settings,
    bulk,
    dashboard,
    email_settings,
    location_settings,
    on_behalf,
    policy_settings,
    reason_settings,
    staff_settings,
    unplanned,
)
from retour.services.backoffice.queue import QueueFilter, returns_queue
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
    "new_return": {R.OWNER, R.ADMIN, R.AGENT},
    "unplanned_return": {R.OWNER, R.ADMIN, R.AGENT, R.WAREHOUSE},
    "bulk_approve": {R.OWNER, R.ADMIN, R.AGENT},
    "dashboard": {R.OWNER, R.ADMIN, R.ANALYST},
    "queue": set(Role),
}
#: Reads write nothing: they only have to answer.
READS = {"dashboard", "queue", "simulate_policy"}


def rows(uow) -> tuple[int, ...]:
    with uow:
        return tuple(
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
            )
        )


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
