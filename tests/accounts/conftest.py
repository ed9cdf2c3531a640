"""A visitor's HTTP client for the server that sends real mail (`tests.mailing`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.mailing import MailingServer


@pytest.fixture
async def visitor(mailing: MailingServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=mailing.url, timeout=20) as http:
        yield http
