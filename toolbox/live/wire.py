"""Frames written straight to a socket: the one thing the hub asks of its server beyond ASGI.

A fan-out sends the same message to a thousand sockets. Through ASGI, each send is a coroutine
of the server that wraps the text in its websocket library's frame, encodes it and writes it:
per socket, the same work a thousand times. A server that offers the `toolbox.write_frame`
extension (ours, `toolbox.live.uvicorn_protocol`) takes the frame's bytes, encoded once per
message, and writes them to a socket whose buffer has room, at once; anything else (a socket
that is full, closing or closed; a server without the extension) goes through ASGI as before.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from typing import Any

#: The key of the extension in an ASGI websocket scope's "extensions": {"write": WriteFrame}.
WRITE_FRAME = "toolbox.write_frame"

#: Writes a whole encoded frame to the socket now and says True; or writes nothing and says
#: False when the socket cannot take it at once (send it through ASGI then).
WriteFrame = Callable[[bytes], bool]

_TEXT_FINAL = 0x81  # FIN bit and opcode 1 (text): one whole message in one frame (RFC 6455 §5.2)


def text_frame(text: str) -> bytes:
    """`text` as one unmasked, uncompressed websocket text frame, as a server sends it."""
    payload = text.encode("utf-8")
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", _TEXT_FINAL, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", _TEXT_FINAL, 126, length)
    else:
        header = struct.pack("!BBQ", _TEXT_FINAL, 127, length)
    return header + payload


def frame_writer(scope: Mapping[str, Any]) -> WriteFrame | None:
    """The server's frame writer for this socket, if it offers one."""
    offered = (scope.get("extensions") or {}).get(WRITE_FRAME)
    write = offered.get("write") if isinstance(offered, dict) else None
    return write if callable(write) else None
