"""The audit log of settings changes (services/backoffice/audit.py): every change made from the
Settings pages writes one entry in its own transaction, a refused change writes none, secrets
are never kept, and Settings → Audit log lists them newest first, to owners and admins (staff
changes to owners only)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from retour.db.models import AuditEntry
from retour.domain.addresses import Address
from retour.domain.errors import InvalidRequest
from retour.domain.staff import NotPermitted, Role, StaffMember
from retour.services.backoffice import api_key_settings, carrier_settings, location_settings
from retour.services.backoffice.audit import PAGE_SIZE
from retour.shipping.easypost import NAME as EASYPOST
from retour.shipping.easypost import easypost_factory
from retour.shipping.registry import Carriers
from tests.backoffice.steps import BASE
from tests.backoffice.test_permission_matrix_store import run

AUDIT = f"{BASE}/settings/audit"
#: Each settings action of the permission matrix and the area its entry is filed under.
AREAS = {
    "add_user": ("staff", "added"),
    "create_api_key": ("api_keys", "created"),
    "add_reason": ("reasons", "added"),
    "add_location": ("locations", "added"),
    "save_routing_rules": ("routing", "rules_saved"),
    "save_policy": ("policy", "saved"),
    "save_email_template": ("emails", "template_saved"),
    "switch_email_off": ("emails", "switched_off"),
    "switch_carrier_account": ("carriers", "switched_off"),
    "save_money_settings": ("payments", "money_settings_saved"),
}


def member(shop, role: Role) -> StaffMember:
    return StaffMember(1, shop.store_id, "acme", f"{role}@acme.test", "", role)


def entries(uow) -> list[AuditEntry]:
    with uow:
        return list(uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def count(uow) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.mark.parametrize("action", list(AREAS))
def test_each_settings_change_writes_one_entry_naming_who_and_what(shop, uow, action):
    before = count(uow)

    run(action, uow, member(shop, Role.OWNER), shop, 0)

    latest = entries(uow)[-1]
    assert count(uow) == before + 1
    assert (latest.area, latest.action) == AREAS[action]
    assert (latest.store_id, latest.actor) == (shop.store_id, "staff:owner@acme.test")


def test_a_refused_change_writes_no_entry(shop, uow):
    with pytest.raises(InvalidRequest):
        location_settings.add_location(uow, member(shop, Role.OWNER), "Bad Code!", "Hub", Address())
    with pytest.raises(NotPermitted):
        location_settings.add_location(uow, member(shop, Role.AGENT), "hub", "Hub", Address())
    assert count(uow) == 0


def test_keys_and_secrets_are_never_written(shop, uow):
    owner = member(shop, Role.OWNER)
    created = api_key_settings.create_key(uow, owner, "erp", shop.clock.now())
    carriers = Carriers(factories={EASYPOST: easypost_factory()})
    form = carrier_settings.AccountForm("EZTK_audit_secret_123", "whsec_audit_456", "")
    carrier_settings.add_account(uow, carriers, owner, EASYPOST, form, shop.clock.now())

    written = json.dumps([(e.subject, e.details) for e in entries(uow)])
    for secret in (created.key, "EZTK_audit_secret_123", "whsec_audit_456"):
        assert secret not in written
    latest = entries(uow)[-1]
    assert (latest.area, latest.action, latest.subject) == ("carriers", "account_added", EASYPOST)
    assert latest.details == {
        "api_key_replaced": True, "webhook_secret_replaced": True, "service": "",
    }  # fmt: skip


def test_the_log_lists_changes_newest_first_and_pages_older_ones(shop, uow):
    owner = member(shop, Role.OWNER)
    for index in range(PAGE_SIZE + 1):
        location_settings.add_location(uow, owner, f"hub-{index}", f"Hub {index}", Address())

    page = shop.staff("owner").get(AUDIT)

    assert page.status_code == 200
    subjects = re.findall(r"<td>(hub-\d+)</td>", page.text)
    assert subjects == [f"hub-{index}" for index in range(PAGE_SIZE, 0, -1)]
    older = re.search(r'rel="next" href="([^"]+)"', page.text).group(1)
    assert re.findall(r"<td>(hub-\d+)</td>", shop.staff("owner").get(older).text) == ["hub-0"]
    assert "staff:owner@acme.test" in page.text


def test_admins_see_the_log_without_staff_changes_and_other_roles_are_refused(shop, uow):
    run("add_user", uow, member(shop, Role.OWNER), shop, 0)
    run("add_reason", uow, member(shop, Role.OWNER), shop, 0)

    owner_page = shop.staff("owner").get(AUDIT).text
    admin_page = shop.staff("admin").get(AUDIT).text

    assert ("<td>new0@acme.test</td>" in owner_page, "<td>faded_0</td>" in owner_page) == (
        True, True,
    )  # fmt: skip
    assert ("<td>new0@acme.test</td>" in admin_page, "<td>faded_0</td>" in admin_page) == (
        False, True,
    )  # fmt: skip
    for role in ("agent", "warehouse", "analyst"):
        assert shop.staff(role).get(AUDIT).status_code == 403


def test_an_empty_log_says_so(shop):
    page = shop.staff("owner").get(AUDIT)
    assert "No settings have been changed in the back office yet." in page.text
    index = shop.staff("owner").get(f"{BASE}/settings")
    assert f'href="{AUDIT}"' in index.text
