"""EasyPost's REST API over httpx: Basic auth with the API key, JSON both ways, retries.

429 and 5xx answers and network failures are retried with exponential backoff (honouring a
`Retry-After` header up to the cap); after the last try they raise CarrierUnavailable. Any
other 4xx is EasyPost saying no: CarrierRefused with its `error.message` (and the fields'
messages). The key never leaves this module: every text raised passes through `scrubbed`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from retour.shipping.base import CarrierRefused, CarrierUnavailable, scrubbed

API_URL = "https://api.easypost.com/v2"
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


def backoff_seconds(retry: int, base: float, cap: float) -> float:
    """0.5 s, 1 s, 2 s, … (with base 0.5), capped, with up to 10 % jitter."""
    delay = min(cap, base * 2**retry)
    return float(delay * (1 + random.random() / 10))


class EasyPostClient:
    def __init__(
        self,
        api_key: str,
        base_url: str = API_URL,
        *,
        timeout: float = 15.0,
        attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = (backoff_base, backoff_cap)
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"EasyPostClient({self._base_url!r})"

    def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", path, payload)

    def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        return self._call("GET", path, None, params)

    def download(self, url: str) -> bytes:
        """A label file EasyPost stores (its URLs need no key: none is sent)."""
        try:
            answer = httpx.get(url, timeout=self._timeout)
        except httpx.HTTPError as error:
            reason = f"EasyPost label download failed: {type(error).__name__}"
            raise CarrierUnavailable(reason) from None
        if answer.status_code != 200:
            raise CarrierUnavailable(f"EasyPost label download answered {answer.status_code}")
        return answer.content

    def _call(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        last, retry_after = "", ""
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._delay(attempt - 1, retry_after))
                retry_after = ""
            try:
                answer = httpx.request(
                    method,
                    f"{self._base_url}{path}",
                    json=payload,
                    params=params,
                    auth=(self._api_key, ""),
                    timeout=self._timeout,
                )
            except httpx.HTTPError as error:
                last = f"EasyPost could not be reached ({type(error).__name__})"
                continue
            if answer.status_code in RETRIED_STATUSES:
                retry_after = answer.headers.get("retry-after", "")
                last = f"EasyPost answered {answer.status_code}"
                continue
            if answer.status_code >= 400:
                raise CarrierRefused(self._clean(refusal_words(answer)))
            body: dict[str, Any] = answer.json()
            return body
        raise CarrierUnavailable(self._clean(f"{last} after {self._attempts} tries"))

    def _delay(self, retry: int, retry_after: str) -> float:
        base, cap = self._backoff
        if retry_after.isdigit():
            return min(cap, float(retry_after))
        return backoff_seconds(retry, base, cap)

    def _clean(self, text: str) -> str:
        return scrubbed(text, [self._api_key])


def refusal_words(answer: httpx.Response) -> str:
    """EasyPost's error object in words: `message (field: message; …)`."""
    try:
        error = answer.json().get("error") or {}
    except ValueError:
        return f"EasyPost answered {answer.status_code}"
    message = str(error.get("message") or f"EasyPost answered {answer.status_code}")
    details = [
        f"{item.get('field', '')}: {item.get('message', '')}".strip(": ")
        for item in error.get("errors") or []
        if isinstance(item, dict)
    ]
    return f"{message} ({'; '.join(details)})" if details else message
