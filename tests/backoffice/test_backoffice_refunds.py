"""Paying a return back from its page: the quote first, then a method, an amount within the
limit, and a confirmation; a declined card shows with a retry; one form never pays twice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from retour.db.models import RefundRow, ReturnRow
from retour.payments.registry import PaymentProviders
from retour.web.app import create_app
from tests.backoffice.steps import BASE, act, csrf_of, seen_of, sign_in
from tests.integration.test_refunds import DECLINED, OK, ScriptedProvider

#: 3 linen shirts: 3 × (49.00 + 9.80 tax).
QUOTE = 17640


@pytest.fixture
def card():
    return ScriptedProvider(DECLINED, OK)


@pytest.fixture
def agent(shop, settings, backoffice_app, card):
    """An agent on a back office whose `card` gateway declines once, then pays."""
    app = create_app(settings, clock=backoffice_app[1], providers=PaymentProviders({"card": card}))
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "agent@acme.test")
        assert act(client, shop.requested, "approve").status_code == 303
        yield client


def page_of(client, number: str):
    return client.get(f"{BASE}/returns/{number}")


def pay(client, number: str, page_html: str | None = None, **fields: str):
    html = page_html or page_of(client, number).text
    key = re.search(r'name="key" value="([^"]+)"', html)
    assert key is not None, html
    data = {
        "csrf": csrf_of(client, f"{BASE}/returns/{number}"), "seen": seen_of(html),
        "key": key.group(1), "confirm": "yes", **fields,
    }  # fmt: skip
    return client.post(f"{BASE}/returns/{number}/refund", data=data)


def refunds(uow) -> list[tuple[str, str, int, str]]:
    with uow:
        rows = uow.session.execute(
            select(RefundRow.method, RefundRow.status, RefundRow.amount, RefundRow.actor).order_by(
                RefundRow.id
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_the_page_shows_the_quote_and_the_refund_form_once_approved(shop, agent):
    page = page_of(agent, shop.requested)
    assert "<h2>Refund quote</h2>" in page.text
    assert '<label for="method-original">Original payment: €176.40</label>' in page.text
    assert '<label for="method-credit">Store credit: €176.40</label>' in page.text
    assert "(blank: the quote; at most €176.40)" in page.text


def test_store_credit_pays_the_quote_and_shows_in_the_refunds(shop, agent, uow):
    done = pay(agent, shop.requested, method="store_credit")
    assert done.status_code == 303
    assert (
        done.headers["location"] == f"{BASE}/returns/{shop.requested}?done=refund-succeeded#refunds"
    )
    assert refunds(uow) == [("store_credit", "succeeded", QUOTE, "staff:agent@acme.test")]
    page = page_of(agent, shop.requested)
    assert '<h2 id="refunds">Refunds</h2>' in page.text
    assert "<td>store credit</td>" in page.text
    assert "Refund quote" not in page.text
    assert "Everything this return earns so far is paid back." in page.text
    with uow:
        status = select(ReturnRow.refund_status).where(ReturnRow.number == shop.requested)
        assert uow.session.scalar(status) == "refunded"


def test_a_declined_card_shows_its_reason_and_a_retry_that_pays(shop, agent, card, uow):
    failed = pay(agent, shop.requested, method="original_payment")
    assert failed.headers["location"].endswith("?done=refund-failed#refunds")
    page = page_of(agent, shop.requested)
    assert "Your card was declined." in page.text
    (refund_id,) = re.findall(r"/refunds/(\d+)/retry", page.text)
    retried = agent.post(
        f"{BASE}/returns/{shop.requested}/refunds/{refund_id}/retry",
        data={"csrf": csrf_of(agent, f"{BASE}/returns/{shop.requested}")},
    )
    assert retried.headers["location"].endswith("?done=refund-succeeded#refunds")
    assert refunds(uow) == [("original_payment", "succeeded", QUOTE, "staff:agent@acme.test")]
    assert [request.amount for request in card.requests] == [QUOTE, QUOTE]


def test_the_same_form_sent_twice_pays_once(shop, agent, uow):
    html = page_of(agent, shop.requested).text
    first = pay(agent, shop.requested, html, method="store_credit")
    again = pay(agent, shop.requested, html, method="store_credit")
    assert (first.status_code, again.status_code) == (303, 303)
    assert refunds(uow) == [("store_credit", "succeeded", QUOTE, "staff:agent@acme.test")]


def test_an_amount_above_the_limit_or_without_a_reason_is_refused_next_to_its_field(
    shop, agent, uow
):
    above = pay(agent, shop.requested, method="store_credit", amount="176.41")
    assert above.status_code == 400
    assert (
        '<p class="error" role="alert" id="refund-error">That is more than the €176.40 this '
        "return can still pay back.</p>"
    ) in above.text
    assert (
        'name="amount" inputmode="decimal" autocomplete="off" value="176.41" aria-describedby'
        in (above.text)
    )
    unexplained = pay(agent, shop.requested, method="store_credit", amount="100")
    assert "The amount is not the quote&#39;s: say why." in unexplained.text
    garbled = pay(agent, shop.requested, method="store_credit", amount="12.345")
    assert "Type the amount as a number like 12.00, in EUR." in garbled.text
    assert refunds(uow) == []
    made = pay(agent, shop.requested, method="store_credit", amount="100,00", reason="Scuffed")
    assert made.status_code == 303
    assert refunds(uow) == [("store_credit", "succeeded", 10000, "staff:agent@acme.test")]


def test_a_manual_refund_needs_a_reference_and_nothing_is_paid_unconfirmed(shop, agent, uow):
    no_reference = pay(agent, shop.requested, method="manual")
    assert "say where the money went (a bank or till reference)" in no_reference.text
    html = page_of(agent, shop.requested).text
    unconfirmed = pay(agent, shop.requested, html, method="manual", reference="till 4", confirm="")
    assert "Tick the box to confirm that you want to pay this refund." in unconfirmed.text
    assert refunds(uow) == []
    assert pay(agent, shop.requested, method="manual", reference="till 4").status_code == 303
    assert refunds(uow) == [("manual", "succeeded", QUOTE, "staff:agent@acme.test")]


def test_a_gateway_without_a_provider_is_named(shop, uow):
    client = shop.staff("agent")  # the shop's app has no payment provider
    assert act(client, shop.requested, "approve").status_code == 303
    refused = pay(client, shop.requested, method="original_payment")
    assert refused.status_code == 400
    assert "no payment provider is configured for gateway &#39;card&#39;" in refused.text
    assert refunds(uow) == []


def test_a_stale_page_pays_nothing(shop, agent, uow):
    html = page_of(agent, shop.requested).text
    shop.clock.current += timedelta(minutes=1)
    moved = act(agent, shop.requested, "mark-in-transit", tracking_number="1Z42")
    assert moved.status_code == 303
    stale = pay(agent, shop.requested, html, method="store_credit")
    assert stale.status_code == 409
    assert f"Return {shop.requested} changed since this page was loaded" in stale.text
    assert refunds(uow) == []


def test_roles_without_money_see_no_form_and_are_refused(shop, agent, uow):
    for role in ("warehouse", "analyst"):
        client = shop.staff(role)
        html = page_of(client, shop.requested).text
        assert 'action="/backoffice/returns/R-100001/refund"' not in html
        forged = client.post(
            f"{BASE}/returns/{shop.requested}/refund",
            data={"csrf": csrf_of(client, f"{BASE}/returns/{shop.requested}"), "seen": "",
                  "key": "k" * 24, "confirm": "yes", "method": "store_credit"},
        )  # fmt: skip
        assert forged.status_code == 403
    assert refunds(uow) == []
