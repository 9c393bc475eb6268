"""Settings → return policy (owners and admins): a typed document saved as a new version that
the API then serves, refused with every problem's pointer and line and nothing saved,
simulated on history with the figures of the simulation service and nothing saved, a past
version restored as a new one; other roles and forms without their token refused."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from retour.db.models import PolicyVersion
from retour.notifications.formatting import format_money
from retour.services.context import Actor
from retour.services.policy.simulation import simulate_policy
from retour.services.policy.versions import builtin_record, save_policy
from retour.services.stores import create_api_key
from tests.backoffice.steps import BASE, csrf_of
from tests.conftest import START
from tests.integration.test_policy_simulation import DRAFT, LIVE, day, returned_order

POLICY = f"{BASE}/settings/policy"
OWNER = Actor("staff", "owner@acme.test")


def typed(document: object) -> str:
    return json.dumps(document, indent=2)


def post(client, action: str, **fields: str):
    return client.post(action, data={"csrf": csrf_of(client, POLICY), **fields})


def editor_text(page: str) -> str:
    found = re.search(r'<textarea id="document" name="document"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None, page
    return html.unescape(found.group(1))


def version_count(uow, store_id: int) -> int:
    with uow:
        statement = select(func.count()).where(PolicyVersion.store_id == store_id)
        return uow.session.scalar(statement) or 0


def api_policy(shop, uow, path: str = "") -> dict:
    key = create_api_key(uow, "acme", "tests", shop.clock.now())
    client = shop.new_client()
    answer = client.get(f"/api/v1/policy{path}", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_store_without_a_policy_opens_the_editor_on_the_built_in_policy(shop, uow):
    page = shop.staff("admin").get(POLICY)

    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<h2 id="live">Live: the built-in policy (version 0)</h2>' in page.text
    with uow:
        builtin = builtin_record(uow.stores.get(shop.store_id)).document
    assert editor_text(page.text) == json.dumps(builtin, indent=2)
    assert builtin == api_policy(shop, uow)["document"]
    assert "No version saved yet." in page.text
    index = shop.staff("owner").get(f"{BASE}/settings")
    assert f'<a href="{POLICY}"><strong>Return policy</strong>' in index.text


def test_a_valid_document_is_saved_as_the_next_version_that_the_api_serves(shop, uow):
    client = shop.staff("owner")

    saved = post(client, POLICY, document=typed(LIVE), note="30 days")

    assert saved.status_code == 303
    assert saved.headers["location"] == f"{POLICY}?done=saved"
    served = api_policy(shop, uow)
    assert (served["version"], served["document"], served["note"]) == (1, LIVE, "30 days")
    assert served["created_by"] == "staff:owner@acme.test"
    page = client.get(saved.headers["location"])
    assert (
        '<p class="notice" role="status">The policy is saved as a new version. It is live: '
        "new returns are judged by it.</p>"
    ) in page.text
    assert '<h2 id="live">Live: version 1</h2>' in page.text
    assert "Version 1, saved March 2, 2026, 9:30" in page.text
    assert "by staff:owner@acme.test. Note: 30 days</p>" in page.text
    assert editor_text(page.text) == typed(LIVE)
    assert f'<a href="{POLICY}/versions/1">Version 1</a> <span class="status">live</span>' in (
        page.text
    )


def test_text_that_is_not_json_is_refused_with_its_line_and_kept(shop, uow):
    text = '{\n  "timezone": "UTC",\n  "currency": "EUR"\n  "default": {}\n}'

    refused = post(shop.staff("owner"), POLICY, document=text, note="broken")

    assert refused.status_code == 400
    assert (
        '<div class="error" role="alert" id="policy-error">\n  <p>The document has 1 error: '
        "nothing was saved.</p>"
    ) in refused.text
    assert (
        "<ul><li>the document (line 4): not JSON: Expecting &#39;,&#39; delimiter at column 3"
        "</li></ul>"
    ) in refused.text
    assert editor_text(refused.text) == text
    assert 'id="note" name="note" maxlength="2000" value="broken"' in refused.text
    assert 'aria-describedby="policy-error" aria-invalid="true">{' in refused.text
    assert version_count(uow, shop.store_id) == 0


def test_schema_errors_name_each_pointer_and_line_and_nothing_is_saved(shop, uow):
    save_policy(uow, shop.store_id, LIVE, "", OWNER, shop.clock.now())
    broken = {**LIVE, "default": {"window_days": 9999}, "automation": {"default": "maybe"}}

    refused = post(shop.staff("admin"), POLICY, document=typed(broken))

    assert refused.status_code == 400
    assert "<p>The document has 2 errors: nothing was saved.</p>" in refused.text
    problems = re.findall(r"<li><code>([^<]*)</code> \(line (\d+)\): ([^<]*)</li>", refused.text)
    assert problems == [
        ("/default/window_days", "5", "must be between 0 and 3650"),
        ("/automation/default", "8", "must be one of approve, review, reject"),
    ]
    assert editor_text(refused.text) == typed(broken)
    assert version_count(uow, shop.store_id) == 1
    assert api_policy(shop, uow)["document"] == LIVE


def test_names_the_store_does_not_know_are_warnings_shown_after_the_save(shop, uow):
    document = {**LIVE, "overrides": [{"id": "socks", "match": {"skus": ["SOCKS-1"]},
                                        "window_days": 10}]}  # fmt: skip

    saved = post(shop.staff("owner"), POLICY, document=typed(document))

    assert saved.status_code == 200
    assert "Saved, with 1 warning: names the store does not know yet" in saved.text
    assert (
        "<li><code>/overrides/0/match/skus/0</code>: no product or reason uses the sku "
        "&#39;SOCKS-1&#39;</li>"
    ) in saved.text
    assert api_policy(shop, uow)["document"] == document


@pytest.fixture
def history(shop, uow):
    """Three EUR returns in January and February, one in USD, the live policy LIVE
    (tests/integration/test_policy_simulation.py), and the shop's own return of today."""
    returned_order(uow, shop.store_id, shop.clock, "h1", day(1, 1), day(1, 24))
    returned_order(uow, shop.store_id, shop.clock, "h3", day(2, 1), day(2, 6), price=500)
    returned_order(uow, shop.store_id, shop.clock, "h4", day(2, 1), day(2, 7), currency="USD")
    shop.clock.current = START
    save_policy(uow, shop.store_id, LIVE, "", OWNER, shop.clock.now())


def test_a_simulation_shows_the_services_figures_and_saves_nothing(shop, uow, history):
    expected = simulate_policy(uow, shop.store_id, DRAFT, START - timedelta(days=90)).as_json()

    page = post(shop.staff("owner"), f"{POLICY}/simulate", document=typed(DRAFT), days="90")

    assert page.status_code == 200
    assert (expected["returns_total"], expected["returns_evaluated"]) == (4, 3)
    # Live: 10 % restocking of 49.00 € (h1), 5.00 € (h3) and three 49.00 € shirts (the shop's
    # return); the draft charges none.
    assert (expected["fees"]["live"], expected["fees"]["draft"]) == (490 + 50 + 1470, 0)
    assert "Simulation: the draft against version 1</h2>" in page.text
    assert "Simulated on the last 90 days. Nothing was saved" in page.text
    assert "<dt>Returns found</dt><dd>4</dd>" in page.text
    assert "<dt>Returns judged again</dt><dd>3 (4 lines)</dd>" in page.text
    assert "<dt>Returns skipped</dt><dd>1 <span" in page.text
    for name, label in [("fees", "Fees shoppers pay"),
                        ("refunds", "Paid back (refunds and store credit)"),
                        ("store_credit_bonus", "Store-credit bonus")]:  # fmt: skip
        live, draft, delta = (format_money(expected[name][key], "EUR", "en")
                              for key in ("live", "draft", "delta"))  # fmt: skip
        row = (f'<tr><th scope="row">{label}</th><td class="number">{live}</td>'
               f'<td class="number">{draft}</td><td class="number">{delta}</td></tr>')  # fmt: skip
        assert row in page.text, name
    approval = expected["automatic_approval"]
    for outcome in ("approve", "review", "reject"):
        row = (f'<tr><th scope="row">{outcome}</th><td class="number">'
               f'{approval["live"][outcome]}</td><td class="number">'
               f'{approval["draft"][outcome]}</td></tr>')  # fmt: skip
        assert row in page.text, outcome
    changes = expected["eligibility"]
    assert (
        '<tr><th scope="row">Lines newly refused</th><td class="number">'
        f"{changes['lines_newly_refused']}</td></tr>"
    ) in page.text
    assert changes["returns_newly_refused"]["examples"][0]["number"] == "R-100003"
    assert (
        f'<tr><th scope="row">Lines admitted</th><td><a href="{BASE}/returns/R-100003">'
        "R-100003</a></td><td>1</td><td>0</td></tr>"
    ) in page.text
    assert (
        '<tr><th scope="row"><code>window_ended [default]</code></th><td class="number">0</td>'
        f'<td class="number">{changes["refusals_draft"]["window_ended [default]"]}</td></tr>'
    ) in page.text
    assert editor_text(page.text) == typed(DRAFT)
    assert version_count(uow, shop.store_id) == 1


def test_a_broken_draft_is_not_simulated_and_shows_the_errors_of_a_save(shop, uow, history):
    broken = {**DRAFT, "default": {"window_days": -1}}

    refused = post(shop.staff("owner"), f"{POLICY}/simulate", document=typed(broken), days="30")

    assert refused.status_code == 400
    assert (
        "<li><code>/default/window_days</code> (line 5): must be between 0 and 3650</li>"
        in refused.text
    )
    assert 'id="simulation"' not in refused.text
    assert '<option value="30" selected>last 30 days</option>' in refused.text
    other = post(shop.staff("owner"), f"{POLICY}/simulate", document=typed(DRAFT), days="7")
    assert other.status_code == 400
    assert "the period must be one of 30, 90, 365 days" in other.text
    assert version_count(uow, shop.store_id) == 1


def test_restoring_a_past_version_saves_it_again_as_a_new_version(shop, uow):
    save_policy(uow, shop.store_id, LIVE, "first", OWNER, shop.clock.now())
    save_policy(uow, shop.store_id, DRAFT, "second", OWNER, shop.clock.now())
    client = shop.staff("owner")
    version = client.get(f"{POLICY}/versions/1")
    assert version.status_code == 200
    assert "<h1>Return policy, version 1</h1>" in version.text
    assert f'<a href="{POLICY}?load=1#editor">Load into the editor</a>' in version.text
    assert html.unescape(version.text).count(typed(LIVE)) == 1
    assert editor_text(client.get(f"{POLICY}?load=1").text) == typed(LIVE)

    restored = client.post(
        f"{POLICY}/versions/1/restore", data={"csrf": csrf_of(client, f"{POLICY}/versions/1")}
    )

    assert restored.headers["location"] == f"{POLICY}?done=restored"
    served = api_policy(shop, uow)
    restored_as = (served["version"], served["document"], served["note"])
    assert restored_as == (3, LIVE, "Restored version 1")
    assert client.get(f"{POLICY}/versions/9").status_code == 404


def test_the_versions_are_listed_newest_first_twenty_a_page(shop, uow):
    for number in range(21):
        save_policy(uow, shop.store_id, LIVE, f"v{number + 1}", OWNER, shop.clock.now())
    client = shop.staff("owner")

    first = client.get(POLICY)
    listed = re.findall(r'<tr id="version-(\d+)">', first.text)
    older = re.search(r'href="([^"]+)#versions">Older versions</a>', first.text)

    assert listed == [str(number) for number in range(21, 1, -1)]
    assert older is not None
    second = client.get(html.unescape(older.group(1)))
    assert re.findall(r'<tr id="version-(\d+)">', second.text) == ["1"]
    assert "Older versions" not in second.text


@pytest.mark.parametrize("role", ["agent", "warehouse", "analyst"])
def test_other_roles_may_neither_open_nor_change_the_policy(shop, uow, role):
    save_policy(uow, shop.store_id, LIVE, "", OWNER, shop.clock.now())
    client = shop.staff(role)
    assert client.get(POLICY).status_code == 403
    assert client.get(f"{POLICY}/versions/1").status_code == 403
    csrf = csrf_of(client, BASE)
    for action, fields in [
        (POLICY, {"document": typed(DRAFT)}),
        (f"{POLICY}/simulate", {"document": typed(DRAFT), "days": "90"}),
        (f"{POLICY}/versions/1/restore", {}),
    ]:
        refused = client.post(action, data={"csrf": csrf, **fields})
        assert refused.status_code == 403, action
        assert f"the {role} role may not configure store. Nothing was changed." in refused.text
    assert version_count(uow, shop.store_id) == 1


def test_a_form_without_its_token_is_refused_and_nothing_is_saved(shop, uow):
    client = shop.staff("owner")
    client.get(POLICY)

    for action in (POLICY, f"{POLICY}/simulate"):
        refused = client.post(action, data={"document": typed(LIVE), "days": "90"})
        assert refused.status_code == 400, action
        assert "This form has expired. Please try again." in refused.text
    wrong = client.post(f"{POLICY}/versions/0/restore", data={"csrf": "forged"})
    assert wrong.status_code == 400
    assert version_count(uow, shop.store_id) == 0
