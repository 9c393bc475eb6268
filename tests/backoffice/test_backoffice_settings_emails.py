"""Settings → e-mails (owners and admins): every kind × language listed with its switch; a
template edited, previewed, saved (the next e-mail uses it) or put back to the built-in one;
a broken template refused next to its field with nothing stored; other roles refused."""

from __future__ import annotations

import base64
import hashlib
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from retour.db.unit_of_work import UnitOfWork
from retour.domain.notifications import EMAIL_KINDS
from retour.notifications import editing, listing
from retour.notifications.sender import email_sender_from_settings
from retour.notifications.templates import TemplateSource, default_templates
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.web.backoffice.visit import CSP
from tests.backoffice.steps import BASE, csrf_of

EMAILS = f"{BASE}/settings/emails"
REQUESTED_EN = f"{EMAILS}/return_requested/en"
GOOD = {
    "subject": "We have your request {{ rma.number }}",
    "html": '{% extends "layout.html" %}\r\n{% block content %}<p>Hi {{ recipient.name }}</p>'
    "{% endblock %}",
    "text": "Hi {{ recipient.name }},\r\nwe have {{ rma.number }}.",
}
STORED = TemplateSource(
    subject="We have your request {{ rma.number }}",
    html='{% extends "layout.html" %}\n{% block content %}<p>Hi {{ recipient.name }}</p>'
    "{% endblock %}",
    text="Hi {{ recipient.name }},\nwe have {{ rma.number }}.",
)


def post(client, action: str, **fields: str):
    return client.post(action, data={"csrf": csrf_of(client, EMAILS), **fields})


def template_of(uow, store_id: int, kind: str = "return_requested", locale: str = "en"):
    return editing.get_template(uow, store_id, kind, locale, default_templates())


def customs(uow, store_id: int) -> list[tuple[str, str]]:
    return [(t.kind, t.locale) for t in editing.list_templates(uow, store_id) if t.is_custom]


def switched_off(uow, store_id: int) -> list[str]:
    return [switch.kind for switch in editing.list_switches(uow, store_id) if not switch.is_enabled]


def send_pending(settings, session_factory, clock) -> None:
    sender = email_sender_from_settings(settings, session_factory, clock)
    worker = Worker(lambda: UnitOfWork(session_factory), {"email": sender}, clock, WorkerSettings())
    while worker.run_once():
        pass


def test_the_list_has_every_kind_in_every_language_with_its_switch(shop, uow):
    post(shop.staff("owner"), REQUESTED_EN, **GOOD)

    page = shop.staff("admin").get(EMAILS)

    assert page.status_code == 200
    assert re.findall(r'<tr id="kind-([a-z_]+)">', page.text) == list(EMAIL_KINDS)
    links = re.findall(rf'<a href="{EMAILS}/([a-z_]+)/([a-z]+)">(Custom|Built-in)', page.text)
    assert len(links) == len(EMAIL_KINDS) * 3
    assert [link for link in links if link[2] == "Custom"] == [("return_requested", "en", "Custom")]
    assert page.text.count(">Switch off<span") == len(EMAIL_KINDS)
    assert "When a return is approved: how to send the items back, and by when" in page.text
    index = shop.staff("admin").get(f"{BASE}/settings")
    assert f'href="{EMAILS}"' in index.text


def test_a_saved_template_is_stored_and_the_next_email_uses_it(
    shop, uow, settings, session_factory
):
    saved = post(shop.staff("owner"), REQUESTED_EN, **GOOD)

    assert saved.status_code == 303
    assert saved.headers["location"] == f"{REQUESTED_EN}?done=saved"
    view = template_of(uow, shop.store_id)
    assert (view.is_custom, view.source) == (True, STORED)
    assert customs(uow, shop.other_store_id) == []
    page = shop.staff("owner").get(saved.headers["location"])
    assert "The template is saved: e-mails sent from now on use it." in page.text
    assert "Go back to the built-in template</button>" in page.text
    send_pending(settings, session_factory, shop.clock)
    emails = listing.list_emails(
        uow, shop.store_id, listing.EmailFilter(kind="return_requested"), None, 10
    ).items
    assert [(email.status, email.recipient) for email in emails] == [
        ("delivered", "shopper@example.com")
    ]
    message = message_from_bytes(Path(emails[0].eml_path).read_bytes(), policy=policy.default)
    assert message["Subject"] == f"We have your request {shop.requested}"
    assert message.get_body(("plain",)).get_content().strip() == (
        f"Hi Sam Shopper,\nwe have {shop.requested}."
    )


def test_a_broken_template_is_refused_next_to_its_field_and_nothing_is_stored(shop, uow):
    broken = {**GOOD, "html": "<p>Hi</p>\n{% if rma.number %}<p>{{ rma.number }}</p>"}

    refused = post(shop.staff("owner"), REQUESTED_EN, **broken)

    assert refused.status_code == 400
    message = (
        "html, line 2: Unexpected end of template. Jinja was looking for the following tags: "
        "&#39;elif&#39; or &#39;else&#39; or &#39;endif&#39;. The innermost block that needs "
        "to be closed is &#39;if&#39;."
    )
    assert f'<p class="error" role="alert" id="template-error">{message}</p>' in refused.text
    kept = (
        'name="html" rows="14" spellcheck="false" class="code" aria-describedby="template-error"'
        ' aria-invalid="true">\n&lt;p&gt;Hi&lt;/p&gt;\n{% if rma.number %}'
    )
    assert kept in refused.text
    assert customs(uow, shop.store_id) == []


def test_a_template_reaching_outside_the_sandbox_is_refused_and_the_saved_one_kept(shop, uow):
    client = shop.staff("owner")
    post(client, REQUESTED_EN, **GOOD)

    refused = post(client, REQUESTED_EN, **{**GOOD, "subject": "{{ ''.__class__.__mro__ }}"})

    assert refused.status_code == 400
    assert '<p class="error" role="alert" id="template-error">subject, line 1: ' in refused.text
    assert template_of(uow, shop.store_id).source == STORED


def test_an_empty_part_is_refused(shop, uow):
    refused = post(shop.staff("owner"), REQUESTED_EN, **{**GOOD, "text": "  "})

    assert refused.status_code == 400
    error = '<p class="error" role="alert" id="template-error">text: the template cannot be empty'
    assert error in refused.text
    assert customs(uow, shop.store_id) == []


def test_a_preview_shows_the_draft_rendered_and_stores_nothing(shop, uow):
    draft = {**GOOD, "subject": "Hello {{ recipient.name }}: {{ rma.number }}{{ nope }}"}

    shown = post(shop.staff("owner"), f"{REQUESTED_EN}/preview", **draft)

    assert shown.status_code == 200
    assert '<h2 id="preview-heading">Preview with the sample return</h2>' in shown.text
    assert '<dd id="preview-subject">Hello Sam Shopper: R-100231</dd>' in shown.text
    text = '<pre class="email-text" id="preview-text">Hi Sam Shopper,\nwe have R-100231.\n</pre>'
    assert text in shown.text
    frame = re.search(
        r'<iframe class="email-preview" sandbox title="[^"]+" srcdoc="([^"]*)">', shown.text
    )
    assert frame is not None
    assert "&lt;p&gt;Hi Sam Shopper&lt;/p&gt;" in frame.group(1)
    assert "<p>Hi Sam Shopper</p>" not in shown.text
    assert "print nothing: <code>&#39;nope&#39; is undefined</code>" in shown.text
    body_style = hashlib.sha256(b"margin:0;padding:0;background-color:#f4f4f5;").digest()
    policy = shown.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-hashes' 'sha256-" in policy
    assert f"'sha256-{base64.b64encode(body_style).decode()}'" in policy
    others = [rule for rule in policy.split("; ") if not rule.startswith("style-src")]
    assert others == [rule for rule in CSP.split("; ") if not rule.startswith("style-src")]
    assert shop.staff("owner").get(REQUESTED_EN).headers["content-security-policy"] == CSP
    assert (
        'name="subject" rows="2" spellcheck="false" class="code">\nHello {{ recipient.name }}'
        in (shown.text)
    )
    assert customs(uow, shop.store_id) == []


def test_a_preview_with_a_real_return_uses_its_number_and_another_stores_is_refused(shop, uow):
    client = shop.staff("owner")

    shown = post(client, f"{REQUESTED_EN}/preview", **GOOD, rma=f" {shop.requested.lower()} ")
    refused = post(client, f"{REQUESTED_EN}/preview", **GOOD, rma=shop.other_stores)

    assert shown.status_code == 200
    assert f'<dd id="preview-subject">We have your request {shop.requested}</dd>' in shown.text
    assert f'<h2 id="preview-heading">Preview with return {shop.requested}</h2>' in shown.text
    assert refused.status_code == 400
    error = f"This store has no return {shop.other_stores}."
    assert f'<p class="error" role="alert" id="template-error">{error}</p>' in refused.text
    assert 'id="preview-subject"' not in refused.text


def test_going_back_to_the_built_in_template_needs_the_box_ticked(shop, uow):
    client = shop.staff("owner")
    post(client, REQUESTED_EN, **GOOD)

    unticked = post(client, f"{REQUESTED_EN}/revert")
    assert unticked.status_code == 400
    assert "Tick the box to confirm that you want to delete this template" in unticked.text
    assert template_of(uow, shop.store_id).is_custom is True

    reverted = post(client, f"{REQUESTED_EN}/revert", confirm="yes")

    assert reverted.headers["location"] == f"{REQUESTED_EN}?done=reverted"
    view = template_of(uow, shop.store_id)
    assert (view.is_custom, view.source) == (False, default_templates().default_source(
        "return_requested", "en"
    ))  # fmt: skip
    page = client.get(reverted.headers["location"])
    assert "e-mails from now on use the built-in one." in page.text
    assert "Go back to the built-in template</button>" not in page.text
    assert post(client, f"{REQUESTED_EN}/revert", confirm="yes").status_code == 404


def test_switching_a_kind_off_cancels_its_waiting_emails_and_on_sends_it_again(shop, uow):
    client = shop.staff("owner")

    off = post(client, f"{EMAILS}/return_requested/switch", enabled="no")

    assert off.headers["location"] == (
        f"{EMAILS}?done=off&kind=return_requested&cancelled=1#kind-return_requested"
    )
    assert switched_off(uow, shop.store_id) == ["return_requested"]
    assert switched_off(uow, shop.other_store_id) == []
    [email] = listing.list_emails(
        uow, shop.store_id, listing.EmailFilter(kind="return_requested"), None, 10
    ).items
    assert email.status == "cancelled"
    page = client.get(off.headers["location"])
    notice = (
        "return_requested is off: it is not sent from now on. "
        "Cancelled: 1 e-mail still waiting to be sent."
    )
    assert f'<p class="notice" role="status">{notice}</p>' in page.text
    assert 'name="enabled" value="yes">\n        <span>off</span>' in page.text

    on = post(client, f"{EMAILS}/return_requested/switch", enabled="yes")

    assert on.headers["location"] == (
        f"{EMAILS}?done=on&kind=return_requested&cancelled=0#kind-return_requested"
    )
    assert switched_off(uow, shop.store_id) == []
    assert (
        "return_requested is on: it is sent from now on." in client.get(on.headers["location"]).text
    )


@pytest.mark.parametrize("role", ["agent", "warehouse", "analyst"])
def test_other_roles_may_neither_open_nor_change_emails(shop, uow, role):
    client = shop.staff(role)
    assert client.get(EMAILS).status_code == 403
    assert client.get(REQUESTED_EN).status_code == 403
    csrf = csrf_of(client, BASE)
    for action, fields in [
        (REQUESTED_EN, GOOD),
        (f"{REQUESTED_EN}/preview", GOOD),
        (f"{REQUESTED_EN}/revert", {"confirm": "yes"}),
        (f"{EMAILS}/return_requested/switch", {"enabled": "no"}),
    ]:
        refused = client.post(action, data={"csrf": csrf, **fields})
        assert refused.status_code == 403, action
        assert f"the {role} role may not configure store. Nothing was changed." in refused.text
    assert customs(uow, shop.store_id) == []
    assert switched_off(uow, shop.store_id) == []


def test_a_form_without_its_csrf_token_is_refused_and_nothing_changes(shop, uow):
    client = shop.staff("owner")
    post(client, REQUESTED_EN, **GOOD)

    for action, fields in [
        (f"{EMAILS}/return_in_transit/en", GOOD),
        (f"{REQUESTED_EN}/revert", {"confirm": "yes"}),
        (f"{EMAILS}/return_requested/switch", {"enabled": "no"}),
    ]:
        refused = client.post(action, data=fields)
        assert refused.status_code == 400, action
        assert "This form has expired. Please try again." in refused.text
    assert customs(uow, shop.store_id) == [("return_requested", "en")]
    assert switched_off(uow, shop.store_id) == []


@pytest.mark.parametrize("path", ["/return_teleported/en", "/return_requested/xx"])
def test_an_unknown_kind_or_language_is_the_not_found_page(shop, uow, path):
    client = shop.staff("owner")

    opened = client.get(EMAILS + path)
    saved = post(client, EMAILS + path, **GOOD)
    switched = post(client, f"{EMAILS}/return_teleported/switch", enabled="no")

    for response in (opened, saved, switched):
        assert response.status_code == 404
        assert "<h1>Not found</h1>" in response.text
    assert customs(uow, shop.store_id) == []
    assert switched_off(uow, shop.store_id) == []
