"""Refunds through Stripe's API, with the official `stripe` package and one client per provider.

Retries: the package retries network errors, 409 and 5xx by itself (backoff from 0.5 s doubling
to 5 s, with jitter, and it obeys Stripe's `Stripe-Should-Retry` header). It leaves a plain 429
to its caller, so 429s are retried here on the same schedule and with the same bound. Every
retry sends the request's idempotency key again, so Stripe never refunds twice for one attempt.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import stripe
from stripe.params import RefundCreateParams

from retour.payments.base import (
    ProviderRefundRequest,
    ProviderResult,
    ProviderStatus,
    ProviderUnavailable,
)
from retour.settings import Settings

#: Stripe's refund statuses. Any status Stripe adds later reads as PENDING ("ask again"):
#: reporting it FAILED could lead to a second refund of money that did move.
REFUND_STATUSES = {
    "succeeded": ProviderStatus.SUCCEEDED,
    "pending": ProviderStatus.PENDING,
    "requires_action": ProviderStatus.PENDING,
    "failed": ProviderStatus.FAILED,
    "canceled": ProviderStatus.FAILED,
}
#: Stripe refuses metadata values longer than this.
METADATA_VALUE_LIMIT = 500
KEY_REFUSED = {
    401: "Stripe refused the API key (HTTP 401: not a valid key); check RETOUR_STRIPE_API_KEY.",
    403: "Stripe refused the API key (HTTP 403: no permission for refunds); "
    "check RETOUR_STRIPE_API_KEY.",
}


class StripeProvider:
    """Refunds Stripe PaymentIntents (`pi_…`) and Charges (`ch_…`)."""

    name = "stripe"

    def __init__(
        self,
        api_key: str,
        api_base: str = "https://api.stripe.com",
        max_network_retries: int = 2,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._max_network_retries = max_network_retries
        # The key lives only inside this client: never on `self`, in a message or in a log line.
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout_seconds),
        )

    def refund(self, request: ProviderRefundRequest) -> ProviderResult:
        """Refund part or all of one payment; a refusal by Stripe is a FAILED result."""
        reference = request.payment_reference
        params: RefundCreateParams = {
            "amount": request.amount,
            "currency": request.currency.lower(),
        }
        if reference.startswith("pi_"):
            params["payment_intent"] = reference
        elif reference.startswith("ch_"):
            params["charge"] = reference
        else:
            return ProviderResult(
                ProviderStatus.FAILED,
                message=f"Stripe refunds a PaymentIntent (pi_…) or a Charge (ch_…), "
                f"not the payment {reference!r}.",
            )
        if request.description:
            params["metadata"] = {"description": request.description[:METADATA_VALUE_LIMIT]}
        return self._call(
            lambda: self._client.v1.refunds.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        )

    def fetch_refund(self, reference: str) -> ProviderResult:
        """Stripe's current status of a refund made earlier."""
        if not reference:
            # An empty id would ask for `/v1/refunds/`, which lists every refund instead.
            return ProviderResult(ProviderStatus.FAILED, message="No Stripe refund id to look up.")
        return self._call(lambda: self._client.v1.refunds.retrieve(reference))

    def _call(self, operation: Callable[[], stripe.Refund]) -> ProviderResult:
        try:
            refund = self._retrying_rate_limits(operation)
        except (stripe.CardError, stripe.InvalidRequestError, stripe.IdempotencyError) as error:
            return ProviderResult(ProviderStatus.FAILED, message=stripe_words(error))
        except (stripe.AuthenticationError, stripe.PermissionError) as error:
            # Stripe's own message quotes part of the key, so it is not passed on.
            message = KEY_REFUSED.get(error.http_status or 0, KEY_REFUSED[401])
            return ProviderResult(ProviderStatus.FAILED, message=message)
        except stripe.StripeError as error:
            # 429, 5xx and network errors after retries: the refund may or may not exist.
            raise ProviderUnavailable(unavailable_message(error)) from error
        return result_of(refund)

    def _retrying_rate_limits(self, operation: Callable[[], stripe.Refund]) -> stripe.Refund:
        retries = 0
        while True:
            try:
                return operation()
            except stripe.RateLimitError as error:
                # With a `Stripe-Should-Retry` header the package already obeyed it.
                said_by_stripe = (error.headers or {}).get("stripe-should-retry")
                if retries >= self._max_network_retries or said_by_stripe is not None:
                    raise
                retries += 1
                time.sleep(backoff_seconds(retries))


def stripe_provider_from_settings(settings: Settings) -> StripeProvider | None:
    """The configured Stripe provider, or None when no Stripe key is set."""
    if settings.stripe_api_key is None or not settings.stripe_api_key.get_secret_value():
        return None
    return StripeProvider(
        settings.stripe_api_key.get_secret_value(), api_base=settings.stripe_api_base
    )


def result_of(refund: stripe.Refund) -> ProviderResult:
    """Stripe's refund object as a provider result."""
    status = REFUND_STATUSES.get(refund.status or "", ProviderStatus.PENDING)
    message = ""
    if status is ProviderStatus.FAILED:
        message = getattr(refund, "failure_reason", None) or f"Stripe refund {refund.status}"
    return ProviderResult(status, reference=refund.id, message=message)


def stripe_words(error: stripe.StripeError) -> str:
    """Stripe's message for a refusal, with its error code when it gave one."""
    message = error.user_message or "Stripe refused the refund."
    return f"{message} ({error.code})" if error.code else message


def backoff_seconds(retry: int) -> float:
    """The package's own schedule: 0.5 s doubling to 5 s, jittered, never under 0.5 s."""
    initial, ceiling = stripe.HTTPClient.INITIAL_DELAY, stripe.HTTPClient.MAX_DELAY
    delay = min(initial * 2 ** (retry - 1), ceiling) * random.uniform(0.5, 1.0)
    return float(max(initial, delay))


def unavailable_message(error: stripe.StripeError) -> str:
    """Why Stripe could not be used, for an outcome that is unknown."""
    words = " ".join((error.user_message or "no message").split())
    if isinstance(error, stripe.APIConnectionError):
        return f"Stripe could not be reached: {words}"
    return f"Stripe is unavailable (HTTP {error.http_status}): {words}"
