"""Sends stepped by hand (toolbox.live.eager): finished on the spot when nothing blocks them,
resumed exactly where they stopped when something does, with the outcome they were waiting for."""

from __future__ import annotations

import asyncio

import pytest

from toolbox.live.eager import start_eagerly


async def test_work_that_never_waits_is_done_on_the_callers_stack() -> None:
    done: list[str] = []

    async def work() -> None:
        done.append("sent")

    assert start_eagerly(work()) is None
    assert done == ["sent"]


async def test_work_that_waits_resumes_only_when_what_it_waits_for_happens() -> None:
    writable = asyncio.Event()
    steps: list[str] = []

    async def work() -> None:
        steps.append("before")
        await writable.wait()
        steps.append("after")

    rest = start_eagerly(work())
    assert rest is not None and steps == ["before"]
    task = asyncio.create_task(rest)
    for _ in range(5):
        await asyncio.sleep(0)
    assert not task.done() and steps == ["before"]
    writable.set()
    await task
    assert steps == ["before", "after"]


async def test_the_outcome_of_what_it_waited_for_reaches_the_work() -> None:
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[int] = loop.create_future()
    failure: asyncio.Future[int] = loop.create_future()
    seen: list[object] = []

    async def work(future: asyncio.Future[int]) -> None:
        try:
            seen.append(await future)
        except LookupError as error:
            seen.append(error)

    first, second = start_eagerly(work(answer)), start_eagerly(work(failure))
    assert first is not None and second is not None
    tasks = [asyncio.create_task(first), asyncio.create_task(second)]
    answer.set_result(42)
    failure.set_exception(LookupError("gone"))
    await asyncio.gather(*tasks)
    assert seen[0] == 42 and isinstance(seen[1], LookupError)


async def test_cancelling_the_task_cancels_the_work_where_it_waits() -> None:
    never = asyncio.Event()
    cleaned: list[str] = []

    async def work() -> None:
        try:
            await never.wait()
        finally:
            cleaned.append("cleaned up")

    rest = start_eagerly(work())
    assert rest is not None
    task = asyncio.create_task(rest)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["cleaned up"]
