"""The shopper's e-mail when staff change the approved quantities, sent by the outbox worker
to a real SMTP server on loopback: what changed, what is approved now, in the shopper's
language, never the staff's reason, and nothing once the store switched it off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from retour.db.models import Delivery, Event
from retour.domain.inputs import Receipt
from retour.notifications.editing import set_switch
from retour.services import returns as use_cases
from tests.factories import STAFF, import_sample_order, request_return
from tests.integration import test_emails
from tests.integration.test_emails import BASE_URL, OWNER, SHOPPER, make_store, send_everything

#: The e-mail tests' worker, sending to the loopback SMTP server (a fixture).
email_worker = test_emails.worker

#: What staff typed: kept in the timeline, never written to the shopper.
WHY = "Customer phoned: keeps one shirt, internal ticket 4471"

EXPECTED = {
    "en": {
        "subject": "The approved quantities of your return {n} have changed",
        "intro": "We have changed the approved quantities of your return {n} for order #1001:",
        "now": "Now approved:",
        "send": "Please send back only these items, in these quantities.",
        "money": "Your refund will be for the items approved above.",
        "heading": "<h1>The approved quantities of your return have changed</h1>",
        "columns": ("Item", "Before", "Now"),
    },
    "fr": {
        "subject": "Les quantités acceptées de votre retour {n} ont changé",
        "intro": "Nous avons modifié les quantités acceptées de votre retour {n} pour la "
        "commande #1001\u00a0:",
        "now": "Désormais acceptés\u00a0:",
        "send": "Merci de ne renvoyer que ces articles, dans ces quantités.",
        "money": "Votre remboursement portera sur les articles acceptés ci-dessus.",
        "heading": "<h1>Les quantités acceptées de votre retour ont changé</h1>",
        "columns": ("Article", "Avant", "Désormais"),
    },
    "de": {
        "subject": "Die genehmigten Mengen Ihrer Rücksendung {n} wurden geändert",
        "intro": "wir haben die genehmigten Mengen Ihrer Rücksendung {n} zur Bestellung #1001 "
        "geändert:",
        "now": "Jetzt genehmigt:",
        "send": "Bitte senden Sie nur diese Artikel in diesen Mengen zurück.",
        "money": "Was Sie erhalten (Erstattung), richtet sich nach den oben genehmigten Artikeln.",
        "heading": "<h1>Die genehmigten Mengen Ihrer Rücksendung wurden geändert</h1>",
        "columns": ("Artikel", "Vorher", "Jetzt"),
    },
}


def approved_return(uow, store_id, clock):
    """Two Linen shirt M (first line) and one Linen shirt L, approved; its e-mails sent."""
    order = import_sample_order(uow, store_id, clock, email=SHOPPER).order
    ret = request_return(uow, store_id, order, clock, quantities=(2, 1))
    return use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())


def edit(uow, store_id, ret, clock, quantities):
    return use_cases.edit_return_quantities(
        uow, store_id, ret.id, STAFF, clock.now(), quantities, WHY
    )


@pytest.mark.parametrize("locale", ["en", "fr", "de"])
def test_lowering_a_line_tells_the_shopper_what_changed_and_what_to_send(
    uow, clock, smtp, email_worker, locale
):
    words = EXPECTED[locale]
    store_id = make_store(uow, clock, locale)
    ret = approved_return(uow, store_id, clock)
    send_everything(email_worker)
    smtp.reset()

    edit(uow, store_id, ret, clock, {ret.lines[0].id: 1})

    assert send_everything(email_worker) == 1
    [mail] = smtp.messages
    assert mail.rcpt_tos == [SHOPPER]
    assert mail.subject == words["subject"].format(n=ret.number)
    assert mail.message["X-Retour-Kind"] == "return_quantities_changed"
    text = mail.text.splitlines()
    start = text.index(words["intro"].format(n=ret.number))
    assert text[start : start + 13] == [
        words["intro"].format(n=ret.number),
        "",
        "- 2 → 1 × Linen shirt M (LINEN-M)",
        "",
        words["now"],
        "",
        "- 1 × Linen shirt M (LINEN-M)",
        "- 1 × Linen shirt L (LINEN-L)",
        "",
        words["send"],
        "",
        words["money"],
        "",
    ]
    assert f"{BASE_URL}/s/maison/returns/{ret.number}" in mail.text
    assert words["heading"] in mail.html
    item, before, after = words["columns"]
    assert f'font-weight:normal;">{before}</th>' in mail.html
    assert f'font-weight:normal;">{after}</th>' in mail.html
    assert f'font-weight:normal;">{item}</th>' in mail.html
    assert "<strong>1</strong></td>" in mail.html
    assert WHY not in mail.text and WHY not in mail.html


def test_the_last_awaited_line_lowered_to_nothing_says_everything_arrived(
    uow, clock, smtp, email_worker
):
    store_id = make_store(uow, clock, "en")
    ret = approved_return(uow, store_id, clock)
    shirts_m, shirt_l = ret.lines
    received = use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(shirts_m.id, 2)]
    )
    assert received.status.value == "partially_received"
    send_everything(email_worker)
    smtp.reset()

    edited = edit(uow, store_id, ret, clock, {shirt_l.id: 0})

    assert edited.status.value == "received"
    send_everything(email_worker)
    [mail] = smtp.to(SHOPPER)
    assert mail.subject == f"The approved quantities of your return {ret.number} have changed"
    text = mail.text.splitlines()
    start = text.index("- 1 → 0 × Linen shirt L (LINEN-L)")
    assert text[start : start + 8] == [
        "- 1 → 0 × Linen shirt L (LINEN-L)",
        "",
        "Now approved:",
        "",
        "- 2 × Linen shirt M (LINEN-M)",
        "",
        "Everything we are waiting for has now arrived. We will check the items and then "
        "process your refund.",
        "",
    ]
    assert "Please send back" not in mail.text
    assert "will be for the items approved above" not in mail.text
    assert WHY not in mail.text and WHY not in mail.html


def test_a_store_that_switched_it_off_sends_nothing_and_keeps_the_event(
    uow, clock, smtp, email_worker
):
    store_id = make_store(uow, clock, "en")
    ret = approved_return(uow, store_id, clock)
    send_everything(email_worker)
    smtp.reset()
    switch = set_switch(uow, store_id, "return_quantities_changed", False, clock.now())
    assert (switch.kind, switch.audience, switch.is_enabled) == (
        "return_quantities_changed",
        "shopper",
        False,
    )

    edit(uow, store_id, ret, clock, {ret.lines[0].id: 1})

    assert send_everything(email_worker) == 0
    assert smtp.messages == []
    with uow:
        event = uow.session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
        kinds = uow.session.scalars(
            select(Delivery.kind).where(Delivery.event_id == event.id)
        ).all()
    assert event.name == "return.quantities_changed"
    assert kinds == []


def test_staff_get_no_e_mail_of_their_own_change(uow, clock, smtp, email_worker):
    store_id = make_store(uow, clock, "en")
    ret = approved_return(uow, store_id, clock)
    send_everything(email_worker)
    smtp.reset()

    edit(uow, store_id, ret, clock, {ret.lines[1].id: 0})

    send_everything(email_worker)
    assert [mail.rcpt_tos for mail in smtp.messages] == [[SHOPPER]]
    assert smtp.to(OWNER) == []
