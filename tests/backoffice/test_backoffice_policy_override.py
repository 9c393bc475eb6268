"""*Override the refund terms* on a return's page: the form (only for roles that move money,
only while the domain allows it), the quote afterwards, and a refusal with nothing changed."""

from __future__ import annotations

from retour.services.store_settings import update_money_settings
from tests.backoffice.steps import BASE, act
from tests.backoffice.test_backoffice_quantities import approved_page, events_of, forms_on

WHY = "Our courier damaged the box"


def test_an_agent_waives_the_restocking_fee_and_the_quote_shows_it(shop, uow):
    update_money_settings(uow, shop.store_id, {"restocking_fee_bp": 1000})
    client, page = approved_page(shop)
    assert "policy-override" in forms_on(page, shop.requested)
    assert "restocking fee −" in page

    done = act(client, shop.requested, "policy-override", **{
        "waive-restocking_fee": "yes", "refund_original_shipping": "yes", "reason": WHY,
    })  # fmt: skip

    assert done.status_code == 303
    after = client.get(f"{BASE}/returns/{shop.requested}").text
    assert "restocking fee waived (waived by staff)" in after
    assert (
        "Refund terms overridden by staff: restocking fee (per cent) waived, original shipping "
        f"refunded ({WHY})"
    ) in after
    assert 'id="waive-restocking_fee" name="waive-restocking_fee" value="yes" checked' in after
    assert events_of(uow, shop.requested)[-1] == "return.policy_overridden"


def test_without_a_reason_the_page_says_so_and_nothing_changes(shop, uow):
    client, _ = approved_page(shop)
    before = events_of(uow, shop.requested)

    refused = act(client, shop.requested, "policy-override", **{"waive-label_cost": "yes"})

    assert refused.status_code == 400
    assert "reason must not be empty" in refused.text
    assert 'id="waive-label_cost" name="waive-label_cost" value="yes" checked' in refused.text
    assert events_of(uow, shop.requested) == before


def test_the_warehouse_sees_no_form_and_is_refused(shop, uow):
    client, page = approved_page(shop, "warehouse")
    assert "policy-override" not in forms_on(page, shop.requested)
    before = events_of(uow, shop.requested)

    refused = act(client, shop.requested, "policy-override", **{
        "waive-label_cost": "yes", "reason": WHY,
    })  # fmt: skip

    assert refused.status_code == 403
    assert events_of(uow, shop.requested) == before
