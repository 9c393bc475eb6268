"""Signing in and out: sessions, the same refusal for every mismatch, lockout, CSRF."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from retour.db.models import StaffSession, StaffUser
from retour.services.staff.signing_in import WRONG_CREDENTIALS
from tests.backoffice.steps import BASE, PASSWORD, log_in


def test_signing_in_opens_the_home_page_with_an_http_only_strict_cookie(shop):
    client = shop.new_client()
    response = log_in(client, "Owner@Acme.test")
    assert response.status_code == 303
    assert response.headers["location"] == BASE
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("retour_staff=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/backoffice" in cookie
    home = client.get(BASE)
    assert home.status_code == 200
    assert "owner@acme.test · owner · acme" in home.text
    assert home.headers["content-security-policy"].startswith("default-src 'self'")
    assert home.headers["cache-control"] == "no-store"


def test_a_page_asked_for_while_signed_out_sends_to_sign_in_and_back_afterwards(shop):
    client = shop.new_client()
    asked = client.get(f"{BASE}/returns")
    assert asked.status_code == 303
    assert asked.headers["location"] == f"{BASE}/login?next=/backoffice/returns"
    page = client.get(asked.headers["location"])
    assert 'name="next" value="/backoffice/returns"' in page.text
    response = log_in(client, "agent@acme.test", next="/backoffice/returns")
    assert response.headers["location"] == "/backoffice/returns"


def test_a_next_address_outside_the_back_office_is_ignored(shop):
    for outside in ("https://evil.test/", "//evil.test", "/backoffice\\@evil.test"):
        response = log_in(shop.new_client(), "agent@acme.test", next=outside)
        assert response.headers["location"] == BASE


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(shop):
    wrong = log_in(shop.new_client(), "owner@acme.test", password="not the password")
    unknown = log_in(shop.new_client(), "nobody@acme.test")
    assert wrong.status_code == unknown.status_code == 400
    assert WRONG_CREDENTIALS in wrong.text
    assert WRONG_CREDENTIALS in unknown.text
    assert "retour_staff=" not in wrong.headers.get("set-cookie", "")


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(shop, uow):
    for _ in range(5):
        assert log_in(shop.new_client(), "agent@acme.test", password="guess").status_code == 400
    locked = log_in(shop.new_client(), "agent@acme.test")  # the right password, too late
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert "This account is locked; try again in 15 minutes." in locked.text
    shop.clock.current += timedelta(minutes=15, seconds=1)
    assert log_in(shop.new_client(), "agent@acme.test").status_code == 303
    with uow:
        user = uow.session.scalars(
            select(StaffUser).where(StaffUser.email == "agent@acme.test")
        ).one()
        assert (user.failed_logins, user.locked_until) == (0, None)


def test_a_good_password_resets_the_count_of_wrong_ones(shop):
    for _ in range(4):
        log_in(shop.new_client(), "agent@acme.test", password="guess")
    assert log_in(shop.new_client(), "agent@acme.test").status_code == 303
    for _ in range(4):
        log_in(shop.new_client(), "agent@acme.test", password="guess")
    assert log_in(shop.new_client(), "agent@acme.test").status_code == 303


def test_signing_out_ends_the_session_for_good(shop, uow):
    client = shop.staff("agent")
    cookie = client.cookies.get("retour_staff")
    page = client.get(BASE)
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    out = client.post(f"{BASE}/logout", data={"csrf": csrf})
    assert out.status_code == 303
    assert out.headers["location"] == f"{BASE}/login?signed_out=1"
    replay = shop.new_client()
    replay.cookies.set("retour_staff", cookie, path="/backoffice")
    assert replay.get(BASE).status_code == 303
    with uow:
        sessions = uow.session.scalars(select(StaffSession)).all()
        assert [s.ended_at is not None for s in sessions] == [True]


def test_a_session_expires_after_twelve_hours(shop):
    client = shop.staff("agent")
    shop.clock.current += timedelta(hours=12)
    assert client.get(BASE).status_code == 303


def test_a_deactivated_account_is_signed_out_at_once(shop, uow):
    client = shop.staff("agent")
    with uow:
        user = uow.session.scalars(
            select(StaffUser).where(StaffUser.email == "agent@acme.test")
        ).one()
        user.is_active = False
        uow.commit()
    assert client.get(BASE).status_code == 303
    assert log_in(shop.new_client(), "agent@acme.test").status_code == 400


def test_a_form_without_its_csrf_token_is_refused(shop):
    client = shop.new_client()
    client.get(f"{BASE}/login")
    response = client.post(
        f"{BASE}/login", data={"email": "owner@acme.test", "password": PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 400
    assert "This form has expired. Please try again." in response.text


def test_one_email_in_two_stores_signs_in_where_the_store_field_says(shop, uow):
    from retour.services.stores import create_staff_user

    create_staff_user(
        uow, store_slug="other", email="agent@acme.test", password=PASSWORD, role="analyst",
        now=shop.clock.now(),
    )  # fmt: skip
    client = shop.new_client()
    assert log_in(client, "agent@acme.test", store="other").status_code == 303
    assert "agent@acme.test · analyst · other" in client.get(BASE).text
