"""Start a coroutine now, on the caller's stack; only if it has to wait does it become a task.

A fan-out sends one message to a thousand sockets. Through a task per socket, each message costs
a task wake-up and a trip round the event loop; but a socket whose buffer has room accepts the
message at once, without ever waiting. So the hub steps each send by hand: a send that completes
costs only itself; a send that would wait (the socket is full) is handed to a task that resumes
it where it stopped. This is what Python 3.12's eager tasks do; we run on 3.11 too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from types import CoroutineType
from typing import Any


def start_eagerly(work: Awaitable[None]) -> Coroutine[Any, Any, None] | None:
    """Run `work` until it finishes (None) or first waits: then return the coroutine that
    finishes it, to be awaited or made a task. An exception raised before it waits propagates.
    `work` is a coroutine (an `async def` called); any other awaitable is simply wrapped."""
    if not isinstance(work, CoroutineType):
        return _wrapped(work)
    try:
        waiting_on = work.send(None)
    except StopIteration:
        return None
    return _finish(work, waiting_on)


async def _wrapped(work: Awaitable[None]) -> None:
    await work


async def _finish(work: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Drive `work` from where it stopped, as a task would: wait for what it waits on, then
    resume it with the outcome (a value, or the exception, including a cancellation)."""
    while True:
        failure: BaseException | None = None
        try:
            if waiting_on is None:
                await asyncio.sleep(0)  # a bare `yield`: it only gave others a turn
            else:
                # A future yielded by `await` arrives flagged "a task is blocking on me"; a task
                # clears the flag when it takes the future on, and so must we before awaiting
                # it ourselves (asyncio refuses to await a future already flagged).
                waiting_on._asyncio_future_blocking = False
                await waiting_on
        except BaseException as error:  # handed back to `work`, which decides what it means
            failure = error
        try:
            waiting_on = work.send(None) if failure is None else work.throw(failure)
        except StopIteration:
            return
