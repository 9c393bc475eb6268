"""A staff member in a real browser: every back-office page they land on is saved as a screenshot
named by its step and checked by axe-core, as the shopper's pages are (shopper.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, Response

from retour.services.stores import create_staff_user
from tests.backoffice.steps import PASSWORD
from tests.browser.shopper import ARTIFACTS as PORTAL_ARTIFACTS
from tests.browser.shopper import AXE_SCRIPT, BLOCKING_IMPACTS, describe

ARTIFACTS = PORTAL_ARTIFACTS.parent / "backoffice"
#: Staff read the queue and a return's page at a desk…
DESKTOP = {"width": 1280, "height": 900}
#: …and the warehouse station runs on a tablet at the packing bench.
TABLET = {"width": 1024, "height": 768}


class Staff:
    """Wraps one browser tab; `landed` must follow every page load (the fixture checks it did).

    Screenshots are `{name}-{nn}-{step}.png`, so that two tabs of one test do not overwrite
    each other's.
    """

    def __init__(self, page: Page, backoffice_url: str, artifacts: Path, name: str) -> None:
        self.page = page
        self.backoffice_url = backoffice_url
        self.artifacts = artifacts
        self.name = name
        self.loaded: list[str] = []
        self.audited: list[str] = []
        page.on("response", self._note_page_load)

    def open(self, path: str, step: str) -> Response | None:
        response = self.page.goto(self.backoffice_url + path)
        self.landed(step)
        return response

    def sign_in(self, email: str, password: str = PASSWORD) -> Response | None:
        """From the sign-in page to the home page."""
        self.open("/login", "login")
        response = self.log_in(email, password, "home")
        assert self.page.url == self.backoffice_url, f"{email} is still on {self.page.url}"
        return response

    def log_in(self, email: str, password: str, step: str) -> Response | None:
        """Fill the sign-in form on the page shown and send it."""
        self.page.get_by_label("E-mail", exact=True).fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        return self.submit("Sign in", step)

    def submit(self, button: str, step: str, within: Locator | None = None) -> Response | None:
        """Press the button named `button` (in `within`, if given); the response it leads to."""
        scope = within or self.page
        with self.page.expect_navigation() as navigation:
            scope.get_by_role("button", name=button, exact=True).click()
        self.landed(step)
        return navigation.value

    def press(self, key: str, step: str) -> Response | None:
        """Press a key that sends a form, as a keyboard-wedge scanner or a worker does."""
        with self.page.expect_navigation() as navigation:
            self.page.keyboard.press(key)
        self.landed(step)
        return navigation.value

    def action(self, heading: str) -> Locator:
        """The action form on a return's page under this heading (`Approve`, `Cancel`…)."""
        title = self.page.get_by_role("heading", name=heading, exact=True)
        return self.page.locator("form.action").filter(has=title)

    def landed(self, step: str) -> None:
        """Screenshot the page, then fail on any serious or critical axe violation."""
        self.audited.append(self.page.url.partition("#")[0])  # responses carry no fragment
        label = f"{self.name}-{len(self.audited):02d}-{step}"
        self.page.screenshot(path=self.artifacts / f"{label}.png", full_page=True)
        # The back office's CSP (script-src 'self') refuses injected scripts: the browser
        # context is opened with bypass_csp=True so that axe-core can be added to the page.
        self.page.add_script_tag(path=AXE_SCRIPT)
        results = self.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        with (self.artifacts / "axe.txt").open("a") as findings:
            findings.write(f"{label} {self.page.url}\n")
            findings.write((describe(results["violations"]) or "  none") + "\n")
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert blocking == [], f"axe on {label} ({self.page.url}):\n" + describe(blocking)
        widths = self.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1], f"{label} is {widths[0]}px wide in a {widths[1]}px window"

    def _note_page_load(self, response: Response) -> None:
        is_page = response.request.resource_type == "document" and not response.frame.parent_frame
        is_html = response.headers.get("content-type", "").startswith("text/html")
        if is_page and is_html and not 300 <= response.status < 400:
            self.loaded.append(response.url)


def owner_on_settings_page(
    staff_browser: Callable[..., Staff], shop: Any, uow: Any, title: str, step: str
) -> Staff:
    """A new owner, `owner@acme.test`, signed in and on the settings page named `title`, found
    from the settings index by its link."""
    create_staff_user(
        uow, store_slug="acme", email="owner@acme.test", password=PASSWORD, role="owner",
        now=shop.clock.now(),
    )  # fmt: skip
    owner = staff_browser("owner")
    owner.sign_in("owner@acme.test")
    owner.open("/settings", "settings")
    with owner.page.expect_navigation():
        owner.page.get_by_role("link", name=title).click()
    owner.landed(step)
    return owner
