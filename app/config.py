"""Settings read from STEPWISE_* environment variables, each with a default and a description.

Every limit the server enforces lives here, so an operator can lift or tighten it without
touching code. The README's settings table is checked against this list by a test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

PREFIX = "STEPWISE_"


def _setting(default: Any, description: str) -> Any:
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True)
class Settings:
    host: str = _setting("127.0.0.1", "Address the server listens on.")
    port: int = _setting(8000, "Port the server listens on.")
    max_sessions: int = _setting(500, "Most training sessions held at once; beyond it, 503.")
    idle_expiry_seconds: float = _setting(
        1800.0, "A session with no viewers and no calls for this long is deleted."
    )
    max_steps_per_call: int = _setting(100_000, "Most mini-batch steps one step call may ask for.")
    max_epochs_per_call: int = _setting(1_000, "Most epochs one step call may ask for.")
    max_grid_resolution: int = _setting(
        200, "Largest boundary grid (N for an N x N grid) a session's driver may read."
    )
    max_viewer_grid_resolution: int = _setting(
        100,
        "Largest boundary grid a reader without the session's token may ask for (100 is the "
        "frames' grid, served without computing); past it, 422 naming resolution.",
    )
    viewer_reads_per_second: float = _setting(
        5.0,
        "Boundary reads without the session's token answered per second to one client address, "
        "in bursts of a second's worth; quicker ones wait their turn, and past 2 s of waiting "
        "get 429 with Retry-After. 0 turns the pacing off.",
    )
    landscape_reads_per_second: float = _setting(
        4.0,
        "Loss landscapes computed per second for one session or comparison, at most; a read of "
        "a run that moved sooner waits its turn (a heavy network's is computed at most a "
        "quarter of the time). 0 turns the pacing off.",
    )
    landscape_pushes_per_second: float = _setting(
        2.0,
        "Loss landscapes sent per second, at most, to a socket that asked for them while its "
        "run plays (and no more than one per frame_rate / this many frames played); one more "
        "when the run stops.",
    )
    landscape_max_work: float = _setting(
        3e8,
        "Multiply-adds one loss landscape may cost; past it the loss is measured on every k-th "
        "training point (50 at least), and the answer says how many.",
    )
    code_misses_per_minute: int = _setting(
        20,
        "Watch codes one client address may get wrong per minute; past it, 429 with Retry-After "
        "for the rest of the minute (right codes always work).",
    )
    max_viewers: int = _setting(250, "Most WebSocket viewers of one session.")
    max_message_bytes: int = _setting(
        1_048_576, "Largest request body or WebSocket message accepted, in bytes."
    )
    max_hidden_layers: int = _setting(8, "Most hidden layers a network may have.")
    max_layer_width: int = _setting(32, "Most neurons in one hidden layer.")
    max_samples: int = _setting(5_000, "Most data points a session may hold (generated or custom).")
    max_history_points: int = _setting(
        2_000, "History kept per session; older points are thinned, first and last kept."
    )
    frame_rate: float = _setting(30.0, "Most frames per second sent to the viewers of a session.")
    unwatched_play_seconds: float = _setting(
        60.0, "A playing session with no viewers for this long pauses itself."
    )
    timeline_bytes: int = _setting(
        524_288, "Memory each session may spend on timeline checkpoints, in bytes."
    )
    max_comparison_runs: int = _setting(4, "Most runs side by side in one comparison.")
    session_memory_mb: int = _setting(
        32,
        "Most memory one session's config may need, in MB (2^20 bytes), as estimated from the "
        "config (the largest network on 5,000 points needs about 30); a config over it is "
        "refused with 422 naming the field to reduce.",
    )
    memory_mb: int = _setting(
        1536,
        "Memory all sessions together may need, in MB (2^20 bytes), as estimated; beyond it, "
        "503 with Retry-After. 500 default sessions need about 1,430, and any mix the server "
        "accepts stays near this plus ~80 for the process: inside 2 GB.",
    )
    allowed_embedders: str = _setting(
        "*",
        "Origins allowed to show /embed in an iframe, space-separated ('*' for any); "
        "every other page may not be framed at all.",
    )

    redis_url: str = _setting(
        "",
        "A Redis URL (redis://host:port/db) turns on cluster mode: runs are leased, "
        "snapshotted to Redis and resumed after a restart. Empty: one process, all in memory.",
    )
    lease_seconds: float = _setting(
        5.0,
        "Cluster mode: how long a worker's claim on a run lasts unless renewed (every third "
        "of it); a run whose owner died is taken over after this.",
    )
    snapshot_seconds: float = _setting(
        3.0,
        "Cluster mode: a playing run's snapshot is written to Redis this often; a pause, "
        "change, reset, rewind or branch writes one within half a second.",
    )
    forward_seconds: float = _setting(
        60.0,
        "Cluster mode: longest wait for the worker that owns a run to answer a request or a "
        "socket message passed on to it through Redis; past it, 503 with Retry-After.",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from the environment; unknown STEPWISE_* names are an error."""
        env = os.environ if environ is None else environ
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in env.items():
            if not key.startswith(PREFIX):
                continue
            name = key[len(PREFIX) :].lower()
            if name not in known:
                raise ValueError(f"unknown setting {key}")
            kind: Callable[[str], Any] = type(known[name].default)
            try:
                values[name] = kind(raw)
            except ValueError as exc:
                kind_name = type(known[name].default).__name__
                raise ValueError(f"{key} must be a {kind_name}, got {raw!r}") from exc
        return cls(**values)


def describe() -> list[tuple[str, Any, str]]:
    """(environment variable, default, description) for every setting, for docs and tests."""
    return [
        (PREFIX + f.name.upper(), f.default, f.metadata["description"]) for f in fields(Settings)
    ]
