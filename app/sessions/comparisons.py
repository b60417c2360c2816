"""The service face of comparisons: create, drive and change runs that differ in one field.

As service.py does for sessions: routes validate, call one function here and return. The runs
are built and checked against the server's limits here; a `ConfigError` names the field (a
run's value as `values.i`), `Full` says the server has no room.
"""

from __future__ import annotations

from typing import Any

from app.engine import ConfigError, Trainer, config_from_dict
from app.sessions import limits, memory
from app.sessions.group import Comparison
from app.sessions.hub import Tap, Viewer
from app.sessions.memory import MemoryFull
from app.sessions.refusals import SESSIONS_FULL, Full
from app.sessions.registry import Registry, RegistryFull
from app.sessions.service import given


async def create(
    registry: Registry, fields: dict[str, Any], vary: str, values: list[Any]
) -> Comparison:
    """Runs from one config and seed, one per value of the field `vary`."""
    settings = registry.settings
    limits.check_runs(settings, len(values))
    limits.check_config(fields, settings)
    configs = limits.run_configs(fields, vary, values, settings)
    trainers = [await registry.worker.run(Trainer, config_from_dict(c)) for c in configs]
    try:
        return await registry.add_group(trainers, vary, list(values))
    except RegistryFull:
        raise Full(SESSIONS_FULL) from None
    except MemoryFull:
        raise Full(memory.FULL) from None


async def delete(registry: Registry, group: Comparison) -> None:
    await registry.delete_group(group.id)


async def step(group: Comparison, epochs: int | None) -> None:
    """Every run the same whole epochs, as many as one call may train."""
    if epochs is None:
        raise ConfigError("steps", "a comparison steps in whole epochs, to stay in step")
    slowest = max(run.trainer.steps_per_epoch for run in group.runs)
    limits.check_group_step(group.runs[0].settings, slowest, epochs)
    await group.step(epochs)


async def reset(group: Comparison) -> None:
    await group.reset()


async def update(
    group: Comparison, changes: dict[str, Any] | None, values: list[Any] | None
) -> None:
    """Change the shared config, and (with `values`) each run's varied value."""
    if values is not None and len(values) != len(group.runs):
        raise ConfigError("values", f"give one value per run ({len(group.runs)})")
    if changes is not None:
        await group.configure(given(changes))
    if values is not None:
        limits.run_configs(group.runs[0].config(), group.vary, values, group.settings)
        for i, value in enumerate(values):
            await group.set_value(i, value)


async def set_value(group: Comparison, index: int, value: Any) -> None:
    """One run's varied value; every watcher is told."""
    if index >= len(group.runs):
        raise ConfigError("index", f"there are {len(group.runs)} runs")
    values = list(group.values)
    values[index] = value
    limits.run_configs(group.runs[0].config(), group.vary, values, group.settings)
    await group.set_value(index, value)
    group.announce()


def play(group: Comparison) -> None:
    group.play()


def pause(group: Comparison) -> None:
    group.pause()


def set_speed(
    group: Comparison,
    epochs_per_second: float | None,
    steps_per_second: float | None,
    timelapse: bool,
) -> None:
    """How fast every run plays, in epochs per second (or time-lapse) to stay in step."""
    if steps_per_second is not None:
        raise ConfigError("steps_per_second", "a comparison's speed is in epochs per second")
    group.set_speed(epochs_per_second, timelapse)


def join(group: Comparison, viewer: Viewer) -> list[Tap]:
    """Watch every run through one socket; the taps name each run's frames."""
    return group.join(viewer)


def leave(group: Comparison, viewer: Viewer, taps: list[Tap]) -> None:
    group.leave(viewer, taps)
