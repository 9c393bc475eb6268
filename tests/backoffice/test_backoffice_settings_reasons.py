"""Settings → return reasons (owners and admins): listed in order, added, edited, moved,
retired and brought back; other roles refused with nothing changed, bad input named next to
its field, another store's reasons a 404, and CSRF on every form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from retour.db.models import ReturnReason
from retour.domain.reasons import DEFAULT_RETURN_REASONS
from tests.backoffice.steps import BASE, csrf_of, sign_in

REASONS = f"{BASE}/settings/reasons"
DEFAULT_CODES = [template.code for template in DEFAULT_RETURN_REASONS]
NOT_CONFIGURING = ["agent", "warehouse", "analyst"]


def post(client, action: str, **fields: str):
    return client.post(action, data={"csrf": csrf_of(client, REASONS), **fields})


def reasons_table(uow, store_id: int) -> list[tuple[str, str, bool, bool, bool, bool]]:
    """The store's reasons in their order: code, label, fault, photo, comment, active."""
    with uow:
        reasons = uow.session.scalars(
            select(ReturnReason)
            .where(ReturnReason.store_id == store_id)
            .order_by(ReturnReason.position, ReturnReason.id)
        )
        return [
            (reason.code, reason.label, reason.is_merchant_fault, reason.requires_photo,
             reason.requires_comment, reason.is_active)
            for reason in reasons
        ]  # fmt: skip


def codes(uow, store_id: int) -> list[str]:
    return [row[0] for row in reasons_table(uow, store_id)]


def reason_id(uow, store_id: int, code: str) -> int:
    with uow:
        return uow.session.scalars(
            select(ReturnReason.id).where(
                ReturnReason.store_id == store_id, ReturnReason.code == code
            )
        ).one()


def listed_codes(page: str) -> list[str]:
    return re.findall(r'<tr id="reason-\d+">\s*<td><code>([a-z0-9_]+)</code>', page)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_see_the_store_reasons_in_order_and_never_another_stores(shop, uow, role):
    index = shop.staff(role).get(f"{BASE}/settings")
    assert f'href="{REASONS}"' in index.text
    page = shop.staff(role).get(REASONS)
    assert page.status_code == 200
    assert listed_codes(page.text) == DEFAULT_CODES
    damaged = reason_id(uow, shop.store_id, "damaged")
    row = re.search(rf'<tr id="reason-{damaged}">(.*?)</tr>', page.text, re.S)
    assert row is not None
    label = f'id="label-{damaged}" name="label" maxlength="200" required value="Arrived damaged"'
    assert label in row.group(1)
    assert re.search(r'name="is_merchant_fault" value="yes" checked', row.group(1))
    assert re.search(r'name="requires_photo" value="yes" checked', row.group(1))
    assert not re.search(r'name="requires_comment" value="yes" checked', row.group(1))
    theirs = reason_id(uow, shop.other_store_id, "damaged")
    assert f'id="reason-{theirs}"' not in page.text


@pytest.mark.parametrize("role", NOT_CONFIGURING)
def test_other_roles_may_neither_open_nor_change_reasons(shop, uow, role):
    client = shop.staff(role)
    before = reasons_table(uow, shop.store_id)
    damaged = reason_id(uow, shop.store_id, "damaged")
    assert f'href="{REASONS}"' not in client.get(BASE).text
    assert client.get(REASONS).status_code == 403
    csrf = csrf_of(client, BASE)
    for action, fields in [
        (REASONS, {"code": "gift", "label": "Unwanted gift"}),
        (f"{REASONS}/{damaged}", {"label": "Broken"}),
        (f"{REASONS}/{damaged}/move", {"direction": "up"}),
        (f"{REASONS}/{damaged}/retire", {}),
        (f"{REASONS}/{damaged}/reactivate", {}),
    ]:
        refused = client.post(action, data={"csrf": csrf, **fields})
        assert refused.status_code == 403, action
        assert f"the {role} role may not configure store. Nothing was changed." in refused.text
    assert reasons_table(uow, shop.store_id) == before


def test_an_admin_adds_a_reason_at_the_end_of_the_list(shop, uow):
    client = shop.staff("admin")
    added = post(client, REASONS, code="gift_2", label=" Unwanted gift ", requires_comment="yes")
    assert added.status_code == 303
    assert added.headers["location"] == f"{REASONS}?done=added"
    assert reasons_table(uow, shop.store_id)[-1] == (
        "gift_2", "Unwanted gift", False, False, True, True,
    )  # fmt: skip
    assert codes(uow, shop.store_id) == [*DEFAULT_CODES, "gift_2"]
    page = client.get(added.headers["location"])
    assert "The reason is added at the end of the list." in page.text
    assert listed_codes(page.text) == [*DEFAULT_CODES, "gift_2"]
    assert codes(uow, shop.other_store_id) == DEFAULT_CODES


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "Too-Big", "label": "Too big"}, "code",
         "a code of 1 to 64 lowercase letters, digits or underscores, like too_small"),
        ({"code": "", "label": "Too big"}, "code",
         "a code of 1 to 64 lowercase letters, digits or underscores, like too_small"),
        ({"code": "too_small", "label": "Too small again"}, "code",
         "this store already has a reason &#39;too_small&#39;"),
        ({"code": "too_big", "label": "   "}, "label",
         "a label of 1 to 200 characters, as shoppers will read it"),
        ({"code": "too_big", "label": "x" * 201}, "label",
         "a label of 1 to 200 characters, as shoppers will read it"),
    ],
)  # fmt: skip
def test_a_bad_new_reason_is_refused_next_to_its_field_and_nothing_is_added(
    shop, uow, fields, field, message
):
    before = reasons_table(uow, shop.store_id)
    refused = post(shop.staff("owner"), REASONS, **fields)
    assert refused.status_code == 400
    assert f'<p class="error" role="alert" id="new-error">{message}</p>' in refused.text
    assert re.search(rf'name="{field}"[^>]*aria-describedby="new-error" aria-invalid="true"',
                     refused.text)  # fmt: skip
    assert reasons_table(uow, shop.store_id) == before


def test_a_code_another_store_uses_is_free_in_this_one(shop, uow):
    assert post(shop.staff("owner"), REASONS, code="gift", label="Gift").status_code == 303
    other = sign_in(shop.new_client(), "owner@other.test")
    assert post(other, REASONS, code="gift", label="Cadeau").status_code == 303
    assert reasons_table(uow, shop.store_id)[-1][:2] == ("gift", "Gift")
    assert reasons_table(uow, shop.other_store_id)[-1][:2] == ("gift", "Cadeau")


def test_editing_a_reason_changes_its_label_and_flags_but_not_its_code(shop, uow):
    style = reason_id(uow, shop.store_id, "style")
    saved = post(shop.staff("owner"), f"{REASONS}/{style}", code="renamed",
                 label="Not my style", is_merchant_fault="yes", requires_photo="yes")  # fmt: skip
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{REASONS}?done=saved#reason-{style}"
    rows = reasons_table(uow, shop.store_id)
    assert rows[DEFAULT_CODES.index("style")] == ("style", "Not my style", True, True, False, True)
    # unticked boxes switch the flags off again
    damaged = reason_id(uow, shop.store_id, "damaged")
    assert (
        post(shop.staff("admin"), f"{REASONS}/{damaged}", label="Arrived damaged").status_code
        == 303
    )
    assert reasons_table(uow, shop.store_id)[DEFAULT_CODES.index("damaged")] == (
        "damaged", "Arrived damaged", False, False, False, True,
    )  # fmt: skip


def test_an_empty_label_is_refused_next_to_it_and_the_typed_values_kept(shop, uow):
    before = reasons_table(uow, shop.store_id)
    style = reason_id(uow, shop.store_id, "style")
    refused = post(shop.staff("owner"), f"{REASONS}/{style}", label=" ", requires_photo="yes")
    assert refused.status_code == 400
    message = "a label of 1 to 200 characters, as shoppers will read it"
    assert f'<p class="error" role="alert" id="{style}-error">{message}</p>' in refused.text
    assert re.search(rf'id="label-{style}" name="label"[^>]*aria-describedby="{style}-error" '
                     'aria-invalid="true"', refused.text)  # fmt: skip
    assert f'id="edit-{style}-photo" name="requires_photo" value="yes" checked' in refused.text
    assert reasons_table(uow, shop.store_id) == before


def test_moving_a_reason_up_and_down_reorders_the_list(shop, uow):
    client = shop.staff("owner")
    too_large = reason_id(uow, shop.store_id, "too_large")
    moved = post(client, f"{REASONS}/{too_large}/move", direction="up")
    assert moved.status_code == 303
    assert moved.headers["location"] == f"{REASONS}?done=moved#reason-{too_large}"
    assert codes(uow, shop.store_id)[:3] == ["too_large", "too_small", "changed_mind"]
    assert post(client, f"{REASONS}/{too_large}/move", direction="down").status_code == 303
    assert post(client, f"{REASONS}/{too_large}/move", direction="down").status_code == 303
    assert codes(uow, shop.store_id)[:3] == ["too_small", "changed_mind", "too_large"]
    page = client.get(REASONS)
    assert listed_codes(page.text)[:3] == ["too_small", "changed_mind", "too_large"]
    assert "Move too_small up" not in page.text  # the first has no Up, the last no Down
    assert "Move other down" not in page.text
    assert "Move too_small down" in page.text and "Move other up" in page.text


def test_moving_the_first_reason_up_leaves_the_order_as_it_was(shop, uow):
    first = reason_id(uow, shop.store_id, "too_small")
    assert post(shop.staff("owner"), f"{REASONS}/{first}/move", direction="up").status_code == 303
    assert codes(uow, shop.store_id) == DEFAULT_CODES


def test_a_move_that_is_neither_up_nor_down_is_refused(shop, uow):
    first = reason_id(uow, shop.store_id, "too_small")
    refused = post(shop.staff("owner"), f"{REASONS}/{first}/move", direction="sideways")
    assert refused.status_code == 400
    assert "move a reason up or down" in refused.text
    assert codes(uow, shop.store_id) == DEFAULT_CODES


def test_a_retired_reason_is_no_longer_offered_until_it_is_brought_back(shop, uow):
    client = shop.staff("admin")
    style = reason_id(uow, shop.store_id, "style")
    retired = post(client, f"{REASONS}/{style}/retire")
    assert retired.status_code == 303
    assert retired.headers["location"] == f"{REASONS}?done=retired#reason-{style}"
    with uow:
        assert "style" not in uow.stores.active_reason_codes(shop.store_id)
    page = client.get(retired.headers["location"])
    assert "The reason is retired: shoppers no longer see it." in page.text
    assert "Offer style again" in page.text
    back = post(client, f"{REASONS}/{style}/reactivate")
    assert back.status_code == 303
    with uow:
        assert "style" in uow.stores.active_reason_codes(shop.store_id)
    assert reasons_table(uow, shop.store_id)[DEFAULT_CODES.index("style")][5] is True


def test_the_last_active_reason_cannot_be_retired(shop, uow):
    client = shop.staff("owner")
    for code in DEFAULT_CODES[1:]:
        assert (
            post(client, f"{REASONS}/{reason_id(uow, shop.store_id, code)}/retire").status_code
            == 303
        )
    last = reason_id(uow, shop.store_id, DEFAULT_CODES[0])
    refused = post(client, f"{REASONS}/{last}/retire")
    assert refused.status_code == 400
    assert ("You cannot retire &#39;too_small&#39;: it is the store&#39;s only active reason"
            in refused.text)  # fmt: skip
    assert re.search(rf'aria-describedby="{last}-error" aria-invalid="true">Retire too_small',
                     refused.text)  # fmt: skip
    assert [row[5] for row in reasons_table(uow, shop.store_id)] == [True] + [False] * (
        len(DEFAULT_CODES) - 1
    )


def test_another_stores_reason_is_a_404_and_unchanged(shop, uow):
    theirs = reason_id(uow, shop.other_store_id, "style")
    before = reasons_table(uow, shop.other_store_id)
    client = shop.staff("owner")
    for action, fields in [
        (f"{REASONS}/{theirs}", {"label": "Mine now"}),
        (f"{REASONS}/{theirs}/move", {"direction": "up"}),
        (f"{REASONS}/{theirs}/retire", {}),
        (f"{REASONS}/{theirs}/reactivate", {}),
        (f"{REASONS}/999999/retire", {}),
    ]:
        assert post(client, action, **fields).status_code == 404, action
    assert reasons_table(uow, shop.other_store_id) == before
    assert codes(uow, shop.store_id) == DEFAULT_CODES


def test_reason_forms_without_csrf_are_refused_and_change_nothing(shop, uow):
    before = reasons_table(uow, shop.store_id)
    style = reason_id(uow, shop.store_id, "style")
    client = shop.staff("owner")
    client.get(REASONS)
    for action, fields in [
        (REASONS, {"code": "gift", "label": "Gift"}),
        (f"{REASONS}/{style}", {"label": "Changed"}),
        (f"{REASONS}/{style}/move", {"direction": "up"}),
        (f"{REASONS}/{style}/retire", {}),
    ]:
        refused = client.post(action, data=fields)
        assert refused.status_code == 400, action
        assert "This form has expired. Please try again." in refused.text
    assert reasons_table(uow, shop.store_id) == before
