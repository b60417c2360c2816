"""How many wrong watch codes each client address tried lately, to stop guessing.

A watch code has 40 bits; unlimited, a client could try hundreds a second. Each address may get
STEPWISE_CODE_MISSES_PER_MINUTE codes wrong in a window of a minute (from its first miss); past
that, codes it asks for are not even looked up: 429 with Retry-After until the window ends.

A school is one address, so a classroom's typos must not lock the class out. Codes an address
has followed successfully are remembered with it, and keep working while it is limited: late
students and reloads get through. A limited address cannot use this to keep guessing — the only
codes it may still follow are ones it already knew. (Answering every right code while limited
would tell a guesser, by a 307 among the 429s, exactly when it found one.)
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW = 60.0
KNOWN = 16  # codes remembered per address
ADDRESSES = 65_536  # addresses remembered at most; the oldest windows go first


@dataclass
class Window:
    start: float
    misses: int = 0
    known: set[str] = field(default_factory=set)


class Misses:
    def __init__(
        self, limit: int, window: float = WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._windows: OrderedDict[str, Window] = OrderedDict()  # oldest start first

    def _current(self, address: str) -> Window:
        now = self.clock()
        while self._windows:  # forget windows long over (they are in order of start)
            oldest = next(iter(self._windows.values()))
            if now - oldest.start < 2 * self.window and len(self._windows) < ADDRESSES:
                break
            self._windows.popitem(last=False)
        record = self._windows.get(address)
        if record is None:
            record = self._windows[address] = Window(now)
        elif now - record.start >= self.window:  # a new window; the codes it knew stay known
            record.start, record.misses = now, 0
            self._windows.move_to_end(address)
        return record

    def _wait(self, record: Window) -> int:
        return max(1, math.ceil(record.start + self.window - self.clock()))

    def refused(self, address: str, code: str) -> int | None:
        """Seconds to wait if `address` may not look `code` up now, else None."""
        record = self._windows.get(address)
        if record is None or self.clock() - record.start >= self.window:
            return None
        if record.misses > self.limit and code not in record.known:
            return self._wait(record)
        return None

    def miss(self, address: str) -> int | None:
        """Count a wrong code; seconds to wait if that was one too many, else None."""
        record = self._current(address)
        record.misses += 1
        return self._wait(record) if record.misses > self.limit else None

    def hit(self, address: str, code: str) -> None:
        known = self._current(address).known
        if len(known) < KNOWN:
            known.add(code)
