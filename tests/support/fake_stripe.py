"""Stripe's refunds API on loopback, answering as Stripe's API reference documents.

Only what Retour calls is served: `POST /v1/refunds` and `GET /v1/refunds/{id}`, with Bearer
authentication and `Idempotency-Key` semantics. Failures scripted with `fail_next` happen in
front of the idempotency layer, like Stripe's rate limiter and load balancers, so a retry is
answered afresh; what the refund endpoint itself answered (a refund, an over-refund error) is
saved and replayed to any retry with the same key.

    with FakeStripe(api_key="sk_test_…") as stripe_api:
        stripe_api.add_payment("pi_1", amount=5000, currency="eur")
        stripe_api.fail_next(503, times=2)
        ...  # point the client at stripe_api.url
        stripe_api.requests  # everything received, in order
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

#: 2026-03-02 09:30 UTC, the suite's clock.
CREATED = 1772443800
SCRIPTED_ERRORS = {
    400: ("invalid_request_error", None, "Invalid request."),
    402: ("card_error", "card_declined", "Your card was declined."),
    403: (
        "invalid_request_error",
        None,
        "The provided key does not have the required permissions for this endpoint.",
    ),
    429: (
        "invalid_request_error",
        "rate_limit",
        "Request rate limit exceeded. Learn more about rate limits here "
        "https://stripe.com/docs/rate-limits.",
    ),
    500: ("api_error", None, "Something went wrong on Stripe's end."),
    503: ("api_error", None, "Stripe is temporarily unavailable."),
}
CURRENCY_SIGNS = {"eur": "€", "usd": "$", "gbp": "£"}
CREATE_PARAMS = {"amount", "currency", "charge", "payment_intent", "reason"}


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    #: Header names in lower case.
    headers: dict[str, str]
    #: The form body of a POST (the query of a GET), keys as sent: `metadata[description]`.
    form: dict[str, str]
    #: `time.monotonic()` at arrival, to measure the wait between retries.
    received_at: float

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass
class Payment:
    """A captured PaymentIntent with its charge, or a charge made without one."""

    charge: str
    payment_intent: str | None
    amount: int
    currency: str
    #: What a new refund of this payment starts as (`pending` for e.g. some bank methods).
    refund_status: str
    amount_refunded: int = 0


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SavedResult:
    path: str
    form: dict[str, str]
    answer: Answer


class Refused(Exception):
    """Stripe answers with this error instead."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.body)
        self.answer = answer


def error_answer(
    status: int,
    error_type: str,
    message: str,
    code: str | None = None,
    param: str | None = None,
) -> Answer:
    error: dict[str, Any] = {"type": error_type, "message": message}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        error["param"] = param
    return Answer(status, {"error": error})


def refused(
    status: int, message: str, code: str | None = None, param: str | None = None
) -> Refused:
    """Stripe's `invalid_request_error`, the type of nearly every refusal."""
    return Refused(error_answer(status, "invalid_request_error", message, code, param))


def money(amount: int, currency: str) -> str:
    sign = CURRENCY_SIGNS.get(currency)
    units = f"{amount / 100:.2f}"
    return f"{sign}{units}" if sign else f"{units} {currency.upper()}"


class FakeStripe:
    """A Stripe account with payments declared by the test, served on 127.0.0.1."""

    def __init__(self, api_key: str = "sk_test_fake") -> None:
        self.api_key = api_key
        self._lock = threading.Lock()
        self._received: list[ReceivedRequest] = []
        self._payments: dict[str, Payment] = {}
        self._refunds: dict[str, dict[str, Any]] = {}
        self._saved: dict[str, SavedResult] = {}
        self._failures: deque[Answer] = deque()
        self._answer_delays: deque[float] = deque()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        # A short poll so that stopping the server takes milliseconds, not half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeStripe:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # Scripting, from tests.

    def add_payment(
        self,
        reference: str,
        amount: int,
        currency: str = "eur",
        refund_status: str = "succeeded",
    ) -> Payment:
        """Declare a captured payment: a PaymentIntent `pi_…` (with a charge) or a Charge `ch_…`."""
        if reference.startswith("pi_"):
            payment = Payment(f"ch_{reference[3:]}", reference, amount, currency, refund_status)
        else:
            payment = Payment(reference, None, amount, currency, refund_status)
        with self._lock:
            self._payments[payment.charge] = payment
            if payment.payment_intent:
                self._payments[payment.payment_intent] = payment
        return payment

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        error_type: str | None = None,
        code: str | None = None,
        message: str | None = None,
        should_retry: bool | None = None,
    ) -> None:
        """Answer the next `times` requests with this error, before they reach an endpoint."""
        default_type, default_code, default_message = SCRIPTED_ERRORS.get(
            status, ("api_error", None, "An error occurred.")
        )
        answer = error_answer(
            status, error_type or default_type, message or default_message, code or default_code
        )
        if should_retry is not None:
            answer = replace(answer, headers={"Stripe-Should-Retry": str(should_retry).lower()})
        with self._lock:
            self._failures.extend([answer] * times)

    def delay_next_answer(self, seconds: float) -> None:
        """Do the next request's work, then wait this long before answering (a lost response)."""
        with self._lock:
            self._answer_delays.append(seconds)

    def settle_refund(self, refund_id: str, status: str, failure_reason: str | None = None) -> None:
        """Move a refund on, as Stripe does later for pending ones; a failed one frees the money."""
        with self._lock:
            refund = self._refunds[refund_id]
            refund["status"] = status
            if status in ("failed", "canceled"):
                refund["failure_reason"] = failure_reason
                self._payments[refund["charge"]].amount_refunded -= refund["amount"]

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._received)

    @property
    def refunds(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {refund_id: dict(refund) for refund_id, refund in self._refunds.items()}

    # Serving, from the server's threads.

    def answer(
        self, method: str, path: str, headers: dict[str, str], form: dict[str, str]
    ) -> tuple[Answer, float]:
        """Stripe's answer to one request, and how long to wait before sending it."""
        with self._lock:
            self._received.append(ReceivedRequest(method, path, headers, form, time.monotonic()))
            request_id = f"req_fake{len(self._received):04d}"
            try:
                answer = self._route(method, path, headers, form)
            except Refused as refusal:
                answer = refusal.answer
            delay = self._answer_delays.popleft() if self._answer_delays else 0.0
        return replace(answer, headers={"Request-Id": request_id, **answer.headers}), delay

    def _route(
        self, method: str, path: str, headers: dict[str, str], form: dict[str, str]
    ) -> Answer:
        self._authenticate(headers.get("authorization", ""))
        if self._failures:
            return self._failures.popleft()
        if method == "POST" and path == "/v1/refunds":
            return self._idempotent(headers.get("idempotency-key"), path, form)
        if method == "GET" and path.startswith("/v1/refunds/"):
            return self._retrieve_refund(path.removeprefix("/v1/refunds/"))
        raise refused(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/.",
        )

    def _authenticate(self, authorization: str) -> None:
        scheme, _, key = authorization.partition(" ")
        if scheme != "Bearer" or not key:
            raise refused(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        if key != self.api_key:
            # As Stripe does: the refused key, masked but for its mode prefix and last four.
            masked = f"{key[:8]}{'*' * max(len(key) - 12, 0)}{key[-4:]}"
            raise refused(401, f"Invalid API Key provided: {masked}")

    def _idempotent(self, key: str | None, path: str, form: dict[str, str]) -> Answer:
        if key is None:
            return self._create_refund_answer(form)
        saved = self._saved.get(key)
        if saved is not None:
            if (saved.path, saved.form) != (path, form):
                raise Refused(
                    error_answer(
                        400,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                    )
                )
            return replace(
                saved.answer, headers={"Idempotency-Key": key, "Idempotent-Replayed": "true"}
            )
        answer = self._create_refund_answer(form)
        self._saved[key] = SavedResult(path, form, answer)
        return replace(answer, headers={"Idempotency-Key": key})

    def _create_refund_answer(self, form: dict[str, str]) -> Answer:
        """The refund endpoint's answer, to be saved for the key.

        Parameters that fail validation raise instead: Stripe saves no result for those.
        """
        payment, amount = self._checked_create_params(form)
        try:
            return Answer(200, self._create_refund(payment, amount, form))
        except Refused as refusal:
            return refusal.answer

    def _checked_create_params(self, form: dict[str, str]) -> tuple[Payment, int | None]:
        for name in form:
            if name not in CREATE_PARAMS and not name.startswith("metadata["):
                raise refused(400, f"Received unknown parameter: {name}", "parameter_unknown", name)
        amount = form.get("amount")
        if amount is not None and not (amount.isdigit() and int(amount) > 0):
            raise refused(400, "Invalid positive integer", "parameter_invalid_integer", "amount")
        param = "payment_intent" if "payment_intent" in form else "charge"
        reference = form.get(param)
        if reference is None:
            raise refused(
                400,
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                "parameter_missing",
            )
        payment = self._payments.get(reference)
        if payment is None:
            raise refused(400, f"No such {param}: '{reference}'", "resource_missing", param)
        return payment, None if amount is None else int(amount)

    def _create_refund(
        self, payment: Payment, amount: int | None, form: dict[str, str]
    ) -> dict[str, Any]:
        unrefunded = payment.amount - payment.amount_refunded
        if unrefunded == 0:
            raise refused(
                400,
                f"Charge {payment.charge} has already been refunded.",
                "charge_already_refunded",
            )
        amount = unrefunded if amount is None else amount
        if amount > unrefunded:
            raise refused(
                400,
                f"Refund amount ({money(amount, payment.currency)}) is greater than "
                f"unrefunded amount on charge ({money(unrefunded, payment.currency)})",
                "amount_too_large",
                "amount",
            )
        payment.amount_refunded += amount
        refund_id = f"re_fake{len(self._refunds) + 1:04d}"
        self._refunds[refund_id] = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": payment.charge,
            "created": CREATED,
            "currency": payment.currency,
            "failure_reason": None,
            "metadata": {
                name[len("metadata[") : -1]: value
                for name, value in form.items()
                if name.startswith("metadata[")
            },
            "payment_intent": payment.payment_intent,
            "reason": form.get("reason"),
            "receipt_number": None,
            "status": payment.refund_status,
        }
        return dict(self._refunds[refund_id])

    def _retrieve_refund(self, refund_id: str) -> Answer:
        refund = self._refunds.get(refund_id)
        if refund is None:
            raise refused(404, f"No such refund: '{refund_id}'", "resource_missing", "id")
        return Answer(200, dict(refund))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeStripe


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            encoded = self.rfile.read(length).decode()
        else:
            encoded = url.query
        form = dict(parse_qsl(encoded, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer, delay = self.server.fake.answer(self.command, url.path, headers, form)
        time.sleep(delay)
        payload = json.dumps(answer.body).encode()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped waiting (its timeout); the work is done all the same

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read `FakeStripe.requests` instead
