"""An owner in Chromium adds the store's EasyPost account, switches it off, and sets the label
cost, by the page's labels alone; the key is typed into a password field and never shown again.
Every page is screenshot and checked by axe-core (see staff.py)."""

from __future__ import annotations

from playwright.sync_api import expect

from retour.services.shipments import list_carrier_accounts
from retour.services.store_settings import money_settings
from tests.browser.staff import owner_on_settings_page

API_KEY = "EZTK_browser_secret_0123456789"
WEBHOOK_SECRET = "whsec_browser_secret_abcdef"


def test_an_owner_adds_an_easypost_account_switches_it_off_and_sets_the_label_cost(
    staff_browser, live_backoffice, uow
):
    shop = live_backoffice
    owner = owner_on_settings_page(staff_browser, shop, uow, "Carriers", "carriers")
    page = owner.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Carriers")
    expect(page.locator("#default-carrier")).to_have_text("Built-in carrier")

    adding = page.locator("form").filter(has=page.get_by_role("button", name="Add the account"))
    adding.get_by_label("Carrier", exact=True).select_option("easypost")
    key = adding.get_by_label("API key")
    expect(key).to_have_attribute("type", "password")
    key.fill(API_KEY)
    adding.get_by_label("Webhook secret").fill(WEBHOOK_SECRET)
    owner.submit("Add the account", "added")

    expect(page.get_by_role("status")).to_have_text(
        "The account is added and on: the store's next labels are bought with it."
    )
    expect(page.locator("#default-carrier")).to_have_text("EasyPost")
    assert API_KEY not in page.content() and WEBHOOK_SECRET not in page.content()
    for term in ("API key", "Webhook secret"):
        shown = page.locator("#carrier-easypost dt", has_text=term).locator(
            "xpath=./following-sibling::dd[1]"
        )
        expect(shown).to_have_text("set")

    owner.submit("Switch EasyPost off", "off")
    expect(page.locator("#default-carrier")).to_have_text("Built-in carrier")

    page.get_by_label("What a built-in label costs the store").fill("3.90")
    owner.submit("Save the label cost", "label cost")
    expect(page.get_by_role("status")).to_have_text(
        "The label cost is saved. Labels made from now on record it."
    )

    [account] = list_carrier_accounts(uow, shop.store_id)
    assert (account.carrier, account.is_active, account.has_webhook_secret) == (
        "easypost", False, True,
    )  # fmt: skip
    assert money_settings(uow, shop.store_id).label_cost == 390
