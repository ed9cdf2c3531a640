"""Throttling what a stranger can make the site do to someone: guess their password (at most
`FAILURES` wrong passwords per account and per client address in a moving window, then a `429`
until the window lets one more try), or fill their mailbox (at most `MAILS` account mails to one
address in an hour: a reset link, "you already have an account", a confirmation sent again).

Counted with the `limits` library (a moving window, atomic in Redis), in the bus's Redis when
there is one (`TOOLBOX_BROADCAST_URL=redis://…`), so that every process and host counts
together, and in this process's memory otherwise (one process: nothing to share). The client's
address is the one the server believes: `X-Forwarded-For` only from a proxy listed in
`TOOLBOX_TRUSTED_PROXIES` (uvicorn's `forwarded_allow_ips`, set by `toolbox serve`).

Both counts are kept whatever the account's existence, so that throttling tells nothing of
which e-mail addresses have an account.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

FAILURES = 10
WINDOW_MINUTES = 15
_LIMIT = RateLimitItemPerMinute(FAILURES, WINDOW_MINUTES)
#: Account mails to one address within `MAIL_WINDOW_MINUTES`: enough for someone who waits for
#: a link and asks again, too few to flood a mailbox from the reset or registration forms.
MAILS = 5
MAIL_WINDOW_MINUTES = 60
_MAIL_LIMIT = RateLimitItemPerMinute(MAILS, MAIL_WINDOW_MINUTES)


def _storage_url(broadcast_url: str) -> str:
    if broadcast_url.startswith(("redis://", "rediss://")):
        return "async+" + broadcast_url
    return "async+memory://"


def _moving_window(broadcast_url: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(_storage_url(broadcast_url)))


class LoginThrottle:
    def __init__(self, broadcast_url: str) -> None:
        self._limiter = _moving_window(broadcast_url)

    def _keys(self, email: str, address: str) -> list[tuple[str, str]]:
        return [("login-account", email.strip().lower()[:254]), ("login-address", address)]

    async def wait_seconds(self, email: str, address: str) -> int:
        """0 if a try is allowed now, else how many seconds until one is."""
        wait = 0
        for kind, who in self._keys(email, address):
            if not await self._limiter.test(_LIMIT, kind, who):
                stats = await self._limiter.get_window_stats(_LIMIT, kind, who)
                wait = max(wait, 1, math.ceil(stats.reset_time - time.time()))
        return wait

    async def failed(self, email: str, address: str) -> None:
        for kind, who in self._keys(email, address):
            await self._limiter.hit(_LIMIT, kind, who)


class MailThrottle:
    """Account mails per recipient, counted whether the address has an account or not."""

    def __init__(self, broadcast_url: str) -> None:
        self._limiter = _moving_window(broadcast_url)

    async def take(self, recipient: str) -> bool:
        """Count one mail to `recipient`: False (and nothing counted) if the hour's are spent."""
        return await self._limiter.hit(_MAIL_LIMIT, "account-mail", recipient.strip().lower()[:254])
