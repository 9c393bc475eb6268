"""A real SMTP server (aiosmtpd) on loopback that keeps every message it accepts.

    with running_smtp_server() as smtp:
        ...  # point RETOUR_SMTP_HOST/PORT at smtp.host/smtp.port, security "none"
        smtp.refuse("bad@example.com", "550 5.1.1 No such user")
        smtp.wait_for(3)

It runs in a thread of the test process; `bench/emails.py` runs the same server in a process
of its own (`python -m tests.support.smtp_server PORT`) so that it takes no CPU from the sender.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return cast(EmailMessage, message_from_bytes(self.data, policy=policy.default))

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        """The decoded `text/plain` or `text/html` body."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_subtype() == subtype, subtype
        return str(cast(EmailMessage, body).get_content())

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")


@dataclass
class RecordingHandler:
    """aiosmtpd handler: accepts everything except the recipients told to refuse."""

    messages: list[ReceivedMail] = field(default_factory=list)
    #: Recipient address → the SMTP reply that refuses it (e.g. `550 5.1.1 No such user`).
    refusals: dict[str, str] = field(default_factory=dict)
    count_only: bool = False
    received: int = 0
    #: SMTP sessions opened (each says EHLO once).
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.sessions += 1
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        refusal = self.refusals.get(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received += 1
            if not self.count_only:
                mail = ReceivedMail(
                    envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)
                )
                self.messages.append(mail)
        return "250 2.0.0 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.messages)

    def to(self, address: str) -> list[ReceivedMail]:
        return [mail for mail in self.messages if address in mail.rcpt_tos]

    def refuse(self, address: str, reply: str) -> None:
        self.handler.refusals[address] = reply

    def reset(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
            self.handler.received = 0
            self.handler.sessions = 0
        self.handler.refusals.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        while self.handler.received < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.handler.received} of {count} messages arrived")
            time.sleep(0.01)
        return self.messages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def password_checker(login: str, password: str) -> Any:
    """An aiosmtpd authenticator that accepts one login and password (AUTH PLAIN or LOGIN)."""

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            login.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)

    return authenticate


@contextmanager
def running_smtp_server(
    port: int | None = None, count_only: bool = False, authenticator: Any = None
) -> Iterator[SmtpServer]:
    handler = RecordingHandler(count_only=count_only)
    options: dict[str, Any] = {}
    if authenticator is not None:  # loopback only: AUTH without TLS is fine here
        options = {"authenticator": authenticator, "auth_require_tls": False}
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()


if __name__ == "__main__":  # a server in a process of its own, counting messages (bench)
    with running_smtp_server(int(sys.argv[1]), count_only=True) as server:
        print(f"listening on {server.host}:{server.port}", flush=True)
        try:
            while True:
                line = sys.stdin.readline()
                if not line:
                    break
                print(server.handler.received, flush=True)
        except KeyboardInterrupt:
            pass
