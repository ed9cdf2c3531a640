"""One world per backend (tests/security/world.py), shared by every test of this folder."""

from __future__ import annotations

import pytest

from tests.security.world import World, build_world
from toolbox.db import Database


@pytest.fixture(scope="session")
async def world(db: Database) -> World:
    return await build_world(db)
