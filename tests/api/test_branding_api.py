"""The store's branding over HTTP: defaults, changes, readable colours, and the e-mails that
show it."""

from __future__ import annotations

from email import message_from_bytes, policy

from retour.db.unit_of_work import UnitOfWork
from retour.domain.inputs import LineRequest
from retour.notifications.sender import email_sender_from_settings
from retour.services import returns as use_cases
from retour.services.outbox.worker import Worker, WorkerSettings
from tests.factories import STAFF, import_sample_order

DEFAULTS = {"name": "Acme", "logo_url": "", "primary_color": "#1f2937",
            "button_text_color": "#ffffff", "reply_to": ""}  # fmt: skip


def test_branding_starts_plain_and_changes_only_what_is_sent(client, other_client):
    before = client.get("/settings/branding").json()

    changed = client.patch(
        "/settings/branding",
        json={"primary_color": "#0B5FFF", "logo_url": "https://cdn.acme.example/logo.png",
              "reply_to": "help@acme.example"},
    )  # fmt: skip

    assert before == DEFAULTS
    assert changed.status_code == 200
    assert changed.json() == {
        **DEFAULTS, "primary_color": "#0b5fff", "logo_url": "https://cdn.acme.example/logo.png",
        "reply_to": "help@acme.example",
    }  # fmt: skip
    assert client.get("/settings/branding").json() == changed.json()
    assert other_client.get("/settings/branding").json() == {**DEFAULTS, "name": "Other"}


def test_unreadable_or_malformed_branding_is_refused_naming_the_field_and_nothing_changes(client):
    pale = client.patch("/settings/branding", json={"primary_color": "#dddddd"})
    malformed = client.patch("/settings/branding", json={"button_text_color": "white"})
    plain_http = client.patch("/settings/branding", json={"logo_url": "http://acme.example/l.png"})
    bad_reply = client.patch("/settings/branding", json={"reply_to": "help@acme"})
    unknown = client.patch("/settings/branding", json={"font": "Comic Sans"})

    assert (pale.status_code, pale.json()["field"]) == (422, "button_text_color")
    assert pale.json()["detail"] == (
        "button text on the primary colour has a contrast of 1.36:1; at least 4.5:1 keeps it "
        "readable (WCAG AA)"
    )
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "button_text_color"
    assert (plain_http.status_code, plain_http.json()["field"]) == (422, "logo_url")
    assert (bad_reply.status_code, bad_reply.json()["field"]) == (422, "reply_to")
    assert unknown.status_code == 422
    assert client.get("/settings/branding").json() == DEFAULTS


def test_emails_show_the_stores_name_logo_colour_and_reply_to(
    client, uow, server, settings, session_factory
):
    client.patch(
        "/settings/branding",
        json={"name": "Maison Acme", "primary_color": "#0b5fff",
              "logo_url": "https://cdn.acme.example/logo.png", "reply_to": "help@acme.example"},
    )  # fmt: skip
    with uow:
        store_id = uow.stores.by_slug("acme").id
    order = import_sample_order(uow, store_id, server.clock).order
    request = use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "too_small")])
    use_cases.request_return(uow, store_id, request, STAFF, server.clock.now())
    sender = email_sender_from_settings(settings, session_factory, server.clock)
    worker = Worker(
        lambda: UnitOfWork(session_factory), {"email": sender}, server.clock, WorkerSettings()
    )

    worker.run_once()

    [mail] = client.get("/notifications").json()["items"]
    eml = client.get(f"/notifications/{mail['id']}/eml").content
    message = message_from_bytes(eml, policy=policy.default)
    html = message.get_body(("html",)).get_content()
    assert message["From"].addresses[0].display_name == "Maison Acme"
    assert message["Reply-To"] == "Maison Acme <help@acme.example>"
    assert 'src="https://cdn.acme.example/logo.png"' in html
    assert "background-color:#0b5fff" in html
