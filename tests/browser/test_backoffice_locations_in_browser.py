"""An owner in Chromium adds a return location and a routing rule to it, by the page's labels
alone; every page is screenshot and checked by axe-core (see staff.py)."""

from __future__ import annotations

from playwright.sync_api import expect

from retour.domain.addresses import Address
from retour.domain.routing import Route, RouteMatch
from retour.services.return_locations import ReturnLocation, return_locations
from retour.services.return_routing import return_routing
from tests.browser.settings_pages import owner_on_settings_page


def test_an_owner_adds_a_uk_hub_and_routes_british_returns_to_it(
    staff_browser, live_backoffice, uow
):
    shop = live_backoffice
    owner = owner_on_settings_page(staff_browser, shop, uow, "Return locations", "locations")
    page = owner.page

    adding = page.locator("form").filter(has=page.get_by_role("button", name="Add the location"))
    adding.get_by_label("Location code").fill("uk-hub")
    adding.get_by_label("Name", exact=True).fill("UK hub")
    for label, value in [
        ("Addressee", "Acme UK Returns"), ("Street and number", "1 Dock Road"),
        ("City", "London"), ("Postal code", "E16 1AA"), ("Country (ISO code, e.g. DE)", "GB"),
    ]:  # fmt: skip
        adding.get_by_label(label, exact=True).fill(value)
    owner.submit("Add the location", "added")
    expect(page.get_by_role("status")).to_have_text(
        "The location is added. Rules below decide which returns go there."
    )

    page.get_by_label("Location of rule 1").select_option("uk-hub")
    page.get_by_label("Kind of rule 1").select_option("country")
    page.get_by_label("Values of rule 1").fill("gb, ie")
    owner.submit("Save the rules", "rules saved")

    expect(page.get_by_role("status")).to_have_text(
        "The rules are saved. New returns follow them; returns already made do not move."
    )
    expect(page.get_by_label("Values of rule 1")).to_have_value("GB, IE")
    assert return_routing(uow, shop.store_id) == [Route("uk-hub", RouteMatch.COUNTRY, ("GB", "IE"))]
    hub = Address(
        name="Acme UK Returns", line1="1 Dock Road", city="London", postal_code="E16 1AA",
        country="GB",
    )  # fmt: skip
    assert return_locations(uow, shop.store_id)[1] == ReturnLocation("uk-hub", "UK hub", False, hub)
