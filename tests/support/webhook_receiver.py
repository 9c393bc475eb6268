"""A webhook receiver on loopback: records every request and answers as it is told.

    with WebhookReceiver() as receiver:
        receiver.answer("/hook", 500, 500)   # the next two requests to /hook get 500
        receiver.delay("/slow", 3.0)         # requests to /slow wait 3 s before answering
        ... deliver to receiver.url("/hook") ...
        receiver.wait_for(lambda got: len(got) >= 3)

Threaded (one thread per connection, HTTP/1.1 keep-alive), so slow answers hold up nothing
else. Usable from other processes' workers too (the crash test, the benchmark).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    #: Header names in lower case.
    headers: dict[str, str]
    body: bytes
    status: int
    #: Wall-clock seconds (time.time()) when the request arrived and when its answer was ready.
    started_at: float
    finished_at: float

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


class WebhookReceiver:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._scripts: dict[str, deque[int]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._bodies: dict[str, bytes] = {}
        self._server = _QuietServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> WebhookReceiver:
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
        self._thread.join(timeout=10)

    def url(self, path: str = "/hook") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    # -- what to answer ---------------------------------------------------------------------

    def answer(self, path: str, *statuses: int) -> None:
        """The next requests to `path` get these statuses, in order; then 200 again."""
        with self._lock:
            self._scripts[path].extend(statuses)

    def delay(self, path: str, seconds: float) -> None:
        """Requests to `path` wait this long before they are answered."""
        with self._lock:
            self._delays[path] = seconds

    def respond_with(self, path: str, body: bytes) -> None:
        with self._lock:
            self._bodies[path] = body

    # -- what arrived -----------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def wait_for(
        self,
        condition: Callable[[list[Received]], bool],
        timeout: float = 10.0,
        interval: float = 0.01,
    ) -> list[Received]:
        """Wait until `condition(received)` holds; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.received
            if condition(got):
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s with {len(got)} requests")
            time.sleep(interval)

    def wait_for_count(self, count: int, timeout: float = 10.0) -> None:
        """Wait until `count` requests in all have arrived (cheap: no copy of the records)."""
        deadline = time.monotonic() + timeout
        while self.count() < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s with {self.count()} requests")
            time.sleep(0.02)

    # -- used by the handler ----------------------------------------------------------------

    def _plan(self, path: str) -> tuple[int, float, bytes]:
        with self._lock:
            script = self._scripts.get(path)
            status = script.popleft() if script else 200
            return status, self._delays.get(path, 0.0), self._bodies.get(path, b"ok")

    def _record(self, received: Received) -> None:
        with self._lock:
            self._received.append(received)


class _QuietServer(ThreadingHTTPServer):
    # Many senders connect at once when workers start; the default backlog of 5 drops some.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that went away (killed, timed out) is expected here; anything else is not."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle's algorithm the body would
        # wait for the sender's delayed ACK (40 ms) on every keep-alive request.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            started = time.time()
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            if len(body) < length:  # the sender went away mid-request (killed): not received
                self.close_connection = True
                return
            status, delay, answer = receiver._plan(self.path)
            if delay:
                time.sleep(delay)
            # Recorded before the answer goes out: a sender that has its answer may look at
            # `received` at once, and must find its request there.
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver._record(Received(self.path, headers, body, status, started, time.time()))
            try:
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                self.wfile.flush()
            except OSError:
                pass  # the sender gave up waiting (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def verified(received: Received, secret: str) -> dict[str, Any]:
    """The request's JSON body once the official `standardwebhooks` package has checked its
    signature and timestamp (it raises WebhookVerificationError otherwise)."""
    from standardwebhooks.webhooks import Webhook

    document: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return document
