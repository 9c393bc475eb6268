"""A forgotten password: the link by e-mail (a real SMTP server on loopback), a new password,
and every way the link can be refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from retour.db.models import StaffPasswordReset, StaffSession, StaffUser
from retour.services.staff.password_reset import LINK_UNUSABLE
from retour.services.staff.signing_in import WRONG_CREDENTIALS
from retour.web.app import create_app
from tests.backoffice.steps import BASE, PASSWORD, csrf_of, log_in, sign_in
from tests.support.smtp_server import SmtpServer, running_smtp_server

NEW_PASSWORD = "a much longer new password"
LINK = re.compile(
    r"http://127\.0\.0\.1:8000(/backoffice/password-reset/[A-Za-z0-9_-]{43})\r?$", re.M
)


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def mailing_app(settings, backoffice_app, smtp):
    """The back office with SMTP set, on the same clock as `shop`."""
    mailing = settings.model_copy(
        update={"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_security": "none"}
    )
    return create_app(mailing, clock=backoffice_app[1])


@pytest.fixture
def client(shop, mailing_app, smtp) -> Iterator[TestClient]:
    smtp.reset()
    with TestClient(mailing_app, follow_redirects=False) as visitor:
        yield visitor


def ask(client: TestClient, email: str):
    csrf = csrf_of(client, f"{BASE}/password-reset")
    return client.post(f"{BASE}/password-reset", data={"csrf": csrf, "email": email})


def link_in(smtp: SmtpServer, address: str) -> str:
    (mail,) = smtp.to(address)
    match = LINK.search(mail.text)
    assert match is not None, mail.text
    return match.group(1)


def choose(client: TestClient, path: str, password: str, confirmation: str | None = None):
    data = {"csrf": csrf_of(client, f"{BASE}/login"), "password": password}
    return client.post(path, data=data | {"confirmation": confirmation or password})


def test_a_link_by_e_mail_sets_a_new_password_and_signs_out_every_session(shop, client, smtp, uow):
    elsewhere = shop.staff("agent")
    asked = ask(client, "Agent@Acme.test")
    assert asked.status_code == 200
    assert "If an account uses Agent@Acme.test, we have sent it a link" in asked.text
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ["agent@acme.test"]
    assert mail.subject == "Reset your Acme back-office password"
    path = link_in(smtp, "agent@acme.test")
    assert f'href="http://127.0.0.1:8000{path}"' in mail.html

    form = client.get(path)
    assert form.status_code == 200
    assert f'action="{path}"' in form.text
    done = choose(client, path, NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["location"] == f"{BASE}/login?password_changed=1"
    assert "Your password is changed" in client.get(done.headers["location"]).text

    assert elsewhere.get(BASE).status_code == 303  # the session opened before is over
    assert log_in(client, "agent@acme.test", PASSWORD).status_code == 400
    assert log_in(client, "agent@acme.test", NEW_PASSWORD).status_code == 303
    with uow:
        sessions = uow.session.scalars(
            select(StaffSession.ended_at)
            .join(StaffUser, StaffUser.id == StaffSession.staff_user_id)
            .where(StaffUser.email == "agent@acme.test")
            .order_by(StaffSession.id)
        ).all()
    assert sessions == [shop.clock.now(), None]


def test_a_link_works_once(shop, client, smtp):
    ask(client, "agent@acme.test")
    path = link_in(smtp, "agent@acme.test")
    assert choose(client, path, NEW_PASSWORD).status_code == 303
    again = choose(client, path, "yet another password")
    assert again.status_code == 400
    assert LINK_UNUSABLE in again.text
    refused = client.get(path)
    assert refused.status_code == 400
    assert LINK_UNUSABLE in refused.text
    assert 'href="/backoffice/password-reset">Ask for a new link' in refused.text


def test_a_link_expires_after_an_hour(shop, client, smtp):
    ask(client, "agent@acme.test")
    path = link_in(smtp, "agent@acme.test")
    shop.clock.current += timedelta(hours=1)
    expired = choose(client, path, NEW_PASSWORD)
    assert expired.status_code == 400
    assert LINK_UNUSABLE in expired.text
    assert log_in(client, "agent@acme.test", PASSWORD).status_code == 303


def test_a_newer_link_replaces_the_older_one(shop, client, smtp, uow):
    ask(client, "agent@acme.test")
    first = link_in(smtp, "agent@acme.test")
    shop.clock.current += timedelta(minutes=2)
    smtp.reset()
    ask(client, "agent@acme.test")
    second = link_in(smtp, "agent@acme.test")
    assert choose(client, first, NEW_PASSWORD).status_code == 400
    assert choose(client, second, NEW_PASSWORD).status_code == 303


def test_asking_twice_within_a_minute_sends_one_e_mail(shop, client, smtp, uow):
    ask(client, "agent@acme.test")
    second = ask(client, "agent@acme.test")
    assert "If an account uses agent@acme.test, we have sent it a link" in second.text
    assert len(smtp.to("agent@acme.test")) == 1
    with uow:
        assert len(uow.session.scalars(select(StaffPasswordReset)).all()) == 1


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(shop, client, smtp, uow):
    asked = ask(client, "nobody@acme.test")
    assert asked.status_code == 200
    assert "If an account uses nobody@acme.test, we have sent it a link" in asked.text
    assert smtp.messages == []
    with uow:
        assert uow.session.scalars(select(StaffPasswordReset)).all() == []


def test_a_new_password_unlocks_a_locked_account(shop, client, smtp):
    for _ in range(5):
        log_in(client, "agent@acme.test", "wrong password")
    assert log_in(client, "agent@acme.test", PASSWORD).status_code == 429
    ask(client, "agent@acme.test")
    assert choose(client, link_in(smtp, "agent@acme.test"), NEW_PASSWORD).status_code == 303
    assert log_in(client, "agent@acme.test", NEW_PASSWORD).status_code == 303


def test_a_short_or_mistyped_password_is_refused_next_to_its_field(shop, client, smtp):
    ask(client, "agent@acme.test")
    path = link_in(smtp, "agent@acme.test")
    short = choose(client, path, "too short")
    assert short.status_code == 400
    assert '<p class="error" role="alert" id="password-error">' in short.text
    assert "passwords need at least 10 characters" in short.text
    mistyped = choose(client, path, NEW_PASSWORD, "a much longer new passw0rd")
    assert mistyped.status_code == 400
    assert 'id="confirmation-error">The two passwords are not the same.' in mistyped.text
    assert choose(client, path, NEW_PASSWORD).status_code == 303  # the link still works


def test_a_forged_link_is_refused(shop, client):
    fake = "A" * 43
    assert choose(client, f"{BASE}/password-reset/{fake}", NEW_PASSWORD).status_code == 400
    assert log_in(client, "agent@acme.test", PASSWORD).status_code == 303


def test_asking_without_an_address_names_the_field(shop, client, smtp):
    asked = ask(client, "  ")
    assert asked.status_code == 400
    assert 'id="email-error">Enter your e-mail address.' in asked.text
    assert smtp.messages == []


def test_the_sign_in_page_links_to_the_reset(shop, client):
    assert (
        'href="/backoffice/password-reset">Forgot your password?'
        in client.get(f"{BASE}/login").text
    )


def test_wrong_credentials_stay_one_message_after_a_reset_was_asked(shop, client, smtp):
    ask(client, "agent@acme.test")
    refused = log_in(client, "agent@acme.test", "wrong password")
    assert WRONG_CREDENTIALS in refused.text
    sign_in(client, "agent@acme.test")  # asking changes nothing until the link is used
