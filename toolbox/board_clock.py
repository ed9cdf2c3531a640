"""The latest `seq` of each board, as this process last heard it (DESIGN.md §4b).

Every committed change is announced on the bus (`toolbox.live.notices`), to every process, with
the board's new `seq`; the process that made it notes it before answering. A read that finds a
rendering kept at that `seq` (`toolbox.renderings`) can then be answered without asking the
database anything.

What the bus cannot promise, this clock does not pretend to know:
- a change made where no bus reaches (the command line beside a server on `memory://`) is
  only in the database: so a seq is believed for `TRUST_SECONDS` after it was last confirmed
  (heard on the bus or read from the database), then asked for again;
- a bus that lost its connection may have lost notices with it: `forget_all` (the bus calls it
  when the connection drops and again when it is back).
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: How long a seq is believed without being heard again; also the longest a change that no
#: bus carried takes to be seen by a read.
TRUST_SECONDS = 2.0


class BoardClock:
    """board id → (latest seq, when it was last confirmed)."""

    def __init__(
        self, trust_seconds: float = TRUST_SECONDS, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._trust = trust_seconds
        self._now = now
        self._seqs: dict[int, tuple[int, float]] = {}

    def note(self, board_id: int, seq: int) -> None:
        """`board_id` is at `seq` at least (a notice, a commit, a read of the board's row)."""
        known = self._seqs.get(board_id)
        if known is None or seq >= known[0]:
            self._seqs[board_id] = (seq, self._now())

    def latest(self, board_id: int) -> int | None:
        """The board's seq if it is known and recent enough to be believed, else None."""
        known = self._seqs.get(board_id)
        if known is None:
            return None
        seq, confirmed = known
        if self._now() - confirmed > self._trust:
            del self._seqs[board_id]
            return None
        return seq

    def is_current(self, board_id: int, seq: int) -> bool:
        return self.latest(board_id) == seq

    def forget_all(self) -> None:
        self._seqs.clear()

    def __len__(self) -> int:
        return len(self._seqs)
