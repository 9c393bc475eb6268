"""The webhook sender: one signed POST per delivery, the outcome judged by the status code.

2xx is delivered; 410 Gone is a permanent failure (the receiver wants no more); any other
status, a timeout or a network error is retried by the worker. Redirects are not followed
(a 3xx is a failure, so a redirect cannot lead past the SSRF guard).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpcore
import httpx
from sqlalchemy.orm import Session

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.repositories.outbox import Job
from retour.services.outbox.senders import SendResult
from retour.settings import Settings
from retour.webhooks.addresses import (
    GuardedBackend,
    RefusedTarget,
    Resolver,
    parse_webhook_url,
    resolve_with_dns,
)
from retour.webhooks.payloads import message_id, webhook_body
from retour.webhooks.resources import ResourceLoader, database_resources, no_resources
from retour.webhooks.signing import secret_key, signed_headers

#: What an attempt keeps of the receiver's answer.
EXCERPT_BYTES = 1024
USER_AGENT = "Retour-Webhooks/1"


class WebhookSender:
    def __init__(
        self,
        timeout_seconds: float = 10.0,
        allow_private: bool = False,
        resolve: Resolver = resolve_with_dns,
        unix_time: Callable[[], float] = time.time,
        max_connections: int = 100,
        resources: ResourceLoader = no_resources,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self._resources = resources
        self._unix_time = unix_time
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        # One pooled client for all of a worker's threads (httpx clients are thread-safe).
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=False,
            transport=_transport(limits, None if allow_private else GuardedBackend(resolve)),
            # Uncompressed answers: the excerpt is read raw, never inflated.
            headers={"user-agent": USER_AGENT, "accept-encoding": "identity"},
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def send(self, job: Job) -> SendResult:
        if not job.webhook_secret:
            return SendResult(False, error="the subscription no longer exists", is_permanent=True)
        if not job.webhook_active:
            return SendResult(False, error="the subscription is disabled", is_permanent=True)
        body = webhook_body(job, self._resources(job))
        key = secret_key(job.webhook_secret)
        headers = signed_headers(key, message_id(job.delivery_id), int(self._unix_time()), body)
        return self.post(job.recipient, body, headers)

    def post(self, raw_url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        """POST `body`; never raises for the receiver's failures, they are results."""
        try:
            url = parse_webhook_url(raw_url)
            with self._client.stream("POST", url, content=body, headers=headers) as response:
                excerpt = _excerpt(response)
                status = response.status_code
        except RefusedTarget as refused:
            if refused.is_temporary:  # DNS may answer next time
                return SendResult(False, error=refused.reason)
            return SendResult(False, error=f"refused: {refused.reason}", is_permanent=True)
        except httpx.TimeoutException:
            return SendResult(False, error=f"timed out after {self.timeout_seconds:g} s")
        except httpx.HTTPError as error:
            return SendResult(False, error=f"{type(error).__name__}: {error}".rstrip(": "))
        if 200 <= status < 300:
            return SendResult(True, status_code=status, response_excerpt=excerpt)
        gone = status == 410
        return SendResult(
            False,
            status_code=status,
            error=f"HTTP {status}" + (" Gone: the receiver wants no more" if gone else ""),
            response_excerpt=excerpt,
            is_permanent=gone,
        )


def _transport(limits: httpx.Limits, backend: GuardedBackend | None) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    if backend is not None:
        # httpx has no option for httpcore's network backend; its pool is rebuilt with ours.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
    return transport


def _excerpt(response: httpx.Response) -> str:
    """At most EXCERPT_BYTES of the body; a longer body is not read further."""
    taken = b""
    for chunk in response.iter_raw():
        taken += chunk
        if len(taken) >= EXCERPT_BYTES:
            break
    return taken[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def webhook_sender_from_settings(
    settings: Settings, session_factory: Callable[[], Session] | None = None
) -> WebhookSender:
    new_session = session_factory or create_session_factory(create_db_engine(settings))
    return WebhookSender(
        timeout_seconds=settings.webhook_timeout_seconds,
        allow_private=settings.webhooks_allow_private,
        resources=database_resources(new_session),
    )
