"""The queue, a return's page and its actions, as staff use them over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from retour.db.models import Event, ReturnLineRow, ReturnNote, ReturnRow
from tests.backoffice.conftest import request_return
from tests.backoffice.steps import BASE, act, csrf_of, seen_of


def numbers_listed(html: str) -> list[str]:
    return re.findall(r'<td><a href="/backoffice/returns/(R-\d+)">', html)


def status_of(uow, number: str) -> str:
    with uow:
        return uow.session.scalar(select(ReturnRow.status).where(ReturnRow.number == number))


def test_the_queue_lists_the_stores_returns_only_with_counts_per_status(shop):
    page = shop.staff("agent").get(f"{BASE}/returns")
    assert page.status_code == 200
    assert numbers_listed(page.text) == [shop.requested]
    assert shop.other_stores not in page.text
    assert 'requested <span class="count">1</span>' in page.text
    assert 'approved <span class="count">0</span>' in page.text


def more_returns(uow, shop, count: int) -> list[str]:
    from tests.factories import import_sample_order

    numbers = []
    for index in range(count):
        order = import_sample_order(
            uow, shop.store_id, shop.clock, platform_id=f"2{index:03}"
        ).order
        numbers.append(request_return(uow, shop.store_id, order, shop.clock, (1, 0)).number)
    return numbers


def test_the_queue_pages_with_a_keyset_and_keeps_the_filters(shop, uow):
    numbers = more_returns(uow, shop, 51)
    client = shop.staff("agent")
    first = client.get(f"{BASE}/returns?status=requested")
    listed = numbers_listed(first.text)
    assert listed == list(reversed(numbers))[:50]
    next_link = re.search(r'rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    assert "status=requested" in next_link
    second = client.get(next_link)
    assert numbers_listed(second.text) == [numbers[0], shop.requested]
    assert 'rel="next"' not in second.text


def test_the_search_box_finds_by_rma_order_email_tracking_and_sku(shop, uow):
    other = more_returns(uow, shop, 1)[0]
    client = shop.staff("agent")
    act(client, shop.requested, "approve")
    act(client, shop.requested, "mark-in-transit", tracking_number="1Z999AA10123456784")
    searches = {
        shop.requested.lower(): [shop.requested],
        "#1001": [shop.requested],
        "1001": [shop.requested],
        "SHOPPER@example.com": [other, shop.requested],
        "1Z999AA10123456784": [shop.requested],
        "LINEN-L": [shop.requested],
        "LINEN-M": [other, shop.requested],
        "no-such-thing": [],
    }
    for text, expected in searches.items():
        page = client.get(f"{BASE}/returns", params={"q": text})
        assert numbers_listed(page.text) == expected, text
    empty = client.get(f"{BASE}/returns", params={"q": "no-such-thing"})
    assert "No returns match “no-such-thing”." in empty.text


def test_a_search_that_many_returns_match_pages_in_either_order_and_with_filters(shop, uow):
    numbers = more_returns(uow, shop, 51)  # each asks for LINEN-M back, like shop.requested
    everyone = [shop.requested, *numbers]
    client = shop.staff("agent")

    newest = client.get(f"{BASE}/returns", params={"q": "LINEN-M"})
    assert numbers_listed(newest.text) == list(reversed(everyone))[:50]
    after = re.search(r'rel="next" href="([^"]+)"', newest.text).group(1).replace("&amp;", "&")
    assert numbers_listed(client.get(after).text) == [numbers[0], shop.requested]

    oldest = client.get(f"{BASE}/returns", params={"q": "LINEN-M", "sort": "oldest"})
    assert numbers_listed(oldest.text) == everyone[:50]
    after = re.search(r'rel="next" href="([^"]+)"', oldest.text).group(1).replace("&amp;", "&")
    assert numbers_listed(client.get(after).text) == everyone[50:]

    act(client, numbers[0], "approve")
    approved = client.get(f"{BASE}/returns", params={"q": "LINEN-M", "status": "approved"})
    assert numbers_listed(approved.text) == [numbers[0]]


def test_needs_attention_filters_waiting_for_review_and_long_in_transit(shop, uow):
    client = shop.staff("agent")
    assert numbers_listed(client.get(f"{BASE}/returns?attention=review").text) == [shop.requested]
    act(client, shop.requested, "approve")
    act(client, shop.requested, "mark-in-transit", tracking_number="T1")
    assert numbers_listed(client.get(f"{BASE}/returns?attention=in_transit_too_long").text) == []
    shop.clock.current += timedelta(days=11)
    client = shop.staff("agent")  # the first session ended after 12 hours
    assert numbers_listed(client.get(f"{BASE}/returns?attention=in_transit_too_long").text) == [
        shop.requested
    ]
    home = client.get(BASE)
    assert re.search(r'attention=in_transit_too_long"><strong class="count">1</strong>', home.text)


def test_a_filter_value_that_is_not_a_choice_is_refused_naming_it(shop):
    page = shop.staff("agent").get(f"{BASE}/returns?status=lost")
    assert page.status_code == 400
    assert "status cannot be &#39;lost&#39;" in page.text
    dates = shop.staff("agent").get(f"{BASE}/returns?from=yesterday")
    assert dates.status_code == 400
    assert "from must be a date like 2026-03-31" in dates.text


def test_the_return_page_shows_lines_history_timeline_and_only_allowed_actions(shop):
    page = shop.staff("agent").get(f"{BASE}/returns/{shop.requested}")
    assert page.status_code == 200
    assert "Linen shirt M" in page.text and "LINEN-M" in page.text
    assert "1 return in 1 order (100 %)" in page.text
    assert "return.requested" in page.text
    forms = re.findall(rf'action="/backoffice/returns/{shop.requested}/([a-z-]+)"', page.text)
    assert forms == ["approve", "reject", "request-info", "policy-override", "cancel", "notes"]


def test_a_warehouse_worker_sees_no_review_buttons_and_is_refused_if_posting_anyway(shop, uow):
    client = shop.staff("warehouse")
    page = client.get(f"{BASE}/returns/{shop.requested}")
    forms = re.findall(rf'action="/backoffice/returns/{shop.requested}/([a-z-]+)"', page.text)
    assert forms == ["notes"]
    data = {"csrf": csrf_of(client, f"{BASE}/returns/{shop.requested}"), "seen": ""}
    refused = client.post(f"{BASE}/returns/{shop.requested}/approve", data=data)
    assert refused.status_code == 403
    assert "the warehouse role may not review returns. Nothing was changed." in refused.text
    assert status_of(uow, shop.requested) == "requested"


def test_approving_with_a_message_records_it_with_the_staff_member_as_actor(shop, uow):
    response = act(shop.staff("agent"), shop.requested, "approve", message="Thanks, send it back.")
    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}/returns/{shop.requested}?done=approve"
    with uow:
        row = uow.session.scalars(select(ReturnRow).where(ReturnRow.number == shop.requested)).one()
        assert (row.status, row.staff_message) == ("approved", "Thanks, send it back.")
        event = uow.session.scalars(
            select(Event).where(Event.return_id == row.id, Event.name == "return.approved")
        ).one()
        assert event.actor == "staff:agent@acme.test"
        assert event.payload["message"] == "Thanks, send it back."


def test_approving_part_of_a_line(shop, uow):
    client = shop.staff("agent")
    page = client.get(f"{BASE}/returns/{shop.requested}")
    first, second = re.findall(r'name="approve-(\d+)"', page.text)
    response = act(client, shop.requested, "approve", **{f"approve-{first}": "1"})
    assert response.status_code == 303
    after = client.get(f"{BASE}/returns/{shop.requested}").text
    assert re.search(
        r"Linen shirt M.*?<td class=\"number\">2</td><td class=\"number\">1</td>", after, re.S
    )
    with uow:  # the line left out of the form keeps all it asked for
        approved = dict(
            uow.session.execute(
                select(ReturnLineRow.id, ReturnLineRow.approved_quantity).where(
                    ReturnLineRow.id.in_([int(first), int(second)])
                )
            ).all()
        )
    assert approved == {int(first): 1, int(second): 1}


def test_rejecting_needs_the_confirmation_box_and_a_reason(shop, uow):
    client = shop.staff("agent")
    unconfirmed = act(client, shop.requested, "reject", reason="Worn")
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm that you want to reject this return." in unconfirmed.text
    no_reason = act(client, shop.requested, "reject", confirm="yes", reason=" ")
    assert no_reason.status_code == 400
    assert status_of(uow, shop.requested) == "requested"
    assert act(client, shop.requested, "reject", confirm="yes", reason="Worn").status_code == 303
    assert status_of(uow, shop.requested) == "rejected"


def test_a_stale_page_is_refused_with_the_current_status_and_nothing_applied(shop, uow):
    alice, bob = shop.staff("agent"), shop.staff("admin")
    page = alice.get(f"{BASE}/returns/{shop.requested}")
    stale = seen_of(page.text)
    shop.clock.current += timedelta(minutes=1)
    assert act(bob, shop.requested, "approve").status_code == 303
    csrf = csrf_of(alice, f"{BASE}/returns/{shop.requested}")
    late = alice.post(
        f"{BASE}/returns/{shop.requested}/cancel",
        data={"csrf": csrf, "seen": stale, "confirm": "yes"},
    )
    assert late.status_code == 409
    assert (
        f"Return {shop.requested} changed since this page was loaded (it is now approved)."
        in late.text
    )
    assert status_of(uow, shop.requested) == "approved"


def test_an_action_the_status_does_not_allow_names_the_current_status(shop, uow):
    client = shop.staff("agent")
    act(client, shop.requested, "approve")
    csrf = csrf_of(client, f"{BASE}/returns/{shop.requested}")
    response = client.post(f"{BASE}/returns/{shop.requested}/approve", data={"csrf": csrf})
    assert response.status_code == 409
    assert "cannot approve a return that is approved" in response.text


def test_another_stores_return_and_guessed_numbers_are_not_found(shop):
    client = shop.staff("owner")
    assert client.get(f"{BASE}/returns/{shop.other_stores}").status_code == 404
    assert client.get(f"{BASE}/returns/R-999999").status_code == 404
    csrf = csrf_of(client, BASE)
    posted = client.post(f"{BASE}/returns/{shop.other_stores}/approve", data={"csrf": csrf})
    assert posted.status_code == 404


def test_the_whole_lifecycle_from_the_return_page(shop, uow):
    client = shop.staff("agent")
    act(client, shop.requested, "approve")
    act(client, shop.requested, "mark-in-transit", tracking_number="T-1", carrier="DHL")
    page = client.get(f"{BASE}/returns/{shop.requested}").text
    lines = re.findall(r'name="receive-(\d+)"', page)
    receipt = {f"receive-{lines[0]}": "2", f"receive-{lines[1]}": "1", f"wrong-{lines[1]}": "1"}
    assert act(client, shop.requested, "receive", **receipt).status_code == 303
    page = client.get(f"{BASE}/returns/{shop.requested}").text
    assert re.findall(r'name="inspect-(\d+)" type="number" min="0" max="(\d+)"', page) == [
        (lines[0], "2"),
        (lines[1], "1"),
    ]
    verdict = {
        f"inspect-{lines[0]}": "2",
        f"grade-{lines[0]}": "B",
        f"disposition-{lines[0]}": "refurbish",
        f"inspect-{lines[1]}": "1",
        f"outcome-{lines[1]}": "rejected",
        f"grade-{lines[1]}": "D",
        f"disposition-{lines[1]}": "return_to_vendor",
    }
    assert act(client, shop.requested, "inspect", **verdict).status_code == 303
    assert status_of(uow, shop.requested) == "inspected"
    assert act(client, shop.requested, "complete").status_code == 303
    assert status_of(uow, shop.requested) == "completed"
    done = client.get(f"{BASE}/returns/{shop.requested}").text
    assert "2 × grade B, refurbish" in done
    assert "Nothing more can be done to this return." in done


def test_internal_notes_are_kept_for_staff_with_their_author(shop, uow):
    client = shop.staff("warehouse")
    csrf = csrf_of(client, f"{BASE}/returns/{shop.requested}")
    empty = client.post(f"{BASE}/returns/{shop.requested}/notes", data={"csrf": csrf, "note": " "})
    assert empty.status_code == 400
    assert "Write the note first." in empty.text
    added = client.post(
        f"{BASE}/returns/{shop.requested}/notes", data={"csrf": csrf, "note": "Box was wet."}
    )
    assert added.status_code == 303
    page = client.get(f"{BASE}/returns/{shop.requested}").text
    assert '<p>Box was wet.</p><p class="muted">warehouse@acme.test,' in page
    with uow:
        assert [n.body for n in uow.session.scalars(select(ReturnNote))] == ["Box was wet."]
    analyst = shop.staff("analyst")
    csrf = csrf_of(analyst, f"{BASE}/returns/{shop.requested}")
    refused = analyst.post(
        f"{BASE}/returns/{shop.requested}/notes", data={"csrf": csrf, "note": "x"}
    )
    assert refused.status_code == 403


def test_a_reviewer_sends_a_return_to_another_location_with_a_reason(shop, uow):
    from retour.db.models import InventoryLocation
    from retour.services.return_locations import add_return_location

    add_return_location(uow, shop.store_id, "uk-hub", "UK hub")
    client = shop.staff("agent")
    page = client.get(f"{BASE}/returns/{shop.requested}")
    forms = re.findall(rf'action="/backoffice/returns/{shop.requested}/([a-z-]+)"', page.text)
    assert forms == [
        "approve",
        "reject",
        "request-info",
        "location",
        "policy-override",
        "cancel",
        "notes",
    ]
    assert '<option value="uk-hub">UK hub (uk-hub)</option>' in page.text
    assert '<option value="returns">' not in page.text  # where it goes already

    refused = act(client, shop.requested, "location", location="uk-hub", reason=" ")
    assert refused.status_code == 400
    assert "reason must not be empty" in refused.text
    moved = act(client, shop.requested, "location", location="uk-hub", reason="Berlin is full")

    assert moved.headers["location"] == f"{BASE}/returns/{shop.requested}?done=location"
    with uow:
        code = uow.session.scalar(
            select(InventoryLocation.code)
            .join(ReturnRow, ReturnRow.location_id == InventoryLocation.id)
            .where(ReturnRow.number == shop.requested)
        )
    assert code == "uk-hub"
    after = client.get(f"{BASE}/returns/{shop.requested}")
    actor = '<span class="muted">by staff:agent@acme.test</span>'
    assert f"return.location_changed {actor}: “Berlin is full”" in after.text
    warehouse = shop.staff("warehouse").get(f"{BASE}/returns/{shop.requested}")
    assert f"/returns/{shop.requested}/location" not in warehouse.text
