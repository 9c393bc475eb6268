"""`POST /returns/{id}/quantities` over HTTP: the edit, its event, and its refusals."""

from __future__ import annotations

from tests.api.test_returns_api import import_order, open_return


def approved(client):
    ret = open_return(client, import_order(client)).json()
    assert client.post(f"/returns/{ret['id']}/approve").status_code == 200
    return ret


def test_lowering_a_line_answers_the_return_and_keeps_the_event(client):
    ret = approved(client)
    first, second = (line["id"] for line in ret["lines"])

    response = client.post(
        f"/returns/{ret['id']}/quantities",
        json={"lines": [{"line_id": first, "quantity": 1}], "reason": "keeps one"},
    )

    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["status"] == "approved"
    assert [line["quantities"]["approved"] for line in edited["lines"]] == [1, 1]
    assert "edit_quantities" in edited["allowed_actions"]
    event = client.get(f"/returns/{ret['id']}/events").json()["items"][-1]
    assert event["name"] == "return.quantities_changed"
    assert event["payload"]["lines"] == [{"line_id": first, "sku": "LINEN-M", "from": 2, "to": 1}]
    assert event["payload"]["reason"] == "keeps one"
    quote = client.get(f"/returns/{ret['id']}/refund-quote").json()
    assert (quote["items_amount"], quote["tax_amount"]) == (2 * 4900, 2 * 980)
    assert second in [line["return_line_id"] for line in quote["lines"]]


def test_every_line_at_zero_is_422_naming_the_lines(client):
    ret = approved(client)
    lines = [{"line_id": line["id"], "quantity": 0} for line in ret["lines"]]

    response = client.post(
        f"/returns/{ret['id']}/quantities", json={"lines": lines, "reason": "none left"}
    )

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_request", "lines")


def test_a_requested_return_is_409_naming_its_status(client):
    ret = open_return(client, import_order(client)).json()

    response = client.post(
        f"/returns/{ret['id']}/quantities",
        json={"lines": [{"line_id": ret["lines"][0]["id"], "quantity": 1}], "reason": "x"},
    )

    assert response.status_code == 409
    assert response.json()["current_status"] == "requested"


def test_a_line_listed_twice_and_a_missing_reason_are_refused(client):
    ret = approved(client)
    line_id = ret["lines"][0]["id"]
    twice = [{"line_id": line_id, "quantity": 1}, {"line_id": line_id, "quantity": 0}]

    doubled = client.post(f"/returns/{ret['id']}/quantities", json={"lines": twice, "reason": "x"})
    unexplained = client.post(
        f"/returns/{ret['id']}/quantities", json={"lines": twice[:1], "reason": ""}
    )

    assert (doubled.status_code, doubled.json()["field"]) == (422, "lines[1].line_id")
    assert unexplained.status_code == 422
    lines = client.get(f"/returns/{ret['id']}").json()["lines"]
    assert [line["quantities"]["approved"] for line in lines] == [2, 1]
