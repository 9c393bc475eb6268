"""Where messages go: an SMTP server, or `.eml` files under the data dir when none is set.

SMTP replies decide what happens next: 5xx is permanent (the delivery is dead, no retry can
fix it), 4xx and network failures are retried by the worker. Authentication failures are the
exception: the server answers 5xx, but the message is fine and the settings are not, so they
are retried (fix the password and the queue drains).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import threading
import time
from pathlib import Path
from typing import Literal, Protocol

from retour.notifications.message import Envelope
from retour.services.outbox.senders import SendResult


class Transport(Protocol):
    def deliver(self, envelope: Envelope) -> SendResult: ...


class SmtpTransport:
    """Sends over SMTP, keeping one connection per sending thread for a little while: a TLS
    handshake and login per message would cost more than the message. A connection idle for
    more than a moment is probed (RSET) first, and replaced if the server has closed it."""

    def __init__(
        self,
        host: str,
        port: int,
        security: Literal["none", "starttls", "tls"] = "starttls",
        username: str = "",
        password: str = "",
        timeout: float = 20.0,
        keep_seconds: float = 30.0,
        keep_messages: int = 100,
        probe_after_seconds: float = 2.0,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.keep_seconds = keep_seconds
        self.keep_messages = keep_messages
        self.probe_after_seconds = probe_after_seconds
        self._local = threading.local()
        self._open: set[_Connection] = set()
        self._lock = threading.Lock()

    def deliver(self, envelope: Envelope) -> SendResult:
        try:
            self._send(envelope)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            return _refused(code, reply)
        except smtplib.SMTPAuthenticationError as error:
            return SendResult(
                False,
                status_code=error.smtp_code,
                error=f"SMTP login refused ({error.smtp_code}): {_text(error.smtp_error)}; "
                "check RETOUR_SMTP_USERNAME and RETOUR_SMTP_PASSWORD",
            )
        except smtplib.SMTPResponseException as error:
            return _refused(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            return SendResult(
                False, error=f"SMTP {self.host}:{self.port}: {type(error).__name__}: {error}"
            )
        return SendResult(
            True,
            status_code=250,
            response_excerpt=f"accepted by {self.host}:{self.port}",
            message_id=envelope.message_id,
        )

    def close(self) -> None:
        """Close every kept connection (each thread's)."""
        with self._lock:
            connections, self._open = self._open, set()
        for connection in connections:
            connection.close()

    def _send(self, envelope: Envelope) -> None:
        connection = self._kept()
        if connection is None:
            connection = self._connect()
        elif self._idle(connection) > self.probe_after_seconds and not _still_open(connection):
            self._drop(connection)
            connection = self._connect()
        try:
            connection.smtp.send_message(
                envelope.message, from_addr=envelope.sender, to_addrs=[envelope.recipient]
            )
        except smtplib.SMTPRecipientsRefused:
            connection.sent += 1  # smtplib has reset the transaction; the connection is fine
            raise
        except BaseException:
            self._drop(connection)
            raise
        connection.sent += 1
        connection.last_used = time.monotonic()
        if connection.sent >= self.keep_messages:
            self._drop(connection)

    def _kept(self) -> _Connection | None:
        connection: _Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            return None
        if self._idle(connection) > self.keep_seconds:
            self._drop(connection)
            return None
        return connection

    @staticmethod
    def _idle(connection: _Connection) -> float:
        return time.monotonic() - connection.last_used

    def _connect(self) -> _Connection:
        smtp = self._open_smtp()
        try:
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        connection = _Connection(smtp)
        self._local.connection = connection
        with self._lock:
            self._open.add(connection)
        return connection

    def _drop(self, connection: _Connection) -> None:
        if getattr(self._local, "connection", None) is connection:
            self._local.connection = None
        with self._lock:
            self._open.discard(connection)
        connection.close()

    def _open_smtp(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            try:
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp


class _Connection:
    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp
        self.sent = 0
        self.last_used = time.monotonic()

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()


def _still_open(connection: _Connection) -> bool:
    """A kept connection the server closed (idle timeout) answers RSET with an error; RSET
    also clears anything a failed transaction left behind."""
    try:
        code, _ = connection.smtp.rset()
    except (smtplib.SMTPException, OSError):
        return False
    return code == 250


class EmlWriter:
    """Writes `{data_dir}/mail/{store}/{delivery}-{kind}.eml`: the demo's outbox."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / "mail"

    def path_for(self, envelope: Envelope) -> Path:
        return self.directory / envelope.store_slug / f"{envelope.delivery_id}-{envelope.kind}.eml"

    def deliver(self, envelope: Envelope) -> SendResult:
        path = self.path_for(envelope)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
            partial.write_bytes(envelope.message.as_bytes())
            os.replace(partial, path)  # readers never see half a file
        except OSError as error:
            return SendResult(False, error=f"cannot write {path}: {error}")
        return SendResult(
            True,
            response_excerpt=f"written to {path}",
            message_id=envelope.message_id,
            artifact=str(path.resolve()),
        )


def _refused(code: int, reply: bytes | str) -> SendResult:
    return SendResult(
        False,
        status_code=code,
        error=f"SMTP {code}: {_text(reply)}",
        response_excerpt=f"{code} {_text(reply)}",
        is_permanent=500 <= code < 600,
    )


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
