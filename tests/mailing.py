"""Tests that read the mail a person gets (accounts, and their browser test): a server of their
own, sending through a real SMTP server (aiosmtpd). The fixtures are offered by tests/conftest.py.

Their own database: the shared live server runs a mail worker too, which would send (to its
log) the mail these tests wait for."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest

from tests.mail.conftest import SmtpServer
from tests.servers import LiveServer, migrated_database, wait_until
from toolbox.db import Database


@dataclass
class MailingServer:
    db: Database
    server: LiveServer
    smtp: SmtpServer

    @property
    def url(self) -> str:
        return self.server.url

    async def mail_to(self, address: str, *, count: int = 1) -> EmailMessage:
        """The `count`th mail to `address`, once it has arrived (the last one)."""

        async def arrived() -> bool:
            return len(self.mails_to(address)) >= count

        await wait_until(arrived, within=10)
        return self.mails_to(address)[count - 1]

    def mails_to(self, address: str) -> list[EmailMessage]:
        return [
            message
            for message, recipients in zip(
                self.smtp.inbox.messages, self.smtp.inbox.recipients, strict=True
            )
            if address in recipients
        ]


def link_in(message: EmailMessage, base_url: str) -> str:
    """The first link to the app in a mail's text, as a path."""
    body = message.get_content()
    found = re.search(re.escape(base_url) + r"(/\S+)", body)
    assert found, body
    return found.group(1)


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def mailing(backend: str, smtp_server: SmtpServer) -> AsyncIterator[MailingServer]:
    with tempfile.TemporaryDirectory(prefix="toolbox-accounts-") as directory:
        async with migrated_database(
            backend, directory, os.environ.get("TOOLBOX_TEST_POSTGRES_URL", "")
        ) as url:
            server = LiveServer(url, env={"TOOLBOX_SMTP_URL": smtp_server.url})
            server.start()
            database = Database(url)
            try:
                yield MailingServer(database, server, smtp_server)
            finally:
                await database.dispose()
                server.stop()
