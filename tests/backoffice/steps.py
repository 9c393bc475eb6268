"""What staff do in the back office, as form posts."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

BASE = "/backoffice"
PASSWORD = "correct horse battery"


def csrf_of(client: TestClient, path: str = f"{BASE}/login") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None, page.text
    return match.group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str):
    fields = {"email": email, "password": password, **extra}
    return client.post(f"{BASE}/login", data={"csrf": csrf_of(client), **fields})


def sign_in(client: TestClient, email: str) -> TestClient:
    response = log_in(client, email)
    assert response.status_code == 303, response.text
    return client


def seen_of(html: str) -> str:
    match = re.search(r'name="seen" value="([^"]+)"', html)
    assert match is not None, html
    return match.group(1)


def act(client: TestClient, number: str, action: str, **fields: str):
    """Post one action from the return's page, with the page's own CSRF and version."""
    page = client.get(f"{BASE}/returns/{number}")
    assert page.status_code == 200, page.text
    data = {"csrf": csrf_of(client, f"{BASE}/returns/{number}"), "seen": seen_of(page.text)}
    return client.post(f"{BASE}/returns/{number}/{action}", data=data | fields)
