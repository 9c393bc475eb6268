"""What a shopper does in the portal, as form posts."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

BASE = "/s/acme/returns"


def csrf_of(client: TestClient, path: str = BASE) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None, page.text
    return match.group(1)


def look_up(client: TestClient, number: str = "1001", email: str = "", postal_code: str = ""):
    fields = {"order_number": number, "email": email, "postal_code": postal_code}
    return client.post(BASE, data={"csrf": csrf_of(client), **fields})


def signed_in(client: TestClient, email: str = "shopper@example.com") -> TestClient:
    response = look_up(client, email=email)
    assert response.status_code == 303, response.text
    return client


def line_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'name="qty-(\d+)"', html)]


def order_form(client: TestClient) -> tuple[str, dict[str, str]]:
    page = client.get(f"{BASE}/order")
    assert page.status_code == 200, page.text
    key = re.search(r'name="submission_key" value="([^"]+)"', page.text)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert key is not None and csrf is not None
    return page.text, {"csrf": csrf.group(1), "submission_key": key.group(1)}
