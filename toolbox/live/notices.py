"""Notices: what every process must hear, whichever boards it has sockets for.

A board's events travel on the board's own channel, which a process hears only while some of
its clients watch that board. Two facts concern every process at once, so they go on one
channel that every process listens to from start-up:

- a board's latest `seq` after a commit (`{"seqs": {"<board id>": seq}}`): each process notes
  it in its `BoardClock`, so that a read whose kept rendering is current asks the database
  nothing (DESIGN.md §4b);
- a credential that stopped being valid (`{"ended": ["session", "<token hash>"]}`): each
  process drops what it believed of it (`Identify.forget_hashed`), so that a session ended in
  one process stops working in all of them at once, not after `IDENTITY_SECONDS`.

A bus that lost its connection may have lost notices: `lost` forgets everything they taught.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable

from toolbox.board_clock import BoardClock
from toolbox.events.log import RecordedEvent
from toolbox.live.bus import Bus
from toolbox.principal import CredentialKind, Identify

log = logging.getLogger(__name__)

NOTICES_CHANNEL = "toolbox:notices"
RETRY_SECONDS = 1.0


def _encode(message: object) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()


class Notices:
    def __init__(self, bus: Bus, clock: BoardClock, identify: Identify) -> None:
        self.bus = bus
        self.clock = clock
        self.identify = identify
        self._retrying: asyncio.Task[None] | None = None
        #: Called with a credential that ended (the hub closes the sockets let in with it).
        self.on_ended: Callable[[str, str], None] = _nobody

    async def start(self) -> None:
        """Listen from start-up; a bus that does not answer yet is asked again every second
        (meanwhile this process believes only what it reads and writes itself, for
        `TOOLBOX_SEQ_TRUST_SECONDS` at most), rather than a process that will not start."""
        try:
            await self.bus.subscribe(NOTICES_CHANNEL)
        except Exception as error:
            log.warning("notices: the bus does not answer (%s); asking again", error)
            self._retrying = asyncio.create_task(self._subscribe_later(), name="notices")

    async def _subscribe_later(self) -> None:
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            try:
                await self.bus.subscribe(NOTICES_CHANNEL)
            except Exception as error:
                log.debug("notices: the bus still does not answer (%s)", error)
                continue
            self.lost()
            return

    async def stop(self) -> None:
        if self._retrying is not None:
            self._retrying.cancel()
            await asyncio.gather(self._retrying, return_exceptions=True)

    async def committed(self, events: Iterable[RecordedEvent]) -> None:
        """Events just committed here: noted at once (the writer's next read must see its own
        change), then told to every other process."""
        latest: dict[int, int] = {}
        for event in events:
            latest[event.board_id] = max(event.seq, latest.get(event.board_id, 0))
        if not latest:
            return
        for board_id, seq in latest.items():
            self.clock.note(board_id, seq)
        await self.bus.publish(
            NOTICES_CHANNEL, _encode({"seqs": {str(b): s for b, s in latest.items()}})
        )

    async def credential_ended(self, kind: CredentialKind, token_hash: str) -> None:
        # Here at once, before the answer goes: the same person's next request or event must
        # find it gone. The other processes hear it on the bus.
        self.identify.forget_hashed(kind, token_hash)
        self.on_ended(kind, token_hash)
        await self.bus.publish(NOTICES_CHANNEL, _encode({"ended": [kind, token_hash]}))

    def receive(self, payload: bytes) -> None:
        try:
            message = json.loads(payload)
            for board_id, seq in message.get("seqs", {}).items():
                self.clock.note(int(board_id), int(seq))
            if ended := message.get("ended"):
                kind, token_hash = ended
                if kind in ("session", "api_token"):
                    self.identify.forget_hashed(kind, str(token_hash))
                    self.on_ended(kind, str(token_hash))
        except (ValueError, TypeError, AttributeError):
            log.warning("a notice that is not one: %r", payload[:200])

    def lost(self) -> None:
        """The bus lost (or regained) its connection: whatever it may have dropped meanwhile
        is asked of the database again."""
        self.clock.forget_all()
        self.identify.forget_all()


def _nobody(_kind: str, _token_hash: str) -> None:
    pass
