"""The registry: every live session by id, the cap on how many, and their expiry.

Ids and tokens are separate secrets from the system's CSPRNG (192 and 256 bits): the id lets
anyone who has it watch; only the token drives. Sessions idle past the expiry with no viewer are
closed and dropped, which frees their memory.
"""

from __future__ import annotations

import asyncio
import secrets
import time

from app.config import Settings
from app.engine import Trainer
from app.sessions.history import History
from app.sessions.session import Session


class RegistryFull(Exception):
    pass


class Registry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self.sessions)

    def get(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    async def add(self, trainer: Trainer, history: History | None = None) -> Session:
        if len(self.sessions) >= self.settings.max_sessions:
            await self.sweep()
        if len(self.sessions) >= self.settings.max_sessions:
            raise RegistryFull
        session_id = secrets.token_urlsafe(24)
        session = Session(session_id, secrets.token_urlsafe(32), trainer, self.settings, history)
        self.sessions[session_id] = session
        return session

    async def delete(self, session_id: str) -> None:
        session = self.sessions.pop(session_id, None)
        if session is not None:
            await session.close()

    def expired(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        limit = self.settings.idle_expiry_seconds
        return [
            sid
            for sid, s in self.sessions.items()
            if not s.hub.viewers and now - s.last_active > limit
        ]

    async def sweep(self, now: float | None = None) -> int:
        gone = self.expired(now)
        for session_id in gone:
            await self.delete(session_id)
        return len(gone)

    async def sweep_forever(self) -> None:
        interval = max(1.0, min(60.0, self.settings.idle_expiry_seconds / 4))
        while True:
            await asyncio.sleep(interval)
            await self.sweep()

    async def close(self) -> None:
        for session_id in list(self.sessions):
            await self.delete(session_id)
