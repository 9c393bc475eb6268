"""What the browser tests of the Settings pages share: an owner reaching their page."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from retour.services.stores import create_staff_user
from tests.backoffice.steps import PASSWORD
from tests.browser.conftest import BackOfficeShop
from tests.browser.staff import Staff

OWNER = "owner@acme.test"


def owner_on_settings_page(
    staff_browser: Callable[..., Staff], shop: BackOfficeShop, uow, link: str, step: str
) -> Staff:
    """An owner (`live_backoffice` makes none) signed in, who opens Settings and follows the
    link `link` to the page of that title."""
    create_staff_user(
        uow, store_slug="acme", email=OWNER, password=PASSWORD, role="owner",
        now=shop.clock.now(),
    )  # fmt: skip
    owner = staff_browser("owner")
    owner.sign_in(OWNER)
    owner.open("/settings", "settings")
    with owner.page.expect_navigation():
        owner.page.get_by_role("link", name=link).click()
    owner.landed(step)
    expect(owner.page.get_by_role("heading", level=1)).to_have_text(link)
    return owner
