"""htmx in Chromium: the portal's steps swap the page's body (the window and its marker stay),
with the page's title, language and focus as a page load would leave them, under the portal's
CSP; and without JavaScript the same steps are plain page loads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.browser.test_portal_in_browser import APPROVE_EVERYTHING
from tests.portal.test_portal_pages import with_policy

MARK = "() => { window.portalMarker = 'the same page' }"
MARKER = "() => window.portalMarker || 'a new page'"
#: What the browser refused under the page's CSP, from the first script to run on each page.
COUNT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => {
  (window.cspViolations = window.cspViolations || []).push(
    event.effectiveDirective + " " + event.blockedURI
  );
});"""


def choose_a_shirt(page: Page) -> None:
    shirt = page.get_by_role("group", name="Linen shirt M")
    shirt.get_by_label("Quantity to return", exact=True).select_option("1")
    shirt.get_by_label("Reason", exact=True).select_option(label="Too small")
    page.get_by_label("I will ship it myself").check()


def test_each_step_swaps_the_page_with_its_title_language_and_focus(shopper, live_portal, uow):
    with_policy(uow, live_portal.clock, APPROVE_EVERYTHING)
    page = shopper.page
    shopper.open("", "lookup")
    page.evaluate(MARK)

    wrong = shopper.look_up("1001", "guess@example.com", "wrong")
    assert (wrong.status, wrong.request.headers["hx-boosted"]) == (400, "true")
    expect(page.get_by_role("alert")).to_be_focused()
    shopper.look_up("1001", "shopper@example.com", "order")
    expect(page).to_have_title("Order #1001 · Acme")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    choose_a_shirt(page)
    shopper.submit("Continue", "review")
    expect(page).to_have_title("Check your return · Acme")
    shopper.submit("Request the return", "approved")
    expect(page).to_have_title("Return R-100001 · Acme")
    languages = page.get_by_role("navigation", name="Language")
    shopper.arrive(lambda: languages.get_by_role("link", name="Deutsch").click(), "status-de")

    assert page.url == f"{live_portal.url}/R-100001?lang=de"
    assert page.evaluate(MARKER) == "the same page"
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_title("Rücksendung R-100001 · Acme")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    # No copy of the shopper's pages is kept in the browser for the back button.
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None


def test_the_items_page_shows_the_amounts_as_the_shopper_chooses(shopper, uow):
    with uow:
        uow.stores.by_slug("acme").label_cost = 500
        uow.commit()
    page = shopper.page
    shopper.open("", "lookup")
    shopper.look_up("1001", "shopper@example.com", "order")
    amounts = page.locator("#live-amounts li")
    expect(page.locator("#live-amounts")).to_be_empty()

    choose_a_shirt(page)
    expect(amounts).to_have_text(["Refund to my original payment: €58.80", "Store credit: €58.80"])
    shopper.changed("order-amounts")
    page.get_by_label("Prepaid return label (print at home)").check()

    expect(amounts).to_have_text(["Refund to my original payment: €53.80", "Store credit: €53.80"])
    shopper.changed("order-amounts-label")


def test_the_back_button_loads_the_page_again(shopper, live_portal):
    page = shopper.page
    shopper.open("", "lookup")
    shopper.look_up("1001", "shopper@example.com", "order")
    page.evaluate(MARK)

    with page.expect_response(lambda response: response.request.resource_type == "document"):
        page.go_back()
    page.wait_for_load_state()
    shopper.landed("lookup-again")

    assert page.url == live_portal.url
    assert page.evaluate(MARKER) == "a new page"
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a return")


@pytest.fixture
def csp_enforced(browser: Browser) -> Iterator[BrowserContext]:
    """A browser that keeps the page's CSP (axe-core is not injected: the shopper fixture's
    tests check the same pages)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    context.add_init_script(COUNT_VIOLATIONS)
    yield context
    context.close()


def test_htmx_runs_under_the_portals_csp(csp_enforced, live_portal):
    page = csp_enforced.new_page()
    page.goto(live_portal.url)
    page.evaluate(MARK)

    page.get_by_label("Order number").fill("1001")
    page.get_by_label("E-mail address").fill("shopper@example.com")
    page.get_by_role("button", name="Find my order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Order #1001")
    choose_a_shirt(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your return")

    assert page.evaluate("() => [htmx.version, window.portalMarker]") == ["2.0.11", "the same page"]
    assert page.evaluate("() => window.cspViolations || []") == []


@pytest.fixture
def without_javascript(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_without_javascript_each_step_is_a_page_load(without_javascript, live_portal):
    page = without_javascript.new_page()
    loads: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda response: (
            loads.append((response.request.method, response.status))
            if response.request.resource_type == "document"
            else None
        ),
    )
    page.goto(live_portal.url)

    page.get_by_label("Order number").fill("1001")
    page.get_by_label("E-mail address").fill("shopper@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Find my order").click()
    choose_a_shirt(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Request the return").click()

    assert page.url == f"{live_portal.url}/R-100001"
    expect(page.get_by_role("heading", level=1)).to_have_text("Return R-100001")
    # The page, the look-up (303 to the items page), the review, the request (303 to it).
    assert loads == [
        ("GET", 200), ("POST", 303), ("GET", 200), ("POST", 200), ("POST", 303), ("GET", 200),
    ]  # fmt: skip
