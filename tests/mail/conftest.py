"""Mail tests get their own database and a real SMTP server.

Their own database: the live server of the other tests shares `db` and runs its own mail worker,
which would send (to its log) the mail these tests queue before the worker under test sees it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.servers import create_postgres_database, drop_postgres_database, free_port, sqlite_url
from toolbox.db import Database
from toolbox.schema import upgrade


@pytest.fixture(scope="session")
async def mail_db(backend: str) -> AsyncIterator[Database]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="toolbox-mail-test-") as directory:
            url = sqlite_url(directory)
            await asyncio.to_thread(upgrade, url)
            database = Database(url)
            yield database
            await database.dispose()
        return
    admin_url = os.environ["TOOLBOX_TEST_POSTGRES_URL"]
    url, name = await create_postgres_database(admin_url)
    try:
        await asyncio.to_thread(upgrade, url)
        database = Database(url)
        yield database
        await database.dispose()
    finally:
        await drop_postgres_database(admin_url, name)


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a free port; with `credentials`, it refuses mail from whoever did not AUTH."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.credentials = credentials
        auth: dict[str, Any] = {}
        if credentials is not None:
            auth = {
                "auth_required": True,
                "auth_require_tls": False,  # a test on the loopback; real servers use TLS
                "authenticator": self._authenticate,
            }
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **auth)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.credentials is not None
        login, password = self.credentials
        given = (auth_data.login.decode(), auth_data.password.decode())
        # handled=False: aiosmtpd itself answers 535 to wrong credentials.
        return AuthResult(success=given == (login, password), handled=False)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        if getattr(self, "running", False):
            self.controller.stop()
            self.running = False


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
