"""Boundary reads without the token are answered at a steady pace per client address.

A read served from the cache computes nothing, yet answering it still costs the server ~1 ms
of Python, under the same global lock the training thread needs: measured, four clients
looping a cheap read (or /healthz) were answered ~600 times a second and took 40-60 % of an
unrelated session's training. So the reads a stranger may make are paced: each address is
answered STEPWISE_VIEWER_READS_PER_SECOND times a second, in bursts of up to a second's worth;
a read that comes sooner waits its turn (a sleeping coroutine costs nothing), and one that would
wait more than MAX_WAIT seconds gets 429 with Retry-After. A client that waits for each answer,
as pages and scripts do, is slowed rather than refused. The session's driver is not paced.

Kept per address: when its next read is due at the pace. A read may be answered up to a
second's worth of reads before it is due, so an address idle for a while may send a burst;
one that keeps asking falls behind and waits.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_WAIT = 2.0  # seconds a read may be held before it is refused instead
ADDRESSES = 65_536  # addresses remembered at most; those long idle go first


class Pacer:
    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second, self.clock = per_second, clock
        self._next: OrderedDict[str, float] = OrderedDict()  # address -> its next free slot

    def delay(self, address: str) -> float:
        """Seconds this read must wait for its turn (0: now). Raises Busy past MAX_WAIT."""
        if self.per_second <= 0:
            return 0.0
        now, gap = self.clock(), 1.0 / self.per_second
        early = (max(1.0, self.per_second) - 1) * gap  # a second's worth may come at once
        due = max(self._next.pop(address, now), now)  # when its next read is due, at the pace
        wait = due - early - now
        if wait > MAX_WAIT:
            self._next[address] = due
            raise Busy(math.ceil(wait - MAX_WAIT))
        self._next[address] = due + gap
        while self._next and (len(self._next) > ADDRESSES or next(iter(self._next.values())) < now):
            self._next.popitem(last=False)  # due already: as good as never seen
        return max(0.0, wait)


class Busy(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)
