"""/api/v1/notifications: templates (checked on save, previewed), switches, and the e-mails."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import LineRequest
from retour.domain.notifications import EMAIL_KINDS
from retour.notifications.sender import email_sender_from_settings
from retour.notifications.templates import default_templates
from retour.services import returns as use_cases
from retour.services.outbox.worker import Worker, WorkerSettings
from tests.factories import STAFF, import_sample_order

GOOD = {
    "subject": "Approved: {{ rma.number }}",
    "html": '{% extends "layout.html" %}\n{% block content %}<p>{{ rma.number }}</p>{% endblock %}',
    "text": "Approved {{ rma.number }}",
}


def store_id_of(uow, slug: str = "acme") -> int:
    with uow:
        return uow.stores.by_slug(slug).id


@pytest.fixture
def requested_return(client, uow, server):
    store_id = store_id_of(uow)
    order = import_sample_order(uow, store_id, server.clock).order
    lines = [LineRequest(order.lines[0].id, 1, "too_small")]
    return use_cases.request_return(
        uow, store_id, use_cases.ReturnRequest(order.id, lines), STAFF, server.clock.now()
    )


def send_as_eml(settings, session_factory, server) -> None:
    sender = email_sender_from_settings(settings, session_factory, server.clock)
    worker = Worker(
        lambda: UnitOfWork(session_factory), {"email": sender}, server.clock, WorkerSettings()
    )
    while worker.run_once():
        pass


def test_the_template_list_has_every_kind_in_every_language(client):
    response = client.get("/notifications/templates")

    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == len(EMAIL_KINDS) * 3
    assert {(item["kind"], item["locale"]) for item in items} == {
        (kind, locale) for kind in EMAIL_KINDS for locale in ("en", "fr", "de")
    }
    assert {item["is_custom"] for item in items} == {False}
    assert next(i for i in items if i["kind"] == "staff_daily_digest")["audience"] == "staff"


def test_a_template_starts_as_the_built_in_one(client):
    response = client.get("/notifications/templates/return_approved/fr")

    assert response.status_code == 200
    body = response.json()
    built_in = default_templates().default_source("return_approved", "fr")
    assert (body["is_custom"], body["updated_at"]) == (False, None)
    assert (body["subject"], body["html"], body["text"]) == (
        built_in.subject,
        built_in.html,
        built_in.text,
    )
    assert body["subject"] == "Votre retour {{ rma.number }} est accepté\n"


def test_a_store_saves_its_own_template_and_can_go_back(client, other_client):
    saved = client.put("/notifications/templates/return_approved/en", json=GOOD)

    assert saved.status_code == 200
    assert saved.json()["is_custom"] is True and saved.json()["subject"] == GOOD["subject"]
    assert client.get("/notifications/templates/return_approved/en").json()["text"] == GOOD["text"]
    listed = client.get("/notifications/templates").json()["items"]
    assert [(i["kind"], i["locale"]) for i in listed if i["is_custom"]] == [
        ("return_approved", "en")
    ]
    other = other_client.get("/notifications/templates/return_approved/en").json()
    assert other["is_custom"] is False  # another store keeps the built-in one

    assert client.delete("/notifications/templates/return_approved/en").status_code == 204
    assert client.get("/notifications/templates/return_approved/en").json()["is_custom"] is False
    again = client.delete("/notifications/templates/return_approved/en")
    assert again.status_code == 404


def test_a_template_with_a_syntax_error_is_refused_with_its_line(client):
    broken = {**GOOD, "html": "<p>Hello</p>\n<p>{{ rma.number }</p>\n<p>Bye</p>"}

    response = client.put("/notifications/templates/return_approved/en", json=broken)

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"], body["line"]) == ("invalid_template", "html", 2)
    assert body["detail"].startswith("html, line 2: unexpected '}'")
    assert client.get("/notifications/templates/return_approved/en").json()["is_custom"] is False


def test_a_template_reaching_outside_the_sandbox_is_refused(client):
    sneaky = {**GOOD, "text": "Hi\n{{ rma.number.__class__.__mro__[1].__subclasses__() }}"}

    response = client.put("/notifications/templates/return_approved/en", json=sneaky)

    assert response.status_code == 422
    body = response.json()
    assert (body["field"], body["line"]) == ("text", 2)
    assert "unsafe" in body["detail"]
    assert client.get("/notifications/templates/return_approved/en").json()["is_custom"] is False


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/notifications/templates/return_lost/en", "e-mail kind 'return_lost'"),
        ("/notifications/templates/return_approved/es", "e-mail language 'es'"),
    ],
)
def test_an_unknown_kind_or_language_is_not_found_and_named(client, path, named):
    for response in (client.get(path), client.put(path, json=GOOD), client.delete(path)):
        assert response.status_code == 404
        assert named in response.json()["detail"]


def test_a_preview_renders_a_sample_with_the_built_in_template(client):
    response = client.post("/notifications/templates/return_approved/de/preview")

    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "Ihre Rücksendung R-100231 wurde genehmigt"
    assert body["text"].startswith("Guten Tag Sam Shopper,")
    assert "http://127.0.0.1:8000/s/acme/returns/R-100231" in body["html"]
    assert (body["undefined"], body["is_custom"], body["return_id"]) == ([], False, None)


def test_a_preview_of_a_draft_lists_the_names_it_does_not_know(client):
    draft = {"subject": "{{ rma.number }} for {{ shopper.first_name }}"}

    response = client.post("/notifications/templates/return_approved/en/preview", json=draft)

    body = response.json()
    assert body["subject"] == "R-100231 for"
    assert body["undefined"] == ["'shopper' is undefined"]
    assert body["is_custom"] is True
    assert client.get("/notifications/templates/return_approved/en").json()["is_custom"] is False


def test_a_preview_of_a_broken_draft_says_where(client):
    response = client.post(
        "/notifications/templates/return_approved/en/preview",
        json={"text": "one\ntwo\n{% if rma %}"},
    )

    assert response.status_code == 422
    assert (response.json()["field"], response.json()["line"]) == ("text", 3)


def test_a_preview_can_use_a_real_return(client, requested_return):
    response = client.post(
        "/notifications/templates/return_requested/en/preview",
        json={"return_id": requested_return.id},
    )

    body = response.json()
    assert body["subject"] == f"We received your return request {requested_return.number}"
    assert "- 1 × Linen shirt M (LINEN-M)" in body["text"]
    assert body["return_id"] == requested_return.id


def test_a_preview_of_another_stores_return_is_not_found(other_client, requested_return):
    response = other_client.post(
        "/notifications/templates/return_requested/en/preview",
        json={"return_id": requested_return.id},
    )

    assert response.status_code == 404


def test_switches_list_every_kind_and_turn_one_off(client, other_client):
    listed = client.get("/notifications/settings").json()["items"]
    assert [(i["kind"], i["enabled"]) for i in listed] == [(k, True) for k in EMAIL_KINDS]

    response = client.put("/notifications/settings/return_received", json={"enabled": False})

    assert response.status_code == 200
    assert response.json() == {
        "kind": "return_received",
        "audience": "shopper",
        "enabled": False,
        "cancelled_pending": 0,
    }
    items = client.get("/notifications/settings").json()["items"]
    listed = {item["kind"]: item["enabled"] for item in items}
    assert listed["return_received"] is False
    assert sum(not enabled for enabled in listed.values()) == 1
    other = other_client.get("/notifications/settings").json()["items"]
    assert all(item["enabled"] for item in other)
    back_on = client.put("/notifications/settings/return_received", json={"enabled": True})
    assert back_on.json()["enabled"] is True


def test_switching_an_unknown_kind_is_not_found_and_named(client):
    response = client.put("/notifications/settings/return_lost", json={"enabled": False})

    assert response.status_code == 404
    assert "e-mail kind 'return_lost'" in response.json()["detail"]
    missing = client.put("/notifications/settings/return_received", json={})
    assert missing.status_code == 422


def test_the_emails_sent_are_listed_with_their_attempts_and_eml_file(
    client, other_client, settings, session_factory, server, requested_return, uow
):
    store_id = store_id_of(uow)
    use_cases.approve_return(uow, store_id, requested_return.id, STAFF, server.clock.now())
    pending = client.get("/notifications", params={"status": "pending"}).json()["items"]
    assert [item["kind"] for item in pending] == ["return_approved", "return_requested"]

    send_as_eml(settings, session_factory, server)

    page = client.get("/notifications", params={"limit": 1}).json()
    [newest] = page["items"]
    assert (newest["kind"], newest["status"], newest["attempts"]) == (
        "return_approved", "delivered", 1,
    )  # fmt: skip
    assert newest["recipient"] == "shopper@example.com"
    assert newest["return_id"] == requested_return.id
    assert newest["event_name"] == "return.approved"
    assert newest["eml_path"].endswith(f"/mail/acme/{newest['id']}-return_approved.eml")
    assert newest["eml_url"] == f"/api/v1/notifications/{newest['id']}/eml"
    assert newest["message_id"].startswith("<") and newest["next_attempt_at"] is None
    older = client.get("/notifications", params={"limit": 1, "cursor": page["next_cursor"]})
    assert [i["kind"] for i in older.json()["items"]] == ["return_requested"]
    assert older.json()["next_cursor"] is None
    assert client.get("/notifications", params={"status": "pending"}).json()["items"] == []
    by_kind = client.get("/notifications", params={"kind": "return_requested"}).json()["items"]
    assert [i["kind"] for i in by_kind] == ["return_requested"]
    by_return = client.get("/notifications", params={"return_id": requested_return.id + 1})
    assert by_return.json()["items"] == []

    detail = client.get(f"/notifications/{newest['id']}").json()
    [attempt] = detail["attempt_log"]
    assert (attempt["is_success"], attempt["error"]) == (True, "")
    assert attempt["response_excerpt"] == f"written to {newest['eml_path']}"

    eml = client.get(f"/notifications/{newest['id']}/eml")
    assert eml.status_code == 200
    assert eml.headers["content-type"] == "message/rfc822"
    message = message_from_bytes(eml.content, policy=policy.default)
    assert message["Subject"] == f"Your return {requested_return.number} is approved"
    assert message["Message-ID"] == newest["message_id"]

    assert other_client.get("/notifications").json()["items"] == []
    assert other_client.get(f"/notifications/{newest['id']}").status_code == 404
    assert other_client.get(f"/notifications/{newest['id']}/eml").status_code == 404


def test_an_email_without_a_file_has_no_eml(client, requested_return):
    [pending] = client.get("/notifications").json()["items"]

    response = client.get(f"/notifications/{pending['id']}/eml")

    assert response.status_code == 404
    assert pending["eml_path"] is None and pending["eml_url"] is None


def test_list_filters_are_checked(client):
    assert client.get("/notifications", params={"status": "lost"}).status_code == 422
    unknown = client.get("/notifications", params={"kind": "return_lost"})
    assert unknown.status_code == 404
    assert client.get("/notifications", params={"cursor": "nope"}).status_code == 422


def test_an_email_is_sent_again_on_request_and_a_pending_one_is_left_alone(
    client, other_client, settings, session_factory, server, requested_return
):
    [pending] = client.get("/notifications").json()["items"]
    still_pending = client.post(f"/notifications/{pending['id']}/resend")
    send_as_eml(settings, session_factory, server)

    resent = client.post(f"/notifications/{pending['id']}/resend")
    send_as_eml(settings, session_factory, server)

    assert still_pending.status_code == 202
    assert (still_pending.json()["status"], still_pending.json()["attempts"]) == ("pending", 0)
    assert resent.status_code == 202
    assert (resent.json()["status"], resent.json()["attempts"]) == ("pending", 0)
    detail = client.get(f"/notifications/{pending['id']}").json()
    assert (detail["status"], len(detail["attempt_log"])) == ("delivered", 2)
    assert other_client.post(f"/notifications/{pending['id']}/resend").status_code == 404
    assert client.post("/notifications/999999/resend").status_code == 404
