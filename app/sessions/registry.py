"""The registry: every live session by id, the cap on how many, and their expiry.

Ids and tokens are separate secrets from the system's CSPRNG (192 and 256 bits): the id lets
anyone who has it watch; only the token drives. Sessions idle past the expiry with no viewer are
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
from app.sessions import memory
from app.sessions.group import Comparison
from app.sessions.history import History
from app.sessions.session import Session
from app.sessions.worker import Worker

# Short codes only let people watch, like the id; 31^8 ≈ 8.5e11 of them, no look-alikes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class RegistryFull(Exception):
    pass


class Registry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions: dict[str, Session] = {}
        self.groups: dict[str, Comparison] = {}
        self.codes: dict[str, str] = {}  # short watch code -> session id
        self.worker = Worker()
        self.budget = memory.Budget(settings.memory_mb * memory.MB)

    def __len__(self) -> int:
        return len(self.sessions)

    def get(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    def fullspeed(self) -> int:
        """Sessions playing as fast as they go: they share the worker's time per frame."""
        alone = sum(
            1
            for s in self.sessions.values()
            if s.playing and s.group is None and s.epochs_per_second is None
            if s.steps_per_second is None
        )
        grouped = sum(
            len(g.runs) for g in self.groups.values() if g.playing and g.epochs_per_second is None
        )
        return alone + grouped

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

    async def add(self, trainer: Trainer, history: History | None = None) -> Session:
        """Hold a new session; ConfigError if its config needs more than one session may."""
        need = memory.check(trainer.config, self.settings)
        await self.make_room(1, need)
        session_id = secrets.token_urlsafe(24)
        token = secrets.token_urlsafe(32)
        session = Session(session_id, token, trainer, self.settings, history, self.worker)
        session.fullspeed_sessions = self.fullspeed
        session.budget = self.budget
        self.budget.resize(0, session.memory)
        self.sessions[session_id] = session
        return session

    async def add_group(self, trainers: list[Trainer], vary: str, values: list[Any]) -> Comparison:
        configs = [trainer.config for trainer in trainers]
        needs = memory.check_runs(configs, vary, values, self.settings)
        await self.make_room(len(trainers), sum(needs))
        runs = [await self.add(trainer) for trainer in trainers]
        group_id = secrets.token_urlsafe(24)
        group = Comparison(group_id, secrets.token_urlsafe(32), vary, values, runs, self.settings)
        self.groups[group_id] = group
        return group

    def share(self, session: Session) -> str:
        """The session's short watch code, made on first use."""
        if session.code is None:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            while code in self.codes:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            self.codes[code] = session.id
            session.code = code
        return session.code

    def by_code(self, code: str) -> Session | None:
        session_id = self.codes.get(code.upper())
        return None if session_id is None else self.sessions.get(session_id)

    async def delete(self, session_id: str) -> None:
        session = self.sessions.pop(session_id, None)
        if session is not None:
            self.budget.resize(session.memory, 0)
            session.budget = memory.Budget()  # a late change to it no longer counts here
            if session.code is not None:
                self.codes.pop(session.code, None)
            await session.close()

    async def delete_group(self, group_id: str) -> None:
        group = self.groups.pop(group_id, None)
        if group is not None:
            await group.close()
            for run in group.runs:
                await self.delete(run.id)

    def _idle(self, session: Session, now: float) -> bool:
        limit = self.settings.idle_expiry_seconds
        return not session.hub.viewers and now - session.last_active > limit

    def expired(self, now: float | None = None) -> list[str]:
        """Sessions (not in a comparison) and comparisons idle past the expiry."""
        now = time.monotonic() if now is None else now
        alone = [s for s in self.sessions.values() if s.group is None and self._idle(s, now)]
        groups = [
            g
            for g in self.groups.values()
            if not g.watchers and all(self._idle(run, now) for run in g.runs)
        ]
        return [s.id for s in alone] + [g.id for g in groups]

    async def sweep(self, now: float | None = None) -> int:
        gone = self.expired(now)
        for key in gone:
            if key in self.groups:
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
        for group_id in list(self.groups):
            await self.delete_group(group_id)
        for session_id in list(self.sessions):
            await self.delete(session_id)
        self.worker.close()
