"""The viewers of runs that other workers own: one hub per run, fed from the run's channel.

A worker that has a viewer of a run it does not own listens on the run's channel (fanout.py) and
hands each frame and message to a hub of its own, which fans it out to its viewers under the
same one-slot rule as the owner's: a slow viewer skips frames, nothing waits without bound. It
keeps the last frame it heard, whole, for whoever joins next, and it says in Redis how many of
its viewers watch, so that the owner counts them. Messages from an owner with an older fence
than one already heard (a stale owner) and frames older than one already shown are ignored.
The loss landscapes the owner publishes go only to the viewers here that asked for them at that
resolution; which resolutions they asked for is said to the owner with the count.
"""

from __future__ import annotations

import json
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.cluster.bus import Bus, unpack
from app.cluster.fanout import WATCH_SECONDS, channel, frame_set, watch_key
from app.sessions.hub import Hub, Tap, Viewer
from app.sessions.landscape_feed import KIND
from app.sessions.session import CLOSE_GONE, GONE
from app.sessions.wire import FrameSet

log = logging.getLogger("stepwise")


class Mirror:
    """One run owned elsewhere, as this worker's viewers of it see it."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.hub = Hub()
        self.joining = 0  # viewers on their way in: counted already, not yet fed
        self.fence = 0  # the newest owner's, as heard
        self.latest: FrameSet | None = None  # the last frame heard from that owner
        self.asked: dict[Viewer, int] = {}  # viewer -> the landscape resolution it asked for

    def landscapes(self) -> str:
        """The resolutions asked for here, as said in Redis: "21,41", or "" for none."""
        return ",".join(str(r) for r in sorted(set(self.asked.values())))

    def ask(self, viewer: Viewer, resolution: int) -> bool:
        """What the owner heard `viewer` ask (0: no more); whether the resolutions changed."""
        before = self.landscapes()
        if resolution:
            self.asked[viewer] = resolution
        else:
            self.asked.pop(viewer, None)
        return self.landscapes() != before

    def viewers(self) -> int:
        return len(self.hub) + self.joining

    def neurons(self) -> int:
        return sum(1 for viewer in self.hub.viewers if viewer.neurons)

    def heard(self, data: bytes) -> None:
        head, body = unpack(data)
        if not self._current(head["fence"]):
            return
        if head["t"] == "frame":
            if self._newer(head["seq"]):
                self.latest = frame_set(head, body)
                self.hub.publish_frame(self.latest)
        elif head["t"] == "json":
            self.hub.publish_json(json.loads(body))
        elif head["t"] == "landscape":
            text = body.decode()
            for viewer, resolution in list(self.asked.items()):
                if resolution == head["res"]:
                    viewer.offer_json(text, KIND)
        elif head["t"] == "gone":
            self.hub.close_all(CLOSE_GONE, GONE)

    def _current(self, fence: int) -> bool:
        """Whether `fence` is the newest owner's; a newer owner starts the frames afresh."""
        if fence < self.fence:
            return False
        if fence > self.fence:
            self.fence, self.latest = fence, None
        return True

    def _newer(self, seq: int | None) -> bool:
        last = self.latest.seq if self.latest is not None else None
        return seq is not None and (last is None or seq > last)

    def first_frame(self, frames: FrameSet, fence: int) -> FrameSet:
        """What a joiner is shown first: the owner's answer to its join, or the frame heard
        since, whichever is newer."""
        if self._current(fence) and self._newer(frames.seq):
            self.latest = frames
        return self.latest or frames


class Mirrors:
    """This worker's mirrors, each alive while one of its viewers watches."""

    def __init__(self, bus: Bus, redis: Redis, worker: str) -> None:
        self.bus, self.redis, self.worker = bus, redis, worker
        self.runs: dict[str, Mirror] = {}

    async def open(self, key: str) -> Mirror:
        """The run's mirror, listening, with one more viewer counted on its way in."""
        mirror = self.runs.get(key)
        if mirror is None:
            mirror = self.runs[key] = Mirror(key)
            await self.bus.listen(channel(key), mirror.heard)
        mirror.joining += 1
        await self.say(mirror)
        return mirror

    def add(self, mirror: Mirror, viewer: Viewer | Tap) -> None:
        mirror.joining -= 1
        mirror.hub.add(viewer)

    async def leave(self, mirror: Mirror, viewer: Viewer | Tap) -> None:
        if isinstance(viewer, Viewer):  # gone without a word: the owner hears "no more"
            mirror.asked.pop(viewer, None)
        if viewer in mirror.hub.viewers:
            mirror.hub.remove(viewer)
        else:
            mirror.joining -= 1
        if mirror.viewers() == 0 and self.runs.get(mirror.key) is mirror:
            del self.runs[mirror.key]
            await self.bus.unlisten(channel(mirror.key))
        await self.say(mirror)

    async def say(self, mirror: Mirror) -> None:
        """Tell the owner (through Redis) how many of this worker's viewers watch the run, and
        the landscapes they asked for."""
        key, count = watch_key(mirror.key), mirror.viewers()
        until = int((time.time() + WATCH_SECONDS) * 1000)
        try:
            if count:
                value = f"{count} {mirror.neurons()} {until} {mirror.landscapes()}".strip()
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.hset(key, self.worker, value)
                    pipe.pexpire(key, int(WATCH_SECONDS * 2000))
                    await pipe.execute()
            else:
                await self.redis.hdel(key, self.worker)
        except (RedisError, OSError) as exc:  # said again within a second
            log.debug("mirror: the viewer count was not said (%s)", exc)

    async def keep(self) -> None:
        """Say every run's count again before the last word runs out (keeper.py)."""
        for mirror in list(self.runs.values()):
            await self.say(mirror)
