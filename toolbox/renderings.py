"""Renderings kept per change: a board's pages and documents, computed once per board `seq`.

A board changes a few times a minute and is read by a whole room at once (DESIGN.md §4b). So a
rendering is stored under a key that starts with the board's id and the `seq` it was rendered
at, followed by whatever else makes it differ (the audience, the language, the filters): once
the board's `seq` moves on, no read asks for the old keys again and the LRU lets them go. There
is nothing to invalidate by hand, in this process or any other: each read learns the board's
latest `seq` with the caller's right (one indexed row, `toolbox.board.shared`), so a change
made anywhere (another process, the command line) is seen by the next read.

Nothing personal goes in here: a shared page holds the place of the person's own part (the
account menu) with `PERSONAL`, filled per request (`SharedPage.compose`).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from toolbox.board_clock import BoardClock
from toolbox.http_cache import body_etag

#: Where a shared page's personal part goes. User text is escaped before it reaches a page, so
#: no card or title can write this comment; and the account menu comes before any of it.
PERSONAL = "<!--toolbox:personal-->"
#: Where a kept part (`Part`) goes in a page being assembled; escaped user text cannot write it
#: either.
PART = "<!--toolbox:part-->"
#: Set in the scope by a read served from a kept rendering: (board id, seq) of what it shows.
KEPT_AT = "toolbox.kept_at"
#: Memory for renderings, per process (a 600-card board page is ≈ 250 KB).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SharedPage:
    """A page rendered for everyone of one audience, split around its personal part."""

    before: bytes
    after: bytes
    #: The shared bytes' own tag; a composed page's tag adds the personal part's.
    etag: str

    @classmethod
    def assemble(cls, html: str, parts: list[Part]) -> SharedPage:
        """The page whose text is `html`, with `parts` in the places it marks (`PART`).

        Only the text around the parts is encoded and hashed here: each part was when it was
        drawn, and the page's tag is the hash of its text and of its parts' digests, in order.
        A board page is mostly its columns, and a change redraws one or two of them."""
        before, marker, after = html.partition(PERSONAL)
        if not marker:
            raise ValueError("a shared page must hold the PERSONAL marker")
        digest = hashlib.blake2b(digest_size=16)
        pieces = iter(parts)
        halves = []
        for half in (before, after):
            chunks: list[bytes] = []
            for n, text in enumerate(half.split(PART)):
                if n:
                    part = next(pieces)
                    chunks.append(part.body)
                    digest.update(part.digest)
                encoded = text.encode()
                chunks.append(encoded)
                digest.update(encoded)
            halves.append(b"".join(chunks))
            digest.update(b"\0")
        return cls(halves[0], halves[1], f'"{digest.hexdigest()}"')

    def compose(self, personal: str) -> tuple[bytes, str]:
        """The page with `personal` in its place, and that page's tag."""
        mine = personal.encode()
        etag = f'"{self.etag.strip(chr(34))}.{hashlib.blake2b(mine, digest_size=16).hexdigest()}"'
        return b"".join((self.before, mine, self.after)), etag

    def __len__(self) -> int:
        return len(self.before) + len(self.after)


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a shared page drawn once and kept (a board's column with its cards): its
    HTML, the bytes a page sends of it, and their digest, each computed once."""

    html: str
    body: bytes
    digest: bytes

    @classmethod
    def of(cls, html: str) -> Part:
        body = html.encode()
        return cls(html, body, hashlib.blake2b(body, digest_size=16).digest())


_collected: contextvars.ContextVar[list[Part] | None] = contextvars.ContextVar(
    "toolbox_parts", default=None
)


@contextlib.contextmanager
def parts_collected() -> Iterator[list[Part]]:
    """While a shared page is rendered: the kept parts that `place_part` was given, in order."""
    parts: list[Part] = []
    token = _collected.set(parts)
    try:
        yield parts
    finally:
        _collected.reset(token)


def place_part(part: Part) -> str:
    """What a template writes for a kept part: its place (`PART`), in a shared page being
    assembled; its HTML anywhere else (a fragment, a live update)."""
    parts = _collected.get()
    if parts is None:
        return part.html
    parts.append(part)
    return PART


@dataclass(frozen=True, slots=True)
class Document:
    """A rendering with nothing personal in it at all (a JSON document)."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Document:
        return cls(body, body_etag(body))

    def __len__(self) -> int:
        return len(self.body)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, SharedPage | Document) else 256


class Renderings:
    """The process's renderings, an LRU bounded in bytes; keys begin with (board id, seq).
    Beside them, the boards' latest seqs as the bus tells them (`clock`)."""

    def __init__(self, clock: BoardClock, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.clock = clock
        self._cache: LRUCache[Hashable, Any] = LRUCache(maxsize=max_bytes, getsizeof=_size)

    def get(self, key: Hashable) -> Any | None:
        return self._cache.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with contextlib.suppress(ValueError):  # larger than the whole cache: served, not kept
            self._cache[key] = value

    @property
    def bytes_used(self) -> int:
        return int(self._cache.currsize)

    def __len__(self) -> int:
        return len(self._cache)
