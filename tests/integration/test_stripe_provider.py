"""The Stripe provider against a Stripe API on loopback (tests/support/fake_stripe.py)."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable, Iterator

import pytest
import stripe
from pydantic import SecretStr

from retour.payments.base import (
    PaymentProvider,
    ProviderRefundRequest,
    ProviderResult,
    ProviderStatus,
    ProviderUnavailable,
)
from retour.payments.stripe import KEY_REFUSED, StripeProvider, stripe_provider_from_settings
from retour.settings import Settings
from tests.support.fake_stripe import FakeStripe

SECRET_KEY = "sk_test_51RetourSuiteOnlySecretKey7Hq2Zx9Lm4Np8Vb3"
KEY = "return-1001-refund-1"


def refund_request(
    reference: str = "pi_3RetourA",
    amount: int = 1999,
    currency: str = "EUR",
    idempotency_key: str = KEY,
    description: str = "Return R-1001",
) -> ProviderRefundRequest:
    return ProviderRefundRequest(reference, amount, currency, idempotency_key, description)


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    with FakeStripe(api_key=SECRET_KEY) as fake:
        yield fake


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stripe's backoff scaled down; the provider's own 429 backoff reads the same constants."""
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.04)


@pytest.fixture
def provider(stripe_api: FakeStripe, quick_retries: None) -> StripeProvider:
    return StripeProvider(SECRET_KEY, api_base=stripe_api.url, timeout_seconds=2.0)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# Refunds Stripe makes.


def test_refund_of_a_payment_intent_sends_amount_currency_and_idempotency_key(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000, currency="eur")

    result = provider.refund(refund_request())

    assert result == ProviderResult(ProviderStatus.SUCCEEDED, reference="re_fake0001")
    [sent] = stripe_api.requests
    assert (sent.method, sent.path) == ("POST", "/v1/refunds")
    assert sent.form == {
        "amount": "1999",
        "currency": "eur",
        "payment_intent": "pi_3RetourA",
        "metadata[description]": "Return R-1001",
    }
    assert sent.headers["idempotency-key"] == KEY
    assert sent.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert stripe_api.refunds == {
        "re_fake0001": {
            "id": "re_fake0001",
            "object": "refund",
            "amount": 1999,
            "balance_transaction": None,
            "charge": "ch_3RetourA",
            "created": 1772443800,
            "currency": "eur",
            "failure_reason": None,
            "metadata": {"description": "Return R-1001"},
            "payment_intent": "pi_3RetourA",
            "reason": None,
            "receipt_number": None,
            "status": "succeeded",
        }
    }


def test_refund_of_a_charge_sends_the_charge_and_no_metadata_without_description(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("ch_3RetourB", amount=3000, currency="usd")

    result = provider.refund(refund_request("ch_3RetourB", 3000, "USD", description=""))

    assert result == ProviderResult(ProviderStatus.SUCCEEDED, reference="re_fake0001")
    [sent] = stripe_api.requests
    assert sent.form == {"amount": "3000", "currency": "usd", "charge": "ch_3RetourB"}
    assert stripe_api.refunds["re_fake0001"]["payment_intent"] is None


def test_a_reference_that_is_neither_payment_intent_nor_charge_fails_without_a_call(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    result = provider.refund(refund_request("order-1001"))

    assert result == ProviderResult(
        ProviderStatus.FAILED,
        message="Stripe refunds a PaymentIntent (pi_…) or a Charge (ch_…), "
        "not the payment 'order-1001'.",
    )
    assert stripe_api.requests == []


def test_the_same_request_again_is_replayed_by_stripe_not_refunded_twice(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    payment = stripe_api.add_payment("pi_3RetourA", amount=5000)

    first = provider.refund(refund_request())
    second = provider.refund(refund_request())

    assert first == second == ProviderResult(ProviderStatus.SUCCEEDED, reference="re_fake0001")
    assert list(stripe_api.refunds) == ["re_fake0001"]
    assert payment.amount_refunded == 1999
    assert [sent.idempotency_key for sent in stripe_api.requests] == [KEY, KEY]


def test_provider_satisfies_the_payment_provider_protocol(provider: StripeProvider) -> None:
    as_protocol: PaymentProvider = provider

    assert as_protocol.name == "stripe"


# Refusals: a FAILED result in Stripe's words, never retried.


def test_over_refund_fails_with_stripes_amount_too_large_message(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)

    result = provider.refund(refund_request(amount=6000))

    assert result == ProviderResult(
        ProviderStatus.FAILED,
        message="Refund amount (€60.00) is greater than unrefunded amount on charge (€50.00) "
        "(amount_too_large)",
    )
    assert stripe_api.refunds == {}
    assert len(stripe_api.requests) == 1


def test_refund_of_an_already_refunded_charge_fails_with_charge_already_refunded(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("ch_3RetourB", amount=3000)
    provider.refund(refund_request("ch_3RetourB", amount=3000, idempotency_key="attempt-1"))

    result = provider.refund(refund_request("ch_3RetourB", amount=100, idempotency_key="attempt-2"))

    assert result == ProviderResult(
        ProviderStatus.FAILED,
        message="Charge ch_3RetourB has already been refunded. (charge_already_refunded)",
    )
    assert list(stripe_api.refunds) == ["re_fake0001"]


def test_a_card_error_fails_with_stripes_message_and_code(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    stripe_api.fail_next(402, code="expired_card", message="Your card has expired.")

    result = provider.refund(refund_request())

    assert result == ProviderResult(
        ProviderStatus.FAILED, message="Your card has expired. (expired_card)"
    )
    assert len(stripe_api.requests) == 1
    assert stripe_api.refunds == {}


def test_an_unknown_payment_fails_with_stripes_resource_missing(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    result = provider.refund(refund_request("pi_3Unknown"))

    assert result == ProviderResult(
        ProviderStatus.FAILED, message="No such payment_intent: 'pi_3Unknown' (resource_missing)"
    )


def test_the_same_key_with_other_parameters_fails_with_stripes_idempotency_error(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    provider.refund(refund_request(amount=1000))

    result = provider.refund(refund_request(amount=2000))

    assert result == ProviderResult(
        ProviderStatus.FAILED,
        message="Keys for idempotent requests can only be used with the same parameters they "
        f"were first used with. Try using a key other than '{KEY}' if you meant to execute a "
        "different request.",
    )
    assert [refund["amount"] for refund in stripe_api.refunds.values()] == [1000]


def test_a_refused_api_key_fails_without_the_key_in_the_message(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    stripe_api.api_key = "sk_test_51RotatedKeyTheProviderDoesNotHave0000"

    result = provider.refund(refund_request())

    assert result == ProviderResult(
        ProviderStatus.FAILED,
        message="Stripe refused the API key (HTTP 401: not a valid key); "
        "check RETOUR_STRIPE_API_KEY.",
    )
    assert SECRET_KEY[-4:] not in result.message
    assert len(stripe_api.requests) == 1
    assert stripe_api.refunds == {}


def test_a_key_without_refund_permission_fails_as_refused(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.fail_next(403)

    result = provider.refund(refund_request())

    assert result == ProviderResult(ProviderStatus.FAILED, message=KEY_REFUSED[403])


# Retries: the same idempotency key every time; ProviderUnavailable once they run out.


def test_two_503s_then_success_is_retried_with_the_same_key(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    stripe_api.fail_next(503, times=2)

    result = provider.refund(refund_request())

    assert result == ProviderResult(ProviderStatus.SUCCEEDED, reference="re_fake0001")
    assert [sent.idempotency_key for sent in stripe_api.requests] == [KEY, KEY, KEY]
    assert list(stripe_api.refunds) == ["re_fake0001"]


def test_persistent_5xx_raises_provider_unavailable_after_two_retries(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    stripe_api.fail_next(503, times=10)

    with pytest.raises(ProviderUnavailable) as raised:
        provider.refund(refund_request())

    assert (
        str(raised.value) == "Stripe is unavailable (HTTP 503): Stripe is temporarily unavailable."
    )
    assert [sent.idempotency_key for sent in stripe_api.requests] == [KEY, KEY, KEY]
    assert stripe_api.refunds == {}


def test_a_500_stripe_says_not_to_retry_is_not_retried(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.fail_next(500, times=10, should_retry=False)

    with pytest.raises(ProviderUnavailable) as raised:
        provider.refund(refund_request())

    assert (
        str(raised.value)
        == "Stripe is unavailable (HTTP 500): Something went wrong on Stripe's end."
    )
    assert len(stripe_api.requests) == 1


def test_429_then_success_is_retried_with_the_same_key(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    stripe_api.fail_next(429)

    result = provider.refund(refund_request())

    assert result == ProviderResult(ProviderStatus.SUCCEEDED, reference="re_fake0001")
    assert [sent.idempotency_key for sent in stripe_api.requests] == [KEY, KEY]


def test_persistent_429_raises_provider_unavailable_after_two_retries(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.fail_next(429, times=10)

    with pytest.raises(ProviderUnavailable) as raised:
        provider.refund(refund_request())

    assert str(raised.value) == (
        "Stripe is unavailable (HTTP 429): Request rate limit exceeded. Learn more about rate "
        "limits here https://stripe.com/docs/rate-limits."
    )
    assert len(stripe_api.requests) == 3


def test_a_429_stripe_asks_to_retry_is_retried_by_the_package_alone(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    # A lock timeout: Stripe sends `Stripe-Should-Retry: true` and the package retries it, so
    # the provider must not retry the package's retries again (9 requests).
    stripe_api.fail_next(429, times=10, code="lock_timeout", should_retry=True)

    with pytest.raises(ProviderUnavailable):
        provider.refund(refund_request())

    assert len(stripe_api.requests) == 3


def test_a_lost_response_is_retried_and_stripe_replays_the_refund_it_made(
    stripe_api: FakeStripe, quick_retries: None
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    stripe_api.delay_next_answer(1.0)
    provider = StripeProvider(SECRET_KEY, api_base=stripe_api.url, timeout_seconds=0.3)

    result = provider.refund(refund_request())

    assert result == ProviderResult(ProviderStatus.SUCCEEDED, reference="re_fake0001")
    assert [sent.idempotency_key for sent in stripe_api.requests] == [KEY, KEY]
    assert list(stripe_api.refunds) == ["re_fake0001"]


def test_an_unreachable_stripe_raises_provider_unavailable(quick_retries: None) -> None:
    provider = StripeProvider(SECRET_KEY, api_base=closed_port_url())

    with pytest.raises(ProviderUnavailable) as raised:
        provider.refund(refund_request())

    assert str(raised.value).startswith(
        "Stripe could not be reached: Unexpected error communicating with Stripe."
    )


@pytest.mark.parametrize("status", [503, 429])
def test_retries_wait_stripes_backoff(stripe_api: FakeStripe, status: int) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    stripe_api.fail_next(status)
    provider = StripeProvider(SECRET_KEY, api_base=stripe_api.url, max_network_retries=1)

    provider.refund(refund_request())

    first, second = stripe_api.requests
    # The first retry waits exactly the initial delay (jitter is bounded below by it).
    assert 0.5 <= second.received_at - first.received_at < 1.0


# Refund statuses.


@pytest.mark.parametrize(
    ("refund_status", "expected"),
    [("pending", ProviderStatus.PENDING), ("requires_action", ProviderStatus.PENDING)],
)
def test_a_refund_stripe_has_not_finished_is_pending(
    stripe_api: FakeStripe,
    provider: StripeProvider,
    refund_status: str,
    expected: ProviderStatus,
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000, refund_status=refund_status)

    result = provider.refund(refund_request())

    assert result == ProviderResult(expected, reference="re_fake0001")


def test_a_pending_refund_fetched_after_stripe_settles_it_has_succeeded(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000, refund_status="pending")
    pending = provider.refund(refund_request())
    stripe_api.settle_refund(pending.reference, "succeeded")

    result = provider.fetch_refund(pending.reference)

    assert result == ProviderResult(ProviderStatus.SUCCEEDED, reference="re_fake0001")
    assert [(sent.method, sent.path) for sent in stripe_api.requests] == [
        ("POST", "/v1/refunds"),
        ("GET", "/v1/refunds/re_fake0001"),
    ]


@pytest.mark.parametrize(
    ("settled_as", "failure_reason", "message"),
    [
        ("failed", "expired_or_canceled_card", "expired_or_canceled_card"),
        ("canceled", None, "Stripe refund canceled"),
    ],
)
def test_a_refund_that_failed_later_is_failed_with_stripes_reason(
    stripe_api: FakeStripe,
    provider: StripeProvider,
    settled_as: str,
    failure_reason: str | None,
    message: str,
) -> None:
    payment = stripe_api.add_payment("pi_3RetourA", amount=5000, refund_status="pending")
    pending = provider.refund(refund_request())
    stripe_api.settle_refund(pending.reference, settled_as, failure_reason)

    result = provider.fetch_refund(pending.reference)

    assert result == ProviderResult(ProviderStatus.FAILED, reference="re_fake0001", message=message)
    assert payment.amount_refunded == 0


def test_fetching_an_unknown_refund_fails_with_stripes_message(
    provider: StripeProvider,
) -> None:
    result = provider.fetch_refund("re_missing")

    assert result == ProviderResult(
        ProviderStatus.FAILED, message="No such refund: 're_missing' (resource_missing)"
    )


def test_fetching_without_a_reference_fails_without_a_call(
    stripe_api: FakeStripe, provider: StripeProvider
) -> None:
    result = provider.fetch_refund("")

    assert result == ProviderResult(
        ProviderStatus.FAILED, message="No Stripe refund id to look up."
    )
    assert stripe_api.requests == []


# The secret key stays secret on every error path.


def refused_key(fake: FakeStripe) -> str:
    fake.api_key = "sk_test_51RotatedKeyTheProviderDoesNotHave0000"
    return fake.url


def scripted(status: int) -> Callable[[FakeStripe], str]:
    def arrange(fake: FakeStripe) -> str:
        fake.fail_next(status, times=10)
        return fake.url

    return arrange


def over_refund(fake: FakeStripe) -> str:
    fake.add_payment("pi_3RetourA", amount=100)
    return fake.url


def timed_out(fake: FakeStripe) -> str:
    for _ in range(3):
        fake.delay_next_answer(0.5)
    return fake.url


@pytest.mark.parametrize(
    "arrange",
    [
        refused_key,
        scripted(403),
        scripted(402),
        over_refund,
        scripted(429),
        scripted(503),
        timed_out,
        lambda fake: closed_port_url(),
    ],
    ids=["401", "403", "card", "invalid", "429", "503", "timeout", "unreachable"],
)
def test_no_error_text_or_log_line_contains_the_secret_key(
    stripe_api: FakeStripe,
    quick_retries: None,
    caplog: pytest.LogCaptureFixture,
    arrange: Callable[[FakeStripe], str],
) -> None:
    provider = StripeProvider(SECRET_KEY, api_base=arrange(stripe_api), timeout_seconds=0.2)
    texts: list[str] = []

    with caplog.at_level(logging.DEBUG):
        try:
            result = provider.refund(refund_request())
            texts += [result.message, repr(result)]
        except ProviderUnavailable as unavailable:
            texts += traceback.format_exception(unavailable)

    assert texts[0]
    assert caplog.text
    assert [text for text in [*texts, caplog.text, repr(provider)] if SECRET_KEY in text] == []


# Settings.


def test_no_provider_without_a_stripe_key() -> None:
    assert stripe_provider_from_settings(Settings(env="test", stripe_api_key=None)) is None
    assert stripe_provider_from_settings(Settings(env="test", stripe_api_key=SecretStr(""))) is None


def test_provider_from_settings_uses_the_key_and_api_base(
    stripe_api: FakeStripe,
) -> None:
    stripe_api.add_payment("pi_3RetourA", amount=5000)
    settings = Settings(
        env="test", stripe_api_key=SecretStr(SECRET_KEY), stripe_api_base=stripe_api.url
    )

    provider = stripe_provider_from_settings(settings)

    assert provider is not None
    assert provider.refund(refund_request()) == ProviderResult(
        ProviderStatus.SUCCEEDED, reference="re_fake0001"
    )
