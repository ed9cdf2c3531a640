"""The one place where committed events become broadcasts.

`Database.write()` calls `publish_events` after its transaction commits; views never publish.
"""

from __future__ import annotations

import logging
from typing import Any

from toolbox import json_text
from toolbox.events.log import RecordedEvent, event_document
from toolbox.live.bus import Bus, board_channel
from toolbox.live.notices import Notices

log = logging.getLogger(__name__)


def encode(message: dict[str, Any]) -> bytes:
    return json_text.dump_bytes(message)


async def publish_events(bus: Bus, notices: Notices, events: list[RecordedEvent]) -> None:
    try:
        # First: this process's next read must see the change, whatever the bus does.
        await notices.committed(events)
    except Exception:
        log.exception("could not announce the new seq of %s", {e.board_id for e in events})
    for event in events:
        try:
            await bus.publish(board_channel(event.board_id), encode(event_document(event)))
        except Exception:
            # The change is committed; clients catch up from the event log on the next event or
            # when they resume. Failing the request now would only make them retry a done change.
            log.exception("could not publish event %s of board %s", event.seq, event.board_id)
