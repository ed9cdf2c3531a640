"""The browser fixtures of tests/e2e, for the security tests that load pages in Chromium."""

from tests.e2e.conftest import browser, demo_server

__all__ = ["browser", "demo_server"]
