"""An owner in Chromium types a return policy, tries it on the store's history, then saves it,
by the page's labels alone; every page is screenshot and checked by axe-core (see staff.py)."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from retour.services.policy.versions import live_policy_record
from tests.browser.staff import owner_on_settings_page

#: 30 days and every request approved: the store's one return (asked for today, 10 days after
#: its order) is approved instead of waiting for staff as under the built-in policy.
DRAFT = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 30},
    "automation": {"default": "approve"},
}


def test_an_owner_simulates_a_policy_on_history_then_saves_it(staff_browser, live_backoffice, uow):
    shop = live_backoffice
    owner = owner_on_settings_page(staff_browser, shop, uow, "Return policy", "policy")
    page = owner.page
    live_heading = page.get_by_role(
        "heading", level=2, name="Live: the built-in policy (version 0)"
    )
    expect(live_heading).to_be_visible()
    editor = page.get_by_label("Policy document (JSON)")
    editor.fill(json.dumps(DRAFT, indent=2))
    page.get_by_label("Returns asked for in the").select_option("90")
    owner.submit("Simulate", "simulated")

    simulation = page.get_by_role(
        "heading", name="Simulation: the draft against the built-in policy"
    )
    expect(simulation).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "Simulated on the last 90 days. Nothing was saved: the live policy is unchanged."
    )
    decisions = page.get_by_role("table", name="Automatic decisions")
    for outcome, counts in [("approve", ["0", "1"]), ("review", ["1", "0"])]:
        row = decisions.locator("tr", has=page.get_by_role("rowheader", name=outcome, exact=True))
        expect(row.locator("td")).to_have_text(counts)
    expect(editor).to_have_value(json.dumps(DRAFT, indent=2))
    assert live_policy_record(uow, shop.store_id).version == 0

    page.get_by_label("Note (optional: why it changes)").fill("30 days, approved at once")
    owner.submit("Save as a new version", "saved")

    expect(page.get_by_role("status")).to_have_text(
        "The policy is saved as a new version. It is live: new returns are judged by it."
    )
    expect(page.get_by_role("heading", level=2, name="Live: version 1")).to_be_visible()
    live = live_policy_record(uow, shop.store_id)
    assert (live.version, live.document, live.note) == (1, DRAFT, "30 days, approved at once")
