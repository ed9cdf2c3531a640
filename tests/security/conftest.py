"""The fixtures of tests/security: one world per backend (tests/security/world.py), shared by
every test of this folder, and the browser fixtures of tests/e2e for the tests that load pages in
Chromium."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import browser, demo_server
from tests.security.world import World, build_world
from toolbox.db import Database

__all__ = ["browser", "demo_server", "world"]


@pytest.fixture(scope="session")
async def world(db: Database) -> World:
    return await build_world(db)
