"""What the service answers when it will not do what was asked, in words the routes map to HTTP.

A bad value is a `ConfigError` naming its field (422; the engine's, named here so that routes
need not reach into the engine); `MemoryFull`, a `ConfigError` too, says
the server's memory is spoken for (503). These add what a value cannot say: a moment or a run
that is not there (404), a server with no room (503) and an action that does not fit the run's
state (409). Each carries a sentence for a person and, where one is to blame, the field.
"""

from __future__ import annotations

from app.engine import ConfigError

__all__ = ["SESSIONS_FULL", "ConfigError", "Conflict", "Full", "Missing"]

SESSIONS_FULL = "the server is running as many sessions as it may; try again in a minute"


class Missing(ConfigError):
    """What `field` names is not there (a timeline moment thinned away, say)."""


class Full(Exception):
    """The server holds its maximum of sessions, or of their memory; try again later."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Conflict(Exception):
    """The run is not in a state where this action makes sense."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
