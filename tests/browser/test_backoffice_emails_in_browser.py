"""An owner in Chromium opens Settings → E-mails, edits the subject of an e-mail, previews it
and saves it, by the page's labels alone; every page is screenshot and checked by axe-core (see
staff.py). Then, in a tab that keeps the page's Content-Security-Policy, the HTML part of a
preview still shows in its sandboxed frame, with the e-mail's own inline styles."""

from __future__ import annotations

from playwright.sync_api import expect

from retour.notifications import editing
from retour.notifications.templates import default_templates
from tests.backoffice.steps import PASSWORD
from tests.browser.staff import owner_on_settings_page

OWNER = "owner@acme.test"  # as owner_on_settings_page makes them

SUBJECT = "Your request {{ rma.number }} is with us"


def test_an_owner_previews_and_saves_a_subject(staff_browser, live_backoffice, uow, browser):
    shop = live_backoffice
    owner = owner_on_settings_page(staff_browser, shop, uow, "E-mails", "emails")
    page = owner.page
    with page.expect_navigation():
        page.get_by_role("link", name="Built-in return_requested in English").click()
    owner.landed("edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("return_requested in English")

    page.get_by_label("Subject").fill(SUBJECT)
    owner.submit("Preview", "preview")

    expect(page.locator("#preview-subject")).to_have_text("Your request R-100231 is with us")
    frame = page.frame_locator("iframe.email-preview")
    expect(frame.get_by_text("R-100231").first).to_be_visible()
    expect(page.get_by_label("Subject")).to_have_value(SUBJECT)
    assert not editing.get_template(
        uow, shop.store_id, "return_requested", "en", default_templates()
    ).is_custom

    owner.submit("Save", "saved")

    expect(page.get_by_role("status")).to_have_text(
        "The template is saved: e-mails sent from now on use it."
    )
    view = editing.get_template(uow, shop.store_id, "return_requested", "en", default_templates())
    builtin = default_templates().default_source("return_requested", "en")
    assert (view.is_custom, view.source.subject, view.source.html) == (True, SUBJECT, builtin.html)
    expect(page.get_by_role("button", name="Go back to the built-in template")).to_be_visible()

    strict = browser.new_context()  # no bypass_csp: the page's own policy applies
    try:
        tab = strict.new_page()
        tab.goto(f"{shop.url}/login")
        tab.get_by_label("E-mail", exact=True).fill(OWNER)
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        with tab.expect_navigation():
            tab.get_by_role("button", name="Sign in").click()
        tab.goto(f"{shop.url}/settings/emails/return_requested/en")
        with tab.expect_navigation():
            tab.get_by_role("button", name="Preview").click()
        body = tab.frame_locator("iframe.email-preview").locator("body")
        expect(body.get_by_text("R-100231").first).to_be_visible()
        # The e-mail's inline styles apply: the page's policy allows them by hash.
        expect(body).to_have_css("background-color", "rgb(244, 244, 245)")  # a style=""
        expect(body.locator("h1")).to_have_css("font-size", "22px")  # the <style> element
    finally:
        strict.close()
