"""Settings → return locations (owners and admins): locations added and edited with their
addresses, the default moved, routing rules written in order; refusals shown next to the
field or the rule with nothing saved; other roles refused."""

from __future__ import annotations

import re

import pytest

from retour.domain.addresses import Address
from retour.domain.routing import Route, RouteMatch
from retour.services.return_locations import ReturnLocation, return_locations
from retour.services.return_routing import return_routing
from tests.backoffice.steps import BASE, csrf_of

LOCATIONS = f"{BASE}/settings/locations"
HUB = {
    "address.name": "Acme UK Returns", "address.line1": "1 Dock Road", "address.city": "London",
    "address.postal_code": "e16 1aa", "address.country": "gb",
}  # fmt: skip
HUB_ADDRESS = Address(
    name="Acme UK Returns", line1="1 Dock Road", city="London", postal_code="E16 1AA", country="GB"
)


def post(client, action: str, **fields: str):
    return client.post(action, data={"csrf": csrf_of(client, LOCATIONS), **fields})


def rule(index: int, location: str, match: str, values: str, order: str = "") -> dict[str, str]:
    return {
        f"rule-{index}-location": location, f"rule-{index}-match": match,
        f"rule-{index}-values": values, f"rule-{index}-order": order or str(index + 1),
    }  # fmt: skip


@pytest.fixture
def hub(shop, uow):
    added = post(shop.staff("owner"), LOCATIONS, code="uk-hub", name="UK hub", **HUB)
    assert added.status_code == 303
    return added


def test_an_owner_adds_a_location_with_its_address(shop, uow, hub):
    assert hub.headers["location"] == f"{LOCATIONS}?done=added#location-uk-hub"
    assert return_locations(uow, shop.store_id) == [
        ReturnLocation("returns", "Returns", True, Address()),
        ReturnLocation("uk-hub", "UK hub", False, HUB_ADDRESS),
    ]
    page = shop.staff("owner").get(hub.headers["location"])
    assert "The location is added. Rules below decide which returns go there." in page.text
    assert re.findall(r'<section id="location-([a-z0-9_-]+)"', page.text) == ["returns", "uk-hub"]
    assert "No address yet: no label can be made to this location until it has one." in page.text
    postal_code = 'id="edit-uk-hub-address-postal_code" name="address.postal_code" value="E16 1AA"'
    assert postal_code in page.text
    assert [location.code for location in return_locations(uow, shop.other_store_id)] == ["returns"]
    index = shop.staff("admin").get(f"{BASE}/settings")
    assert f'href="{LOCATIONS}"' in index.text


def test_a_bad_address_is_refused_next_to_its_field_and_nothing_changes(shop, uow, hub):
    before = return_locations(uow, shop.store_id)

    refused = post(shop.staff("owner"), f"{LOCATIONS}/uk-hub", name="London",
                   **{**HUB, "address.postal_code": "1234"})  # fmt: skip

    assert refused.status_code == 400
    message = "&#39;1234&#39; is not a GB postal code (e.g. SW1A 1AA)"
    assert f'<p class="error" role="alert" id="uk-hub-error">{message}</p>' in refused.text
    field = 'id="edit-uk-hub-address-postal_code" name="address.postal_code" value="1234"'
    assert f'{field} aria-describedby="uk-hub-error" aria-invalid="true"' in refused.text
    assert return_locations(uow, shop.store_id) == before


def test_a_taken_code_is_refused_and_the_typed_values_kept(shop, uow, hub):
    refused = post(shop.staff("admin"), LOCATIONS, code="uk-hub", name="Second hub", **HUB)

    assert refused.status_code == 400
    assert (
        '<p class="error" role="alert" id="new-error">return location uk-hub already exists</p>'
        in (refused.text)
    )
    assert 'id="new-name" name="name" maxlength="200" required value="Second hub"' in refused.text
    assert len(return_locations(uow, shop.store_id)) == 2


def test_the_default_moves_and_an_all_blank_address_keeps_the_address(shop, uow, hub):
    client = shop.staff("owner")

    moved = post(client, f"{LOCATIONS}/uk-hub/default")
    renamed = post(client, f"{LOCATIONS}/uk-hub", name="London hub")

    assert moved.headers["location"] == f"{LOCATIONS}?done=default#location-uk-hub"
    assert renamed.headers["location"] == f"{LOCATIONS}?done=saved#location-uk-hub"
    assert return_locations(uow, shop.store_id) == [
        ReturnLocation("uk-hub", "London hub", True, HUB_ADDRESS),
        ReturnLocation("returns", "Returns", False, Address()),
    ]
    page = client.get(LOCATIONS)
    assert "Make returns the default" in page.text
    assert "Make uk-hub the default" not in page.text


def test_rules_are_saved_in_the_order_typed_and_blank_or_removed_rows_dropped(shop, uow, hub):
    client = shop.staff("owner")
    fields = {
        **rule(0, "uk-hub", "country", "gb, IE", order="2"),
        **rule(1, "returns", "product_tag", "Fragile", order="1"),
        **rule(2, "returns", "country", ""),
        **rule(3, "uk-hub", "product_tag", "gone"), "rule-3-remove": "yes",
    }  # fmt: skip

    saved = post(client, f"{LOCATIONS}/rules", **fields)

    assert saved.headers["location"] == f"{LOCATIONS}?done=rules#rules"
    assert return_routing(uow, shop.store_id) == [
        Route("returns", RouteMatch.PRODUCT_TAG, ("Fragile",)),
        Route("uk-hub", RouteMatch.COUNTRY, ("GB", "IE")),
    ]
    page = client.get(saved.headers["location"])
    assert 'id="rule-0-values" name="rule-0-values" value="Fragile"' in page.text
    assert 'id="rule-1-values" name="rule-1-values" value="GB, IE"' in page.text
    assert 'id="rule-3-values" name="rule-3-values" value=""' in page.text  # two spare rows
    assert 'id="rule-4-values"' not in page.text


def test_a_refused_rule_is_named_by_its_row_and_nothing_is_saved(shop, uow, hub):
    client = shop.staff("owner")
    post(client, f"{LOCATIONS}/rules", **rule(0, "uk-hub", "country", "GB"))

    refused = post(client, f"{LOCATIONS}/rules", **{
        **rule(0, "uk-hub", "country", "GB"), **rule(1, "returns", "country", ""),
        **rule(2, "uk-hub", "country", "IE, UK"),
    })  # fmt: skip

    assert refused.status_code == 400
    message = "rule 3: &#39;UK&#39; is not an ISO 3166-1 alpha-2 country code"
    assert f'<p class="error" role="alert" id="rules-error">{message}</p>' in refused.text
    assert ('id="rule-2-values" name="rule-2-values" value="IE, UK" aria-describedby="rules-error"'
            ' aria-invalid="true"') in refused.text  # fmt: skip
    assert return_routing(uow, shop.store_id) == [Route("uk-hub", RouteMatch.COUNTRY, ("GB",))]


def test_a_hand_made_rule_row_without_values_is_a_blank_row_not_a_crash(shop, uow, hub):
    client = shop.staff("owner")
    post(client, f"{LOCATIONS}/rules", **rule(0, "uk-hub", "country", "GB"))

    fields = {"rule-0-location": "uk-hub", "rule-0-match": "country"}  # no rule-0-values
    saved = post(client, f"{LOCATIONS}/rules", **fields)

    assert saved.headers["location"] == f"{LOCATIONS}?done=rules#rules"
    assert return_routing(uow, shop.store_id) == []


@pytest.mark.parametrize("role", ["agent", "warehouse", "analyst"])
def test_other_roles_may_neither_open_nor_change_locations(shop, uow, role):
    client = shop.staff(role)
    assert client.get(LOCATIONS).status_code == 403
    csrf = csrf_of(client, BASE)
    for action, fields in [
        (LOCATIONS, {"code": "uk-hub", "name": "UK hub"}),
        (f"{LOCATIONS}/returns", {"name": "Renamed"}),
        (f"{LOCATIONS}/returns/default", {}),
        (f"{LOCATIONS}/rules", rule(0, "returns", "country", "GB")),
    ]:
        refused = client.post(action, data={"csrf": csrf, **fields})
        assert refused.status_code == 403, action
        assert f"the {role} role may not configure store. Nothing was changed." in refused.text
    assert return_locations(uow, shop.store_id) == [
        ReturnLocation("returns", "Returns", True, Address())
    ]
    assert return_routing(uow, shop.store_id) == []
