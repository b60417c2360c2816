"""The registry of one worker in cluster mode: the runs it owns, each leased and kept in Redis.

A worker owns a run while it holds the run's lease (ledger.py). It claims the lease when it
creates the run, and writes the run's record — the snapshot document of an export (service.py),
its token, watch code, speed and whether it plays — stamped with its fence. A run whose lease no
one holds (its worker stopped or died) is claimed by the first worker to see it, rebuilt from
its record with the same id and token, and played on if it was playing. A worker that finds its
lease taken or its write refused lets the run go at once: someone newer owns it.

A run's frames reach viewers on other workers through the bus (fanout.py, mirror.py), and the
requests for it that other workers take are passed on to it there (bus.py, app/api/dispatch.py).
A comparison is owned the same way: its worker leases the comparison's id and each of its runs'
(so that requests and sockets for any of them reach it, and its runs' frames reach viewers
elsewhere), and keeps one record for them all, under the comparison's id (groups.py); a lease
it loses takes the whole comparison with it.
"""

from __future__ import annotations

import contextvars
import logging
import os
import secrets
import socket
import time
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError, RedisError

from app.cluster import groups
from app.cluster.bus import Bus
from app.cluster.fanout import ClusterCount, ClusterHub, Outbox, Remote, channel, gone_message
from app.cluster.ledger import Ledger, code_key, lease_key, run_key
from app.cluster.mirror import Mirrors
from app.cluster.notes import Resumed
from app.cluster.placement import Placement
from app.config import Settings
from app.engine import ConfigError, Trainer
from app.sessions import service
from app.sessions.group import Comparison
from app.sessions.history import History
from app.sessions.local import LocalLocks, LocalRunners, LocalStore
from app.sessions.memory import MemoryFull
from app.sessions.refusals import Full
from app.sessions.registry import Registry, RegistryFull
from app.sessions.seams import Backend, Broadcast
from app.sessions.session import Session

log = logging.getLogger("stepwise")
CLOSE_MOVED = 1012  # WebSocket "service restart": the page reconnects and finds the new owner
MOVED = {
    "type": "error",
    "code": "moved",
    "message": "another server took this run over; reconnecting",
    "field": None,
}
UNREACHABLE = "the server cannot keep new runs just now; try again in a minute"
_in_group = contextvars.ContextVar("in_group", default=False)  # building a comparison's runs


class ClusterRegistry(Registry):
    def __init__(self, settings: Settings, redis: Redis, worker: str) -> None:
        self.resumed = Resumed()
        self.store: LocalStore[Session] = LocalStore()
        self.redis, self.name = redis, worker
        self.fences: dict[str, int] = {}  # run -> the fence this worker owns it with
        self.remote = Remote(redis)  # who watches this worker's runs from other workers
        self.bus = Bus(redis, worker, settings.forward_seconds)
        self.mirrors = Mirrors(self.bus, redis, worker)  # runs owned elsewhere, watched here
        self.placement = Placement(redis, worker, lambda: len(self.sessions))
        seams = Backend(
            locks=LocalLocks(),
            broadcast=self.hub,
            viewers=lambda key, hub: ClusterCount(key, hub, self.remote),
            runners=LocalRunners(),
        )
        super().__init__(settings, seams, self.store)
        self.ledger = Ledger(redis, worker, settings.lease_seconds)
        self.marks: dict[str, tuple[Any, ...]] = {}  # run -> what it was when last written
        self.written: dict[str, float] = {}  # run -> when it was last written (monotonic)
        self.closing = False

    @classmethod
    def connect(cls, settings: Settings) -> ClusterRegistry:
        """A registry on the Redis of `settings.redis_url`, as a worker with a name of its own."""
        worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        # Bounded waits: a Redis that does not answer is an error to retry, never a hang. A
        # command on a connection Redis closed (it restarted) is sent again on a new one, as
        # the default retry policy does only for errors it is told of: otherwise each pooled
        # connection fails once, and a frame published on one is lost (the last frame of a
        # paused run then never reaches its viewers on other workers).
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=2,
            socket_connect_timeout=2,
            retry_on_error=[ConnectionError],
        )
        return cls(settings, redis, worker)

    def hub(self, key: str) -> Broadcast:
        """A run's broadcast: to its viewers here, and through the bus to those elsewhere."""
        return ClusterHub(key, self.resumed, self.remote, Outbox(self.redis, key), self.fences)

    async def owner(self, key: str) -> str | None:
        """The worker holding the run's lease, if any (this one included)."""
        holder = await self.redis.get(lease_key(key))
        return holder.decode() if isinstance(holder, bytes) else holder

    def holds(self, key: str) -> bool:
        """Whether this worker has the run or comparison `key` (in hand, leased or not)."""
        return self.get(key) is not None or self.groups.get(key) is not None

    async def kept(self, key: str) -> bool:
        """Whether Redis holds a record of the run (it lives, wherever it is)."""
        return bool(await self.redis.exists(run_key(key)))

    # --- making and dropping runs ---------------------------------------------------------------

    async def add(
        self,
        trainer: Trainer,
        history: History | None = None,
        ident: tuple[str, str] | None = None,
    ) -> Session:
        session = await super().add(trainer, history, ident)
        if ident is None and not _in_group.get():
            try:
                fence = await self.ledger.claim(session.id)
                if fence is None:  # a fresh 192-bit id is never held: not a real case
                    raise RedisError("a new run's lease was held already")
                self.fences[session.id] = fence
                await self.persist(session)
            except RedisError as exc:  # a run that cannot be kept is not made
                log.warning("run %s: not made, Redis unreachable (%s)", session.id[:8], exc)
                self.fences.pop(session.id, None)
                await super().delete(session.id)
                raise Full(UNREACHABLE) from None
            await self.beat()
        return session

    async def beat(self) -> None:
        """Say this worker's load now: the next run made anywhere is placed knowing it."""
        try:
            await self.placement.beat()
        except (RedisError, OSError) as exc:  # said again within a second
            log.debug("load not said (%s)", exc)

    async def add_group(self, trainers: list[Trainer], vary: str, values: list[Any]) -> Comparison:
        """A comparison, its id and its runs' ids leased here; no record of them is kept."""
        token = _in_group.set(True)
        try:
            group = await super().add_group(trainers, vary, values)
        finally:
            _in_group.reset(token)
        keys = [group.id, *(run.id for run in group.runs)]
        try:
            for key in keys:
                fence = await self.ledger.claim(key)
                if fence is None:  # fresh 192-bit ids are never held: not a real case
                    raise RedisError("a new comparison's lease was held already")
                self.fences[key] = fence
        except RedisError as exc:  # a comparison no other worker could find is not made
            log.warning("comparison %s: not made, Redis unreachable (%s)", group.id[:8], exc)
            for key in keys:  # let go here only: Redis may be away
                self.fences.pop(key, None)
            await self.delete_group(group.id)
            raise Full(UNREACHABLE) from None
        await self.beat()
        return group

    async def delete_group(self, group_id: str) -> None:
        fence = self.fences.pop(group_id, None)
        self.marks.pop(group_id, None)
        self.written.pop(group_id, None)
        if fence is not None and not self.closing:
            await self.ledger.forget(group_id, fence)
            try:  # its viewers on other workers hear that it is gone
                await self.redis.publish(channel(group_id), gone_message(fence))
            except RedisError as exc:
                log.warning("comparison %s: its end was not told (%s)", group_id[:8], exc)
        await super().delete_group(group_id)  # its runs too, each as a run is deleted

    async def delete(self, session_id: str) -> None:
        fence, code = self.fences.pop(session_id, None), self.store.code(session_id)
        self.marks.pop(session_id, None)
        self.written.pop(session_id, None)
        self.remote.forget(session_id)
        if fence is not None and not self.closing:
            await self.ledger.forget(session_id, fence)
            try:  # its viewers on other workers hear that it is gone
                if code:
                    await self.redis.delete(code_key(code))
                await self.redis.publish(channel(session_id), gone_message(fence))
            except RedisError as exc:
                log.warning("run %s: its end was not told (%s)", session_id[:8], exc)
        await super().delete(session_id)
        if fence is not None and not self.closing:
            await self.beat()

    async def drop(self, key: str) -> None:
        """Someone newer owns the run: stop it here and send its viewers on, without touching
        what Redis holds. A comparison goes whole, whichever of its leases was lost."""
        session = self.get(key)
        group = self.groups.pop(session.group if session and session.group else key)
        if group is None:
            await self.drop_one(key)
            return
        log.warning("comparison %s: a lease was lost; let go", group.id[:8])
        for held in (self.fences, self.marks, self.written):
            held.pop(group.id, None)
        self.remote.forget(group.id)
        await group.close()
        group.watchers.close_all(CLOSE_MOVED, MOVED)
        for run in group.runs:
            await self.drop_one(run.id)

    async def drop_one(self, key: str) -> None:
        self.fences.pop(key, None)
        self.marks.pop(key, None)
        self.written.pop(key, None)
        self.remote.forget(key)
        session = self.sessions.pop(key)
        if session is not None:
            log.warning("run %s: owned elsewhere now; let go", key[:8])
            session.leave_budget()
            await session.live.close(CLOSE_MOVED, MOVED)

    # --- the record ------------------------------------------------------------------------------

    def mark(self, session: Session) -> tuple[Any, ...]:
        """What a record would show of the run: when it differs, the record is out of date."""
        t, live = session.trainer, session.live
        speed = (live.epochs_per_second, live.steps_per_second, live.timelapse)
        return (live.playing, t.status, t.config, speed, self.store.code(session.id), t.step)

    def due(self, key: str, after: tuple[Any, ...], playing: bool, now: float) -> bool:
        """A record is due at once after anything but training moved the run or comparison
        (a pause, a change, a reset, a rewind), and every `snapshot_seconds` while it plays;
        `after` is its mark now, steps last."""
        before = self.marks.get(key)
        if before == after:
            return False
        trained_on = before is not None and before[:-1] == after[:-1] and after[-1] > before[-1]
        if trained_on and playing:
            return now - self.written.get(key, 0.0) >= self.settings.snapshot_seconds
        return True

    async def persist(self, session: Session) -> bool:
        """Write the run's record with its fence; let it go if a newer owner refuses it."""
        fence = self.fences.get(session.id)
        if fence is None or session.group is not None:  # a comparison's runs have no record
            return False
        mark = self.mark(session)
        record = {
            "snapshot": await service.export(session),
            "token": session.token,
            "playing": session.live.playing,
            "speed": session.speed(),
            "code": self.store.code(session.id),
        }
        if self.fences.get(session.id) != fence:  # deleted or dropped meanwhile
            return False
        if not await self.ledger.save(session.id, fence, record):
            await self.drop(session.id)
            return False
        if (code := self.store.code(session.id)) is not None:  # /w/CODE through any worker
            await self.redis.set(code_key(code), session.id)
        self.marks[session.id], self.written[session.id] = mark, time.monotonic()
        return True

    async def resume(self, key: str) -> Session | None:
        """Claim a run no one owns and go on from its record, if there is room for it here."""
        fence = await self.ledger.claim(key)
        if fence is None:
            return None
        self.fences[key] = fence  # renewed from now on: a slow rebuild must not lose it
        found = await self.ledger.load(key)
        if found is not None and "runs" in found[1]:  # a comparison's
            await groups.resume(self, key, found[1])
            return None
        try:
            if found is None:  # deleted meanwhile
                raise KeyError("no record")
            record = found[1]
            trainer, history = await service.rebuild(self, record["snapshot"])
            session = await Registry.add(self, trainer, history, (key, record["token"]))
        except (RegistryFull, MemoryFull, ConfigError, KeyError, TypeError) as exc:
            log.warning("run %s: not resumed here (%s)", key[:8], exc)
            self.fences.pop(key, None)
            await self.ledger.release(key)  # another worker may have room
            return None
        if self.fences.get(key) != fence:  # lost again while it was rebuilt
            self.fences[key] = fence
            await self.drop(key)
            return None
        if record.get("code"):
            self.store.keep_code(key, record["code"])
        speed = record["speed"]
        session.live.set_speed(
            speed["epochs_per_second"], speed["steps_per_second"], speed["timelapse"]
        )
        self.resumed.mark(key, trainer.epoch, trainer.step)
        session.run.seq = fence << 32  # frames no viewer elsewhere can take for an old owner's
        await self.remote.refresh([key])
        if isinstance(session.hub, ClusterHub):  # viewers elsewhere kept watching: tell them
            note = {"type": "resumed", "epoch": trainer.epoch, "step": trainer.step}
            session.hub.tell(note, always=True)
        if record["playing"]:
            session.play()
        self.marks[key], self.written[key] = self.mark(session), time.monotonic()
        log.info("run %s: resumed from epoch %d (fence %d)", key[:8], trainer.epoch, fence)
        return session

    async def close(self) -> None:
        """A clean stop: write every run once more and let its lease go, so that the worker
        that comes next takes it over at once."""
        self.closing = True
        for session in self.sessions.values():
            if session.id in self.fences:
                try:
                    await self.persist(session)
                    await self.ledger.release(session.id)
                except Exception as exc:  # Redis gone: the lease runs out by itself
                    log.warning("run %s: not written on shutdown (%s)", session.id[:8], exc)
        for group in self.groups.values():
            try:
                await groups.persist(self, group)
                await self.ledger.release(group.id)
            except Exception as exc:  # Redis gone: the lease runs out by itself
                log.warning("comparison %s: not written on shutdown (%s)", group.id[:8], exc)
        await super().close()
        try:
            await self.placement.leave()
        except (RedisError, OSError) as exc:  # its word runs out by itself
            log.debug("load not withdrawn (%s)", exc)
        await self.bus.close()
        await self.redis.aclose()
