"""Fixtures the e-mail tests share: a local SMTP server that records what it receives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.smtp_server import SmtpServer, running_smtp_server


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """The module's server, emptied of what earlier tests sent."""
    smtp_server.reset()
    return smtp_server
