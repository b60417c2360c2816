"""The registry: every live session and comparison, the cap on how many, and their expiry.

They are kept in stores (seams.py; local.py in memory), which make their ids and watch codes;
the tokens are separate secrets from the system's CSPRNG (256 bits): the id lets anyone who
has it watch; only the token drives. Sessions idle past the expiry with no viewer are
closed and dropped, which frees their memory. Every session's memory is estimated from its
config (memory.py) and counted against the server's budget: on add, on delete, and whenever a
change or a rewind gives a session another config.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

from app.config import Settings
from app.engine import Trainer
from app.sessions import local, memory
from app.sessions.group import Comparison
from app.sessions.history import History
from app.sessions.seams import Backend, Store
from app.sessions.session import Session
from app.sessions.worker import Worker


class RegistryFull(Exception):
    pass


class Registry:
    def __init__(
        self,
        settings: Settings,
        backend: Backend | None = None,
        sessions: Store[Session] | None = None,
        groups: Store[Comparison] | None = None,
    ) -> None:
        self.settings = settings
        self.backend = backend or local.backend()
        # `is None`, not `or`: an empty store is falsy (it has a length)
        self.sessions: Store[Session] = local.LocalStore() if sessions is None else sessions
        self.groups: Store[Comparison] = local.LocalStore() if groups is None else groups
        self.worker = Worker()
        self.budget = memory.Budget(settings.memory_mb * memory.MB)

    def __len__(self) -> int:
        return len(self.sessions)

    def get(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    def fullspeed(self) -> int:
        """Sessions playing as fast as they go: they share the worker's time per frame."""
        alone = sum(1 for s in self.sessions.values() if s.fullspeed())
        return alone + sum(g.fullspeed_runs() for g in self.groups.values())

    def _fits(self, count: int, nbytes: int) -> bool:
        return len(self.sessions) + count <= self.settings.max_sessions and self.budget.fits(nbytes)

    async def make_room(self, count: int, nbytes: int = 0) -> None:
        """Sweep the idle if `count` more sessions needing `nbytes` do not fit; raise
        RegistryFull or MemoryFull if they still do not."""
        if not self._fits(count, nbytes):
            await self.sweep()
        if len(self.sessions) + count > self.settings.max_sessions:
            raise RegistryFull
        if not self.budget.fits(nbytes):
            raise memory.MemoryFull("config")

    async def add(
        self,
        trainer: Trainer,
        history: History | None = None,
        ident: tuple[str, str] | None = None,  # (id, token) of a run held before, resumed
    ) -> Session:
        """Hold a new session; ConfigError if its config needs more than one session may."""
        need = memory.check(trainer.config, self.settings)
        await self.make_room(1, need)
        key, token = ident or (self.sessions.new_id(), secrets.token_urlsafe(32))
        session = Session(
            key,
            token,
            trainer,
            self.settings,
            history,
            self.worker,
            self.backend,
            fullspeed=self.fullspeed,
            budget=self.budget,
        )
        self.budget.resize(0, session.memory)
        self.sessions.put(session)
        return session

    async def add_group(self, trainers: list[Trainer], vary: str, values: list[Any]) -> Comparison:
        configs = [trainer.config for trainer in trainers]
        needs = memory.check_runs(configs, vary, values, self.settings)
        await self.make_room(len(trainers), sum(needs))
        runs = [await self.add(trainer) for trainer in trainers]
        return self.hold_group(self.groups.new_id(), secrets.token_urlsafe(32), vary, values, runs)

    def hold_group(
        self, group_id: str, token: str, vary: str, values: list[Any], runs: list[Session]
    ) -> Comparison:
        """Hold a comparison of sessions held already: made just now, or resumed."""
        backend, fullspeed = self.backend, self.fullspeed
        group = Comparison(group_id, token, vary, values, runs, self.settings, backend, fullspeed)
        self.groups.put(group)
        return group

    def share(self, session: Session) -> str:
        """The session's short watch code, made on first use."""
        return self.sessions.share(session.id)

    def by_code(self, code: str) -> Session | None:
        return self.sessions.by_code(code)

    async def delete(self, session_id: str) -> None:
        session = self.sessions.pop(session_id)
        if session is not None:
            session.leave_budget()
            await session.close()

    async def delete_group(self, group_id: str) -> None:
        group = self.groups.pop(group_id)
        if group is not None:
            await group.close()
            for run in group.runs:
                await self.delete(run.id)

    def expired(self, now: float | None = None) -> list[str]:
        """Sessions (not in a comparison) and comparisons idle past the expiry, of those this
        process owns: each sweeps its own."""
        now = time.monotonic() if now is None else now
        owns = self.backend.runners.owns
        return [key for key in self.sessions.expired(now) + self.groups.expired(now) if owns(key)]

    async def sweep(self, now: float | None = None) -> int:
        gone = self.expired(now)
        for key in gone:
            if self.groups.get(key) is not None:
                await self.delete_group(key)
            else:
                await self.delete(key)
        return len(gone)

    async def sweep_forever(self) -> None:
        interval = max(1.0, min(60.0, self.settings.idle_expiry_seconds / 4))
        while True:
            await asyncio.sleep(interval)
            await self.sweep()

    async def close(self) -> None:
        for group in self.groups.values():
            await self.delete_group(group.id)
        for session in self.sessions.values():
            await self.delete(session.id)
        self.worker.close()
