"""`POST /returns/{id}/quantities` with `expected_updated_at`: applied only to the return as
the caller read it; a stale one is 409 naming where the return is now, with nothing written."""

from __future__ import annotations

from datetime import timedelta

from tests.api.test_quantities_api import approved


def later(server, hours: int = 1) -> None:
    server.clock.current += timedelta(hours=hours)


def edit(client, ret, quantity, **body):
    line = {"line_id": ret["lines"][0]["id"], "quantity": quantity}
    return client.post(
        f"/returns/{ret['id']}/quantities",
        json={"lines": [line], "reason": "keeps one", **body},
    )


def test_the_updated_at_as_read_applies_the_edit(client, server):
    ret = approved(client)
    seen = client.get(f"/returns/{ret['id']}").json()["updated_at"]
    later(server)

    response = edit(client, ret, 1, expected_updated_at=seen)

    assert response.status_code == 200, response.text
    edited = response.json()
    assert [line["quantities"]["approved"] for line in edited["lines"]] == [1, 1]
    assert (seen, edited["updated_at"]) == ("2026-03-02T09:30:00Z", "2026-03-02T10:30:00Z")


def test_microseconds_survive_the_round_trip_through_the_database(client, server):
    ret = approved(client)
    server.clock.current += timedelta(hours=1, microseconds=123456)
    assert client.post(
        f"/returns/{ret['id']}/mark-in-transit", json={"tracking_number": "1Z999AA10123456784"}
    ).is_success
    seen = client.get(f"/returns/{ret['id']}").json()["updated_at"]

    response = edit(client, ret, 1, expected_updated_at=seen)

    assert seen == "2026-03-02T10:30:00.123456Z"
    assert response.status_code == 200, response.text


def test_the_same_moment_written_in_another_offset_is_the_same_version(client, server):
    ret = approved(client)
    later(server)

    response = edit(client, ret, 1, expected_updated_at="2026-03-02T10:30:00+01:00")

    assert response.status_code == 200, response.text


def test_a_return_changed_since_it_was_read_is_409_and_nothing_is_written(client, server):
    ret = approved(client)
    seen = client.get(f"/returns/{ret['id']}").json()["updated_at"]
    later(server)
    assert client.post(
        f"/returns/{ret['id']}/mark-in-transit", json={"tracking_number": "1Z999AA10123456784"}
    ).is_success
    before = client.get(f"/returns/{ret['id']}").json()
    events = client.get(f"/returns/{ret['id']}/events").json()["items"]
    later(server)

    response = edit(client, ret, 1, expected_updated_at=seen)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:retour:problem:concurrent_modification",
        "title": "Concurrent modification",
        "status": 409,
        "code": "concurrent_modification",
        "detail": f"return {ret['number']} changed since 2026-03-02T09:30:00Z: it is now "
        "in_transit, updated at 2026-03-02T10:30:00Z. Nothing was changed: read it again, "
        "then retry.",
        "current_status": "in_transit",
        "updated_at": "2026-03-02T10:30:00Z",
    }
    after = client.get(f"/returns/{ret['id']}").json()
    assert after == before
    assert [line["quantities"]["approved"] for line in after["lines"]] == [2, 1]
    assert client.get(f"/returns/{ret['id']}/events").json()["items"] == events


def test_a_stale_request_with_an_idempotency_key_stores_no_answer(client, server):
    ret = approved(client)
    stale = "2026-03-02T08:00:00Z"
    headers = {"Idempotency-Key": "edit-1"}
    line = {"line_id": ret["lines"][0]["id"], "quantity": 1}
    body = {"lines": [line], "reason": "keeps one", "expected_updated_at": stale}

    first = client.post(f"/returns/{ret['id']}/quantities", json=body, headers=headers)
    again = client.post(f"/returns/{ret['id']}/quantities", json=body, headers=headers)

    assert (first.status_code, again.status_code) == (409, 409)
    assert "Idempotent-Replayed" not in again.headers
    assert again.json()["updated_at"] == "2026-03-02T09:30:00Z"
    lines = client.get(f"/returns/{ret['id']}").json()["lines"]
    assert [line["quantities"]["approved"] for line in lines] == [2, 1]


def test_without_it_the_edit_applies_to_the_return_as_it_is(client, server):
    ret = approved(client)
    later(server)
    assert edit(client, ret, 1).status_code == 200
    later(server)

    response = edit(client, ret, 0)

    assert response.status_code == 200, response.text
    assert [line["quantities"]["approved"] for line in response.json()["lines"]] == [0, 1]


def test_a_moment_without_a_timezone_is_422_naming_the_field(client, server):
    ret = approved(client)

    response = edit(client, ret, 1, expected_updated_at="2026-03-02T09:30:00")

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert [(error["field"], error["type"]) for error in problem["errors"]] == [
        ("expected_updated_at", "timezone_aware")
    ]
    lines = client.get(f"/returns/{ret['id']}").json()["lines"]
    assert [line["quantities"]["approved"] for line in lines] == [2, 1]
