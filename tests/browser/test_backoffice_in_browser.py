"""Staff in Chromium: signing in and the lockout, the queue's filters and search, approving with
a message, the warehouse station by keyboard alone, a role that is refused and a stale page.
Every page is screenshot and checked by axe-core (see staff.py)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from retour.db.models import Event, RefundRow, ReturnLineRow, ReturnRow, StaffSession, StaffUser
from retour.domain.staff import Role, StaffMember
from retour.services import queries
from retour.services import returns as use_cases
from retour.services.backoffice.detail import return_detail
from retour.services.staff.signing_in import WRONG_CREDENTIALS
from retour.services.stock_adjustments import adjust_stock
from tests.backoffice.conftest import request_return
from tests.backoffice.steps import BASE, PASSWORD
from tests.browser.staff import TABLET
from tests.conftest import START
from tests.factories import STAFF, import_sample_order

LOCKED = "Too many wrong passwords. This account is locked; try again in 15 minutes."
SCAN_FIELD = "Scan the RMA barcode, tracking number or order number"


def row_of(uow, number: str) -> ReturnRow:
    with uow:
        row = uow.session.scalars(select(ReturnRow).where(ReturnRow.number == number)).one()
        uow.session.expunge(row)
        return row


def event_names(uow, number: str) -> list[str]:
    with uow:
        statement = (
            select(Event.name)
            .join(ReturnRow, ReturnRow.id == Event.return_id)
            .where(ReturnRow.number == number)
            .order_by(Event.id)
        )
        return list(uow.session.scalars(statement))


def new_return(uow, shop, order_number: str, quantities=(1, 0), email="shopper@example.com"):
    """A requested return of a new order, a minute after the one before."""
    shop.clock.current += timedelta(minutes=1)
    order = import_sample_order(
        uow, shop.store_id, shop.clock, platform_id=order_number, email=email
    ).order
    return request_return(uow, shop.store_id, order, shop.clock, quantities)


def approved_return(uow, shop, order_number: str, quantities=(1, 0)) -> str:
    ret = new_return(uow, shop, order_number, quantities)
    use_cases.approve_return(uow, shop.store_id, ret.id, STAFF, shop.clock.now())
    return ret.number


def seen_by_an_agent(uow, shop) -> str:
    """The version an agent's page of the requested return carries in its action forms."""
    agent = StaffMember(0, shop.store_id, "acme", "agent@acme.test", "", Role.AGENT)
    return return_detail(uow, agent, shop.requested).version_seen


def stock(uow, shop) -> dict[tuple[str, str], int]:
    return {(r.sku, r.bucket): r.quantity for r in queries.stock_levels(uow, shop.store_id)}


def test_the_right_password_opens_the_home_page(staff_browser, live_backoffice):
    agent = staff_browser("agent")

    agent.sign_in("agent@acme.test")

    page = agent.page
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs you now")
    expect(page.locator(".who")).to_have_text("agent@acme.test · agent · acme")
    expect(page.get_by_role("navigation", name="Back office").get_by_role("link")).to_have_text(
        ["Home", "Returns", "Warehouse"]
    )


def test_a_wrong_password_is_refused_and_five_lock_the_account(staff_browser, live_backoffice, uow):
    visitor = staff_browser("visitor")
    page = visitor.page
    visitor.open("/login", "login")

    wrong = visitor.log_in("agent@acme.test", "not the password", "wrong-password")

    assert wrong is not None and wrong.status == 400
    expect(page.get_by_role("alert")).to_have_text(WRONG_CREDENTIALS)
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("agent@acme.test")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    # Tries 2 to 5 get the same page: posted with the page's cookies, not reloaded 4 times.
    form = {"csrf": page.locator("input[name=csrf]").input_value(), "next": "/backoffice"}
    for _ in range(2, 6):
        refused = page.request.post(
            f"{live_backoffice.url}/login",
            form={**form, "email": "agent@acme.test", "password": "guess"},
        )
        assert refused.status == 400
        assert WRONG_CREDENTIALS in refused.text()

    locked = visitor.log_in("agent@acme.test", PASSWORD, "locked")

    assert locked is not None
    assert (locked.status, locked.headers["retry-after"]) == (429, "900")
    assert page.url == f"{live_backoffice.url}/login"
    expect(page.get_by_role("alert")).to_have_text(LOCKED)
    assert [c["name"] for c in page.context.cookies() if c["name"] == "retour_staff"] == []
    with uow:
        user = uow.session.scalars(
            select(StaffUser).where(StaffUser.email == "agent@acme.test")
        ).one()
        assert (user.failed_logins, user.locked_until) == (5, START + timedelta(minutes=15))
        assert uow.session.scalars(select(StaffSession)).all() == []


def test_the_queue_filters_by_status_and_finds_by_rma_and_email(
    staff_browser, live_backoffice, uow
):
    shop = live_backoffice
    first = shop.requested  # order #1001, shopper@example.com, requested
    approved = approved_return(uow, shop, "1002")
    other = new_return(uow, shop, "1003", email="someone.else@example.com").number
    agent = staff_browser("agent")
    agent.sign_in("agent@acme.test")
    page = agent.page
    listed = page.locator("table.queue tbody tr td > a")
    agent.open("/returns", "queue")
    expect(listed).to_have_text([other, approved, first])

    page.get_by_label("Status", exact=True).select_option("requested")
    agent.submit("Show", "requested")
    expect(listed).to_have_text([other, first])

    page.get_by_label("Status", exact=True).select_option("approved")
    agent.submit("Show", "approved")
    expect(listed).to_have_text([approved])

    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_label("Search", exact=True).fill(approved.lower())
    agent.submit("Show", "by-rma")
    expect(listed).to_have_text([approved])

    page.get_by_label("Search", exact=True).fill("shopper@example.com")
    agent.submit("Show", "by-email")
    expect(listed).to_have_text([approved, first])

    page.get_by_label("Status", exact=True).select_option("requested")
    agent.submit("Show", "by-email-requested")
    expect(listed).to_have_text([first])

    page.get_by_label("Search", exact=True).fill("nobody@example.com")
    agent.submit("Show", "nothing")
    expect(listed).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text(
        "No returns match “nobody@example.com”. Try fewer filters, or show all returns."
    )


def test_an_agent_approves_with_a_message_to_the_shopper(staff_browser, live_backoffice, uow):
    shop = live_backoffice
    agent = staff_browser("agent")
    agent.sign_in("agent@acme.test")
    page = agent.page
    agent.open(f"/returns/{shop.requested}", "requested")
    approve = agent.action("Approve")
    expect(approve.get_by_label("Units of Linen shirt M to approve")).to_have_value("2")
    expect(approve.get_by_label("Units of Linen shirt L to approve")).to_have_value("1")

    approve.get_by_label("Message to the shopper (optional)").fill("Thanks, send it back.")
    agent.submit("Approve", "approved", within=approve)

    assert page.url == f"{shop.url}/returns/{shop.requested}?done=approve"
    expect(page.get_by_role("status")).to_have_text("Done: approve.")
    expect(page.locator("h1 .status")).to_have_text("approved")
    expect(page.locator(".facts dt").last).to_have_text("Message to the shopper")
    expect(page.locator(".facts dd").last).to_have_text("Thanks, send it back.")
    expect(agent.action("Approve")).to_have_count(0)
    row = row_of(uow, shop.requested)
    assert (row.status, row.staff_message) == ("approved", "Thanks, send it back.")
    with uow:
        event = uow.session.scalars(
            select(Event).where(Event.return_id == row.id, Event.name == "return.approved")
        ).one()
        assert (event.actor, event.payload["message"]) == (
            "staff:agent@acme.test",
            "Thanks, send it back.",
        )
        approved_units = uow.session.scalars(
            select(ReturnLineRow.approved_quantity)
            .where(ReturnLineRow.return_id == row.id)
            .order_by(ReturnLineRow.id)
        ).all()
        assert approved_units == [2, 1]


def test_the_station_receives_and_restocks_by_keyboard_alone(staff_browser, live_backoffice, uow):
    shop = live_backoffice
    number = approved_return(uow, shop, "1002", quantities=(1, 0))  # 1 × Linen shirt M
    adjust_stock(uow, shop.store_id, sku="LINEN-M", quantity=5, actor=STAFF, now=shop.clock.now())
    assert stock(uow, shop) == {("LINEN-M", "sellable"): 5}
    worker = staff_browser("warehouse", viewport=TABLET)
    worker.sign_in("warehouse@acme.test")
    page = worker.page
    worker.open("/station", "scan")
    expect(page.get_by_label(SCAN_FIELD)).to_be_focused()

    page.keyboard.type(number)  # what a keyboard-wedge scanner types, then its Enter
    worker.press("Enter", "receive")
    assert page.url == f"{shop.url}/station/{number}"
    expect(page.locator("fieldset legend")).to_have_text(
        "Linen shirt M LINEN-M · 1 awaited · too small"
    )
    expect(page.get_by_role("button", name="Receive and grade (Enter)")).to_be_focused()
    worker.press("Enter", "received")  # the one key press after the scan

    assert page.url == f"{shop.url}/station?done={number}&units=1"
    expect(page.get_by_role("status")).to_have_text(
        f"{number}: 1 unit received and graded. Open {number}"
    )
    expect(page.get_by_label(SCAN_FIELD)).to_be_focused()
    row = row_of(uow, number)
    assert row.status == "inspected"
    assert event_names(uow, number) == [
        "return.requested",
        "return.approved",
        "return.received",
        "return.inspected",
    ]
    with uow:
        lines = uow.session.scalars(
            select(ReturnLineRow).where(ReturnLineRow.return_id == row.id)
        ).all()
        received = [(line.sku, line.received_quantity, line.wrong_item_quantity) for line in lines]
        assert received == [("LINEN-M", 1, 0)]
        verdicts = [
            (i.quantity, i.is_accepted, i.grade, i.disposition) for i in lines[0].inspections
        ]
        assert verdicts == [(1, True, "A", "restock")]
    assert stock(uow, shop) == {("LINEN-M", "sellable"): 6}


def test_a_warehouse_worker_may_not_approve_and_nothing_changes(
    staff_browser, live_backoffice, uow
):
    shop = live_backoffice
    before = row_of(uow, shop.requested)
    worker = staff_browser("warehouse")
    worker.sign_in("warehouse@acme.test")
    page = worker.page
    worker.open(f"/returns/{shop.requested}", "return")
    expect(page.locator("form.action")).to_have_count(0)
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)

    # The approve form, as an agent's page has it, sent from this page with its own cookies.
    page.evaluate(
        """([action, seen]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            for (const [name, value] of [
                ["csrf", document.querySelector("input[name=csrf]").value],
                ["seen", seen],
                ["message", "Approved by the warehouse"],
            ]) {
                const input = document.createElement("input");
                input.type = "hidden";
                input.name = name;
                input.value = value;
                form.append(input);
            }
            form.id = "forged";
            form.append(Object.assign(document.createElement("button"), {textContent: "Send"}));
            document.querySelector("main").append(form);
        }""",
        [f"{BASE}/returns/{shop.requested}/approve", seen_by_an_agent(uow, shop)],
    )
    refused = worker.submit("Send", "refused", within=page.locator("#forged"))

    assert refused is not None and refused.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("alert")).to_have_text(
        "the warehouse role may not review returns. Nothing was changed."
    )
    after = row_of(uow, shop.requested)
    assert (after.status, after.version, after.staff_message) == ("requested", before.version, "")
    assert event_names(uow, shop.requested) == ["return.requested"]


def test_an_analyst_may_not_open_the_station(staff_browser, live_backoffice, uow):
    shop = live_backoffice
    number = approved_return(uow, shop, "1002")
    before = row_of(uow, number)
    analyst = staff_browser("analyst", viewport=TABLET)
    analyst.sign_in("analyst@acme.test")
    page = analyst.page
    expect(page.get_by_role("link", name="Warehouse")).to_have_count(0)

    refused = analyst.open(f"/station/{number}", "refused")

    assert refused is not None and refused.status == 403
    expect(page.get_by_role("alert")).to_have_text(
        "the analyst role may not handle parcels. Nothing was changed."
    )
    after = row_of(uow, number)
    assert (after.status, after.version) == ("approved", before.version)
    assert stock(uow, shop) == {}


def test_a_stale_page_is_refused_and_nothing_is_applied(staff_browser, live_backoffice, uow):
    shop = live_backoffice
    agent = staff_browser("agent")
    agent.sign_in("agent@acme.test")
    agent.open(f"/returns/{shop.requested}", "first-tab")
    second_tab = staff_browser("agent-tab-2", beside=agent)
    second_tab.open(f"/returns/{shop.requested}", "second-tab")
    shop.clock.current += timedelta(minutes=1)
    agent.submit("Approve", "approved", within=agent.action("Approve"))
    approved = row_of(uow, shop.requested)
    assert approved.status == "approved"

    cancel = second_tab.action("Cancel")
    cancel.get_by_label("Reason (optional)").fill("The shopper changed their mind")
    cancel.get_by_label("Yes, cancel this return").check()
    late = second_tab.submit("Cancel the return", "conflict", within=cancel)

    assert late is not None and late.status == 409
    expect(second_tab.page.get_by_role("alert")).to_have_text(
        f"Return {shop.requested} changed since this page was loaded (it is now approved). "
        "Nothing was done: look at it again, then retry."
    )
    expect(second_tab.page.locator("h1 .status")).to_have_text("approved")
    after = row_of(uow, shop.requested)
    assert (after.status, after.version, after.updated_at) == (
        "approved",
        approved.version,
        approved.updated_at,
    )
    assert event_names(uow, shop.requested) == ["return.requested", "return.approved"]


def test_an_agent_refunds_in_store_credit_with_the_quote_shown_first(
    staff_browser, live_backoffice, uow
):
    shop = live_backoffice
    number = approved_return(uow, shop, "1002", quantities=(1, 0))
    agent = staff_browser("agent")
    agent.sign_in("agent@acme.test")
    page = agent.page
    agent.open(f"/returns/{number}", "quote")
    expect(page.get_by_role("heading", name="Refund quote")).to_be_visible()
    refund = agent.action("Refund")
    expect(refund.get_by_label("Original payment: €58.80")).to_be_checked()
    refund.get_by_label("Store credit: €58.80").check()
    refund.get_by_label("Yes, pay this refund").check()
    agent.submit("Refund", "refunded", within=refund)

    assert page.url == f"{shop.url}/returns/{number}?done=refund-succeeded#refunds"
    expect(page.locator("#refunds + table tbody td").nth(1)).to_have_text("store credit")
    expect(page.locator("#refunds + table tbody td").nth(2)).to_have_text("€58.80")
    expect(agent.action("Refund")).to_have_count(0)
    with uow:
        row = uow.session.execute(
            select(RefundRow.method, RefundRow.status, RefundRow.amount, RefundRow.actor)
        ).one()
    assert tuple(row) == ("store_credit", "succeeded", 5880, "staff:agent@acme.test")
    assert row_of(uow, number).refund_status == "refunded"
