"""uvicorn's `wsproto` websocket protocol, offering the `toolbox.write_frame` extension
(`toolbox.live.wire`): what `toolbox serve` runs (toolbox/cli.py).

Writing a frame past `wsproto` is sound here because the app only ever writes whole, final,
uncompressed text frames, which change nothing in the connection's state; every other message
(the handshake, a close, a ping's answer) and any frame the socket cannot take at once still go
through uvicorn's own `send`, which keeps the order, waits for room and knows the close.
"""

from __future__ import annotations

from typing import Any, cast

from uvicorn.protocols.websockets.wsproto_impl import WSProtocol
from wsproto import events

from toolbox.live.wire import WRITE_FRAME


class FrameWritingProtocol(WSProtocol):
    def handle_connect(self, event: events.Request) -> None:
        super().handle_connect(event)  # makes the scope; the app's task has not started yet
        extensions = cast(dict[str, Any], self.scope["extensions"])
        extensions[WRITE_FRAME] = {"write": self.write_frame}

    def write_frame(self, frame: bytes) -> bool:
        """Write `frame` now if the socket is open and its buffer below the high-water mark."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.response_started
            or self.disconnected
            or not self.writable.is_set()  # paused: uvicorn's `send` waits for room
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True
