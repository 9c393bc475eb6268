"""docs/webhooks.md's sample request is real: its signature verifies, and its `data.return`
has exactly the fields of the API's return."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from pathlib import Path

from retour.web.api.schemas import Quantities, ReturnLinePublic, ReturnPublic
from retour.webhooks.event_types import EVENT_TYPES, TEST_EVENT

DOC = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
SECRET = "whsec_Hk3lYq0p9bS6oPZr2c7R+0q1nXcQ8wLk"


def sample_request() -> tuple[dict[str, str], bytes]:
    match = re.search(r"```http\nPOST /retour HTTP/1.1\n(.*?)\n\n(.*?)\n```", DOC, re.S)
    assert match is not None
    headers = dict(line.split(": ", 1) for line in match.group(1).splitlines())
    return {name.lower(): value for name, value in headers.items()}, match.group(2).encode()


def test_the_sample_signature_is_the_one_retour_computes():
    headers, body = sample_request()
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()

    assert headers["webhook-signature"] == f"v1,{expected}"


def test_the_sample_return_has_the_fields_of_the_apis_return():
    _, body = sample_request()
    data = json.loads(body)["data"]

    assert list(data["return"]) == list(ReturnPublic.model_fields)
    assert list(data["return"]["lines"][0]) == list(ReturnLinePublic.model_fields)
    assert list(data["return"]["lines"][0]["quantities"]) == list(Quantities.model_fields)
    assert list(data)[:4] == ["number", "status", "lines", "expires_at"]


def test_the_event_types_section_lists_exactly_the_event_types_there_are():
    section = DOC.split("\n## Event types\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", section))

    assert documented == set(EVENT_TYPES) | {TEST_EVENT}
    assert {"shipment.created", "shipment.voided"} <= documented
