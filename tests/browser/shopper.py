"""A shopper in a real browser: every page they land on is checked by axe-core and saved as a
screenshot named by its step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Response

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "portal"
#: What the suite refuses; "moderate" and "minor" findings are left to review.
BLOCKING_IMPACTS = ("serious", "critical")
#: The portal's steps are htmx swaps (hx-boost): each counted once settled, when static/portal.js
#: has set the page's language and focus.
COUNT_SWAPS = """document.addEventListener("htmx:afterSettle", () => {
  window.settledSwaps = (window.settledSwaps || 0) + 1;
});"""


class Shopper:
    """Wraps one page; `landed` must follow every page load (the fixture checks it did)."""

    def __init__(self, page: Page, portal_url: str, artifacts: Path) -> None:
        self.page = page
        self.portal_url = portal_url
        self.artifacts = artifacts
        self.loaded: list[str] = []
        self.audited: list[str] = []
        page.on("response", self._note_page_load)
        page.add_init_script(COUNT_SWAPS)

    def open(self, path: str, step: str) -> Response | None:
        response = self.page.goto(self.portal_url + path)
        self.landed(step)
        return response

    def submit(self, button: str, step: str) -> Response:
        """Press the button named `button`; the response of the page it leads to."""
        return self.arrive(lambda: self.page.get_by_role("button", name=button).click(), step)

    def arrive(self, action: Callable[[], None], step: str) -> Response:
        """Do `action` (a click, a key) and land on the page htmx swaps in for it."""
        swaps = self.page.evaluate("() => window.settledSwaps || 0")
        with self.page.expect_response(is_page) as response:
            action()
        self.page.wait_for_function("swaps => (window.settledSwaps || 0) > swaps", arg=swaps)
        self.landed(step)
        return response.value

    def look_up(self, number: str, email: str, step: str) -> Response | None:
        self.page.get_by_label("Order number").fill(number)
        self.page.get_by_label("E-mail address").fill(email)
        return self.submit("Find my order", step)

    def landed(self, step: str) -> None:
        """Screenshot the page, then fail on any serious or critical axe violation."""
        self.audited.append(self.page.url)
        self.changed(step)

    def changed(self, step: str) -> None:
        """The same page once htmx swapped part of it: screenshot and axe again."""
        self.page.screenshot(
            path=self.artifacts / f"{len(self.audited):02d}-{step}.png", full_page=True
        )
        # The portal's CSP (script-src 'self') refuses injected scripts: the browser context
        # is opened with bypass_csp=True so that axe-core can be added to the page.
        self.page.add_script_tag(path=AXE_SCRIPT)
        results = self.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        with (self.artifacts / "axe.txt").open("a") as findings:
            findings.write(f"{len(self.audited):02d}-{step} {self.page.url}\n")
            findings.write((describe(results["violations"]) or "  none") + "\n")
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert blocking == [], f"axe on {step} ({self.page.url}):\n" + describe(blocking)
        # WCAG reflow: on a phone nothing may need scrolling sideways.
        widths = self.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1], f"{step} is {widths[0]}px wide in a {widths[1]}px window"

    def _note_page_load(self, response: Response) -> None:
        if is_page(response):
            self.loaded.append(response.url)


def is_page(response: Response) -> bool:
    """A page the shopper sees: loaded whole, or fetched by htmx for a boosted link or form."""
    request = response.request
    is_loaded = request.resource_type == "document" and not response.frame.parent_frame
    asked = request
    while asked.redirected_from is not None:  # htmx's headers are on the request it sent
        asked = asked.redirected_from
    is_boosted = asked.headers.get("hx-boosted") == "true"
    is_html = response.headers.get("content-type", "").startswith("text/html")
    return (is_loaded or is_boosted) and is_html and not 300 <= response.status < 400


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {v['impact']} {v['id']}: {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in violations
    )
