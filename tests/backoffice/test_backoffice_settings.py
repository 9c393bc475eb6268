"""Settings: users and roles (owners only), API keys (owners and admins); each role allowed or
refused with nothing changed, the last owner kept, sessions ended on deactivation, a key shown
once that opens the API until it is revoked, and CSRF on every form."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from retour.db.models import ApiKey, StaffSession, StaffUser
from retour.domain.staff import Role
from retour.services.stores import create_api_key
from tests.backoffice.steps import BASE, PASSWORD, csrf_of, log_in, sign_in

USERS = f"{BASE}/settings/users"
KEYS = f"{BASE}/settings/api-keys"
NEW_PASSWORD = "a long enough password"
KEY = re.compile(r'id="new-key" value="(rtr_[0-9a-f]{12}_[A-Za-z0-9_-]{43})"')
NOT_OWNERS = [role.value for role in Role if role is not Role.OWNER]
NOT_CONFIGURING = ["agent", "warehouse", "analyst"]


def post(client, page: str, action: str, **fields: str):
    """Post a form from `page`, with that page's CSRF token."""
    return client.post(action, data={"csrf": csrf_of(client, page), **fields})


def staff_table(uow) -> list[tuple[str, str, bool]]:
    with uow:
        users = uow.session.scalars(select(StaffUser).order_by(StaffUser.email))
        return [(user.email, user.role, user.is_active) for user in users]


def keys_table(uow) -> list[tuple[int, str, bool]]:
    with uow:
        keys = uow.session.scalars(select(ApiKey).order_by(ApiKey.id))
        return [(key.store_id, key.name, key.revoked_at is None) for key in keys]


def user_id(uow, email: str) -> int:
    with uow:
        return uow.session.scalars(select(StaffUser.id).where(StaffUser.email == email)).one()


def api_status(shop, key: str) -> int:
    client = shop.new_client()
    return client.get("/api/v1/orders", headers={"Authorization": f"Bearer {key}"}).status_code


def created_key(client, name: str = "Shop connector") -> str:
    page = post(client, KEYS, KEYS, name=name)
    assert page.status_code == 200, page.text
    found = KEY.search(page.text)
    assert found is not None, page.text
    return found.group(1)


# The index


def test_the_settings_index_links_to_the_pages_each_role_may_open(shop):
    owner = shop.staff("owner").get(f"{BASE}/settings")
    admin = shop.staff("admin").get(f"{BASE}/settings")
    assert owner.status_code == admin.status_code == 200
    assert f'href="{USERS}"' in owner.text
    assert f'href="{KEYS}"' in owner.text
    assert f'href="{USERS}"' not in admin.text
    assert f'href="{KEYS}"' in admin.text
    assert f'<a href="{BASE}/settings">Settings</a>' in shop.staff("admin").get(BASE).text


@pytest.mark.parametrize("role", NOT_CONFIGURING)
def test_roles_with_no_settings_get_no_link_and_a_403(shop, role):
    client = shop.staff(role)
    assert f'href="{BASE}/settings"' not in client.get(BASE).text
    refused = client.get(f"{BASE}/settings")
    assert refused.status_code == 403
    assert f"the {role} role may not configure store. Nothing was changed." in refused.text


# Users and roles


def test_the_owner_sees_the_store_staff_and_never_another_store(shop):
    page = shop.staff("owner").get(USERS)
    assert page.status_code == 200
    rows = re.findall(r'<tr id="user-\d+">\s*<td>([^< ]+)', page.text)
    assert rows == [f"{role}@acme.test" for role in sorted(role.value for role in Role)]
    assert "owner@other.test" not in page.text
    assert "never" in page.text  # those who have not signed in yet


@pytest.mark.parametrize("role", NOT_OWNERS)
def test_other_roles_may_not_open_or_change_staff(shop, uow, role):
    client = shop.staff(role)
    before = staff_table(uow)
    agent = user_id(uow, "agent@acme.test")
    assert client.get(USERS).status_code == 403
    csrf = csrf_of(client, BASE)
    for action, fields in [
        (USERS, {"email": "new@acme.test", "role": "owner", "password": NEW_PASSWORD,
                 "confirmation": NEW_PASSWORD}),
        (f"{USERS}/{agent}/role", {"role": "owner"}),
        (f"{USERS}/{agent}/deactivate", {"confirm": "yes"}),
    ]:  # fmt: skip
        refused = client.post(action, data={"csrf": csrf, **fields})
        assert refused.status_code == 403, action
        assert "may not manage staff" in refused.text
    assert staff_table(uow) == before


def test_an_owner_adds_a_user_with_a_password_who_can_then_sign_in(shop, uow):
    fields = {"email": "Bea@Acme.test", "name": "Bea", "role": "warehouse",
              "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}  # fmt: skip
    added = post(shop.staff("owner"), USERS, USERS, **fields)
    assert added.status_code == 303
    assert added.headers["location"] == f"{USERS}?done=added"
    assert ("bea@acme.test", "warehouse", True) in staff_table(uow)
    assert log_in(shop.new_client(), "bea@acme.test", NEW_PASSWORD).status_code == 303


def test_a_user_added_without_a_password_cannot_sign_in_until_a_reset(shop, uow):
    client = shop.staff("owner")
    page = client.get(USERS)
    assert f'href="{BASE}/password-reset"' in page.text
    added = post(client, USERS, USERS, email="cy@acme.test", name="", role="agent")
    assert added.status_code == 303
    assert ("cy@acme.test", "agent", True) in staff_table(uow)
    assert log_in(shop.new_client(), "cy@acme.test", "").status_code == 400
    assert "The account is added." in client.get(added.headers["location"]).text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "short", "confirmation": "short"}, "password",
         "passwords need at least 10 characters"),
        ({"password": NEW_PASSWORD, "confirmation": "something else"}, "confirmation",
         "The two passwords are not the same."),
        ({"role": "boss"}, "role", "role must be one of owner, admin, agent, warehouse, analyst"),
        ({"email": "not an address"}, "email", "not a usable e-mail address"),
        ({"email": "agent@acme.test"}, "email", "agent@acme.test already has an account"),
        ({"name": "x" * 201}, "name", "names have at most 200 characters"),
    ],
)  # fmt: skip
def test_a_bad_new_user_is_refused_next_to_its_field_and_nothing_is_added(
    shop, uow, fields, field, message
):
    before = staff_table(uow)
    form = {"email": "dee@acme.test", "name": "Dee", "role": "agent"} | fields
    refused = post(shop.staff("owner"), USERS, USERS, **form)
    assert refused.status_code == 400
    assert message in refused.text
    assert 'id="new-error"' in refused.text
    assert re.search(f'name="{field}"[^>]*aria-describedby="new-error" aria-invalid="true"',
                     refused.text)  # fmt: skip
    assert staff_table(uow) == before


def test_an_owner_changes_a_role_and_it_applies_on_the_next_page(shop, uow):
    analyst = shop.staff("analyst")
    analyst_id = user_id(uow, "analyst@acme.test")
    changed = post(shop.staff("owner"), USERS, f"{USERS}/{analyst_id}/role", role="admin")
    assert changed.status_code == 303
    assert ("analyst@acme.test", "admin", True) in staff_table(uow)
    assert analyst.get(KEYS).status_code == 200


def test_the_last_active_owner_can_neither_demote_nor_deactivate_themself(shop, uow):
    client = shop.staff("owner")
    owner = user_id(uow, "owner@acme.test")
    before = staff_table(uow)
    demoted = post(client, USERS, f"{USERS}/{owner}/role", role="admin")
    assert demoted.status_code == 400
    assert (
        "You cannot give the last active owner another role: owner@acme.test is the only active "
        "owner of this store. Make another colleague an owner first."
    ) in demoted.text
    assert f'id="role-{owner}" name="role" aria-describedby="{owner}-error"' in demoted.text
    gone = post(client, USERS, f"{USERS}/{owner}/deactivate", confirm="yes")
    assert gone.status_code == 400
    assert "You cannot deactivate the last active owner" in gone.text
    assert staff_table(uow) == before


def test_with_a_second_owner_the_first_may_step_down(shop, uow):
    client = shop.staff("owner")
    admin, owner = user_id(uow, "admin@acme.test"), user_id(uow, "owner@acme.test")
    assert post(client, USERS, f"{USERS}/{admin}/role", role="owner").status_code == 303
    assert post(client, USERS, f"{USERS}/{owner}/role", role="agent").status_code == 303
    assert ("owner@acme.test", "agent", True) in staff_table(uow)
    assert client.get(USERS).status_code == 403  # an agent now


def test_deactivating_ends_their_sessions_and_reactivating_lets_them_sign_in(shop, uow):
    agent_client = shop.staff("agent")
    second_browser = shop.staff("agent")
    agent = user_id(uow, "agent@acme.test")
    owner = shop.staff("owner")
    unconfirmed = post(owner, USERS, f"{USERS}/{agent}/deactivate")
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm that you want to deactivate this account." in unconfirmed.text
    assert agent_client.get(BASE).status_code == 200
    done = post(owner, USERS, f"{USERS}/{agent}/deactivate", confirm="yes")
    assert done.status_code == 303
    with uow:
        ended = uow.session.scalars(
            select(StaffSession.ended_at).where(StaffSession.staff_user_id == agent)
        ).all()
    assert ended == [shop.clock.now(), shop.clock.now()]
    for client in (agent_client, second_browser):
        page = client.get(f"{BASE}/returns")
        assert page.status_code == 303
        assert page.headers["location"] == f"{BASE}/login?next=/backoffice/returns"
    assert log_in(shop.new_client(), "agent@acme.test").status_code == 400
    assert post(owner, USERS, f"{USERS}/{agent}/reactivate").status_code == 303
    assert ("agent@acme.test", "agent", True) in staff_table(uow)
    assert log_in(shop.new_client(), "agent@acme.test").status_code == 303


def test_another_stores_user_is_not_found_and_not_changed(shop, uow):
    client = shop.staff("owner")
    theirs = user_id(uow, "owner@other.test")
    before = staff_table(uow)
    for action, fields in [
        ("role", {"role": "analyst"}), ("deactivate", {"confirm": "yes"}), ("reactivate", {}),
    ]:  # fmt: skip
        assert post(client, USERS, f"{USERS}/{theirs}/{action}", **fields).status_code == 404
    assert staff_table(uow) == before


def test_user_forms_without_csrf_are_refused_and_change_nothing(shop, uow):
    client = shop.staff("owner")
    agent = user_id(uow, "agent@acme.test")
    before = staff_table(uow)
    for action, fields in [
        (USERS, {"email": "eve@acme.test", "role": "owner", "password": NEW_PASSWORD,
                 "confirmation": NEW_PASSWORD}),
        (f"{USERS}/{agent}/role", {"role": "owner"}),
        (f"{USERS}/{agent}/deactivate", {"confirm": "yes"}),
    ]:  # fmt: skip
        refused = client.post(action, data=fields)
        assert refused.status_code == 400, action
        assert "This form has expired. Please try again." in refused.text
    assert staff_table(uow) == before


# API keys


def test_a_store_with_no_keys_says_how_to_start(shop):
    page = shop.staff("admin").get(KEYS)
    assert page.status_code == 200
    assert "This store has no API keys yet." in page.text


@pytest.mark.parametrize("role", NOT_CONFIGURING)
def test_roles_not_configuring_the_store_may_not_see_create_or_revoke_keys(shop, uow, role):
    existing = create_api_key(uow, "acme", "existing", shop.clock.now())
    client = shop.staff(role)
    assert client.get(KEYS).status_code == 403
    csrf = csrf_of(client, BASE)
    created = client.post(KEYS, data={"csrf": csrf, "name": "mine"})
    assert created.status_code == 403
    assert "may not configure store" in created.text
    with uow:
        key_id = uow.session.scalars(select(ApiKey.id)).one()
    revoked = client.post(f"{KEYS}/{key_id}/revoke", data={"csrf": csrf, "confirm": "yes"})
    assert revoked.status_code == 403
    assert keys_table(uow) == [(shop.store_id, "existing", True)]
    assert api_status(shop, existing) == 200


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_a_created_key_is_shown_once_opens_the_api_and_only_its_hash_is_kept(shop, uow, role):
    client = shop.staff(role)
    key = created_key(client)
    assert api_status(shop, key) == 200
    with uow:
        stored = uow.session.scalars(select(ApiKey)).one()
        assert (stored.store_id, stored.name, stored.revoked_at) == (
            shop.store_id, "Shop connector", None,
        )  # fmt: skip
        assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key.startswith(f"rtr_{stored.prefix}_")
    listed = client.get(KEYS)
    assert f"<code>rtr_{stored.prefix}_…</code>" in listed.text
    for path in (KEYS, f"{BASE}/settings", BASE, f"{BASE}/returns"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert key not in page.text, path
        assert key.split("_", 2)[2] not in page.text, path  # the secret part alone


def test_a_key_without_a_name_is_refused_next_to_the_field(shop, uow):
    refused = post(shop.staff("owner"), KEYS, KEYS, name="  ")
    assert refused.status_code == 400
    assert "Name the key after what will use it." in refused.text
    assert re.search(r'name="name"[^>]*aria-describedby="new-error" aria-invalid="true"',
                     refused.text)  # fmt: skip
    assert keys_table(uow) == []


def test_a_revoked_key_stops_opening_the_api_at_once(shop, uow):
    client = shop.staff("admin")
    key = created_key(client)
    with uow:
        key_id = uow.session.scalars(select(ApiKey.id)).one()
    unconfirmed = post(client, KEYS, f"{KEYS}/{key_id}/revoke")
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm that you want to revoke this key." in unconfirmed.text
    assert api_status(shop, key) == 200
    revoked = post(client, KEYS, f"{KEYS}/{key_id}/revoke", confirm="yes")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"{KEYS}?done=revoked"
    assert api_status(shop, key) == 401
    assert keys_table(uow) == [(shop.store_id, "Shop connector", False)]
    page = client.get(revoked.headers["location"])
    assert "The key is revoked: it no longer opens the API." in page.text
    assert f'action="{KEYS}/{key_id}/revoke"' not in page.text


def test_another_stores_key_is_neither_listed_nor_revoked(shop, uow):
    theirs = create_api_key(uow, "other", "their connector", shop.clock.now())
    with uow:
        key_id = uow.session.scalars(select(ApiKey.id)).one()
    client = shop.staff("owner")
    assert "their connector" not in client.get(KEYS).text
    assert post(client, KEYS, f"{KEYS}/{key_id}/revoke", confirm="yes").status_code == 404
    assert keys_table(uow) == [(shop.other_store_id, "their connector", True)]
    assert api_status(shop, theirs) == 200


def test_key_forms_without_csrf_are_refused_and_change_nothing(shop, uow):
    key = create_api_key(uow, "acme", "existing", shop.clock.now())
    with uow:
        key_id = uow.session.scalars(select(ApiKey.id)).one()
    client = shop.staff("owner")
    client.get(KEYS)
    for action, fields in [
        (KEYS, {"name": "new"}),
        (f"{KEYS}/{key_id}/revoke", {"confirm": "yes"}),
    ]:
        refused = client.post(action, data=fields)
        assert refused.status_code == 400, action
        assert "This form has expired. Please try again." in refused.text
    assert keys_table(uow) == [(shop.store_id, "existing", True)]
    assert api_status(shop, key) == 200


def test_signing_in_shows_on_the_users_page(shop):
    client = shop.new_client()
    sign_in(client, "owner@acme.test")
    page = client.get(USERS)
    assert re.search(r'owner@acme\.test <span class="muted">\(you\)</span>', page.text)
    assert page.text.count("never") == len(Role) - 1
    assert PASSWORD not in page.text


def test_an_owner_who_deactivates_themself_beside_another_owner_is_signed_out(shop, uow):
    client = shop.staff("owner")
    admin, owner = user_id(uow, "admin@acme.test"), user_id(uow, "owner@acme.test")
    assert post(client, USERS, f"{USERS}/{admin}/role", role="owner").status_code == 303
    gone = post(client, USERS, f"{USERS}/{owner}/deactivate", confirm="yes")
    assert gone.status_code == 303
    assert gone.headers["location"] == f"{BASE}/login"
    assert client.get(USERS).status_code == 303
    assert ("owner@acme.test", "owner", False) in staff_table(uow)
    assert shop.staff("admin").get(USERS).status_code == 200
