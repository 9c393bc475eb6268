"""/api/v1 return locations and routing rules over real HTTP: a return goes where the first
matching rule sends it (its label, its restocking), refusals name the field and save nothing."""

from __future__ import annotations

import pytest

from tests.support.shipping_steps import WAREHOUSE, shipped_order_payload

EMPTY_ADDRESS = dict.fromkeys(WAREHOUSE, "")
UK_HUB = {
    "name": "Acme UK Returns", "company": "", "line1": "1 Dock Road", "line2": "",
    "city": "London", "region": "", "postal_code": "E16 1AA", "country": "GB", "phone": "",
}  # fmt: skip
REFURB = {**WAREHOUSE, "name": "Acme Refurb", "line1": "Werkstraße 9", "postal_code": "10117"}


def order_with_tags(client, platform_id, tags, **address):
    payload = shipped_order_payload(platform_id, **address)
    for line in payload["lines"]:
        line["sku"] = f"{line['sku']}-{platform_id}"
        line["product"] = {**line["product"], "handle": f"shirt-{platform_id}", "tags": tags}
    answer = client.post("/orders", json=payload)
    assert answer.status_code == 201, answer.text
    return answer.json()


def restocked_location(client, order):
    """Return one unit of the order's first line, receive and restock it: the stock's location."""
    line = {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "too_small"}
    ret = client.post("/returns", json={
        "order_id": order["id"], "resolution": "refund", "return_method": "ship_yourself",
        "lines": [line],
    }).json()  # fmt: skip
    rid, line_id = ret["id"], ret["lines"][0]["id"]
    assert client.post(f"/returns/{rid}/approve").status_code == 200
    client.post(f"/returns/{rid}/receive", json={"lines": [{"line_id": line_id, "quantity": 1}]})
    inspected = client.post(f"/returns/{rid}/inspect", json={"lines": [
        {"line_id": line_id, "quantity": 1, "accepted": True, "grade": "A",
         "disposition": "restock"},
    ]})  # fmt: skip
    assert inspected.json()["status"] == "inspected", inspected.text
    movements = client.get("/inventory/movements", params={"return_id": rid}).json()["items"]
    return [movement["location"] for movement in movements]


@pytest.fixture
def locations(client):
    assert client.patch("/settings/shipping", json={"return_address": WAREHOUSE}).status_code == 200
    for code, name, address in (("uk-hub", "UK hub", UK_HUB), ("refurb", "Refurbisher", REFURB)):
        made = client.post("/locations", json={"code": code, "name": name, "address": address})
        assert made.status_code == 201, made.text
    return client


def test_a_store_starts_with_its_default_location_and_adds_more(client):
    assert client.get("/locations").json() == {"items": [
        {"code": "returns", "name": "Returns", "is_default": True, "address": EMPTY_ADDRESS},
    ]}  # fmt: skip

    made = client.post("/locations", json={
        "code": "uk-hub", "name": "  UK   hub ", "address": {**UK_HUB, "postal_code": "e16 1aa"},
    })  # fmt: skip

    assert made.status_code == 201
    assert made.json() == {"code": "uk-hub", "name": "UK hub", "is_default": False,
                           "address": UK_HUB}  # fmt: skip
    assert [item["code"] for item in client.get("/locations").json()["items"]] == [
        "returns", "uk-hub",
    ]  # fmt: skip


def test_the_default_moves_to_the_location_made_default(locations):
    client = locations

    moved = client.patch("/locations/uk-hub", json={"is_default": True, "name": "London"})

    assert (moved.status_code, moved.json()["is_default"], moved.json()["name"]) == (
        200, True, "London",
    )  # fmt: skip
    listed = client.get("/locations").json()["items"]
    assert [(item["code"], item["is_default"]) for item in listed] == [
        ("uk-hub", True), ("refurb", False), ("returns", False),
    ]  # fmt: skip
    assert client.get("/settings/shipping").json()["return_address"] == UK_HUB


@pytest.mark.parametrize(
    ("body", "status", "field", "detail"),
    [
        ({"code": "returns", "name": "Again"}, 409, "code",
         "return location returns already exists"),
        ({"code": "UK Hub", "name": "UK"}, 422, "code",
         "1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit"),
        ({"code": "uk", "name": "   "}, 422, "name", "1 to 200 characters"),
        ({"code": "uk", "name": "UK", "address": {**UK_HUB, "postal_code": "1234"}}, 422,
         "address.postal_code", "'1234' is not a GB postal code (e.g. SW1A 1AA)"),
    ],
)  # fmt: skip
def test_a_refused_location_names_the_field_and_adds_nothing(client, body, status, field, detail):
    answer = client.post("/locations", json=body)

    assert (answer.status_code, answer.json()["field"], answer.json()["detail"]) == (
        status, field, detail,
    )  # fmt: skip
    assert [item["code"] for item in client.get("/locations").json()["items"]] == ["returns"]


def test_a_location_cannot_stop_being_the_default_nor_be_unknown(locations):
    refused = locations.patch("/locations/returns", json={"is_default": False})
    unknown = locations.patch("/locations/nowhere", json={"name": "Nowhere"})

    assert (refused.status_code, refused.json()["field"], refused.json()["detail"]) == (
        422, "is_default", "make another location the default instead",
    )  # fmt: skip
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404, "return location nowhere not found",
    )  # fmt: skip
    assert locations.get("/locations").json()["items"][0]["code"] == "returns"


ROUTES = [
    {"location": "refurb", "match": "product_tag", "values": ["Refurbishable"]},
    {"location": "uk-hub", "match": "country", "values": ["gb", "IE", "GB"]},
]


def test_routing_rules_are_saved_in_order_and_normalised(locations):
    saved = locations.put("/settings/return-routing", json={"routes": ROUTES})

    expected = {"routes": [
        {"location": "refurb", "match": "product_tag", "values": ["Refurbishable"]},
        {"location": "uk-hub", "match": "country", "values": ["GB", "IE"]},
    ]}  # fmt: skip
    assert (saved.status_code, saved.json()) == (200, expected)
    assert locations.get("/settings/return-routing").json() == expected
    assert locations.put("/settings/return-routing", json={"routes": []}).json() == {"routes": []}


@pytest.mark.parametrize(
    ("route", "field", "detail"),
    [
        ({"location": "paris", "match": "country", "values": ["FR"]}, "routes[1].location",
         "no return location 'paris'; one of: refurb, returns, uk-hub"),
        ({"location": "uk-hub", "match": "weight", "values": ["FR"]}, "routes[1].match",
         "one of: country, product_tag"),
        ({"location": "uk-hub", "match": "country", "values": []}, "routes[1].values",
         "at least one value"),
        ({"location": "uk-hub", "match": "country", "values": ["GB", "UK"]},
         "routes[1].values[1]", "'UK' is not an ISO 3166-1 alpha-2 country code"),
        ({"location": "uk-hub", "match": "product_tag", "values": ["ok", " "]},
         "routes[1].values[1]", "a tag of 1 to 100 characters"),
    ],
)  # fmt: skip
def test_refused_routing_names_the_field_and_keeps_the_rules(locations, route, field, detail):
    locations.put("/settings/return-routing", json={"routes": ROUTES[:1]})

    answer = locations.put("/settings/return-routing", json={"routes": [ROUTES[0], route]})

    assert (answer.status_code, answer.json()["field"], answer.json()["detail"]) == (
        422, field, detail,
    )  # fmt: skip
    assert locations.get("/settings/return-routing").json()["routes"] == ROUTES[:1]


def test_returns_go_where_the_first_matching_rule_sends_them(locations):
    client = locations
    client.put("/settings/return-routing", json={"routes": ROUTES})

    tagged_to_gb = order_with_tags(client, "1001", ["refurbishable"], country="GB",
                                   postal_code="SW1A 1AA", city="London")  # fmt: skip
    plain_to_gb = order_with_tags(client, "1002", ["linen"], country="gb",
                                  postal_code="SW1A 1AA", city="London")  # fmt: skip
    plain_to_fr = order_with_tags(client, "1003", ["linen"])

    assert restocked_location(client, tagged_to_gb) == ["refurb"]
    assert restocked_location(client, plain_to_gb) == ["uk-hub"]
    assert restocked_location(client, plain_to_fr) == ["returns"]


def test_a_label_goes_to_the_routed_location_and_rules_do_not_move_old_returns(locations):
    client = locations
    order = order_with_tags(client, "1001", [], country="GB", postal_code="SW1A 1AA",
                            city="London")  # fmt: skip
    line = {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "too_small"}
    request = {"order_id": order["id"], "resolution": "refund",
               "return_method": "prepaid_label", "lines": [line]}  # fmt: skip
    before = client.post("/returns", json=request).json()
    client.put("/settings/return-routing", json={"routes": ROUTES[1:]})
    after = client.post(
        "/returns", json={**request, "lines": [{**line, "order_line_id": order["lines"][1]["id"]}]}
    ).json()

    addresses = []
    for ret in (before, after):
        assert client.post(f"/returns/{ret['id']}/approve").status_code == 200
        label = client.post(f"/returns/{ret['id']}/shipments", json={"method": "prepaid_label"})
        assert label.status_code == 201, label.text
        addresses.append(label.json()["to_address"])

    assert addresses == [WAREHOUSE, UK_HUB]


def test_a_routed_location_without_an_address_refuses_the_label_and_says_which(client):
    client.patch("/settings/shipping", json={"return_address": WAREHOUSE})
    client.post("/locations", json={"code": "uk-hub", "name": "UK hub"})
    client.put("/settings/return-routing", json={"routes": ROUTES[1:]})
    order = order_with_tags(client, "1001", [], country="GB", postal_code="SW1A 1AA",
                            city="London")  # fmt: skip
    line = {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "too_small"}
    ret = client.post(
        "/returns",
        json={
            "order_id": order["id"],
            "resolution": "refund",
            "return_method": "prepaid_label",
            "lines": [line],
        },
    ).json()
    client.post(f"/returns/{ret['id']}/approve")

    label = client.post(f"/returns/{ret['id']}/shipments", json={"method": "prepaid_label"})

    assert (label.status_code, label.json()["field"]) == (422, "return_address")
    assert label.json()["detail"] == (
        "return location uk-hub has no address: PATCH /api/v1/locations/uk-hub"
    )
    assert client.get(f"/returns/{ret['id']}/shipments").json()["items"] == []


def test_staff_send_a_return_elsewhere_before_it_ships_and_its_stock_lands_there(locations):
    order = order_with_tags(locations, "5001", ["linen"])
    line = {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "too_small"}
    ret = locations.post("/returns", json={
        "order_id": order["id"], "resolution": "refund", "return_method": "prepaid_label",
        "lines": [line],
    }).json()  # fmt: skip
    rid = ret["id"]
    assert locations.post(f"/returns/{rid}/approve").status_code == 200
    label = locations.post(f"/returns/{rid}/shipments", json={"method": "prepaid_label"})
    assert label.status_code == 201, label.text
    body = {"location": "uk-hub", "reason": "Berlin is full this week"}

    refused = locations.post(f"/returns/{rid}/location", json=body)
    assert refused.status_code == 409
    assert refused.json()["code"] == "label_addressed_elsewhere"
    assert refused.json()["location"] == "returns"
    shipment_id = label.json()["id"]
    assert locations.post(f"/shipments/{shipment_id}/void", json={}).status_code == 200
    moved = locations.post(f"/returns/{rid}/location", json=body)
    assert moved.status_code == 200, moved.text
    unknown = locations.post(f"/returns/{rid}/location", json={**body, "location": "mars"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "location")

    relabel = locations.post(f"/returns/{rid}/shipments", json={"method": "prepaid_label"})
    assert relabel.json()["to_address"]["line1"] == "1 Dock Road"
    events = locations.get(f"/returns/{rid}/events").json()["items"]
    changed = [e["payload"] for e in events if e["name"] == "return.location_changed"]
    assert [(p["from"], p["to"], p["reason"]) for p in changed] == [
        ("returns", "uk-hub", "Berlin is full this week"),
    ]
