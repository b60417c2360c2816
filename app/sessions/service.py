"""The service face of sessions: every way a route builds, drives or reads a run, one call each.

Routes validate the request, call one function here and return what it gives. Building a
trainer, taking a session's lock, running work on the worker and checking the server's limits
happen behind this face, so the web layer never reaches into the engine. Refusals are
`ConfigError`s naming a field, or the exceptions of refusals.py; routes map them to HTTP.
"""

from __future__ import annotations

from typing import Any

from app.engine import ConfigError, Trainer, checkpoint, config_from_dict
from app.engine.snapshot_write import in_document
from app.sessions import actions, limits, memory
from app.sessions.history import History
from app.sessions.hub import Viewer
from app.sessions.memory import MemoryFull
from app.sessions.refusals import SESSIONS_FULL, Conflict, Full
from app.sessions.registry import Registry, RegistryFull
from app.sessions.session import Session
from app.sessions.wire import FrameSet

SNAPSHOT_FORMAT = "stepwise-snapshot"


def given(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields a change names: a field given as None keeps its value."""
    return {k: v for k, v in fields.items() if v is not None}


async def register(registry: Registry, trainer: Trainer, history: History | None = None) -> Session:
    """Hold a built run; Full when the server has no room, ConfigError when it is too big."""
    try:
        return await registry.add(trainer, history)
    except RegistryFull:
        raise Full(SESSIONS_FULL) from None
    except MemoryFull:
        raise Full(memory.FULL) from None


async def create(registry: Registry, fields: dict[str, Any]) -> Session:
    """A new session from a whole config."""
    config = limits.allowed_config(fields, registry.settings)
    trainer = await registry.worker.run(Trainer, config)
    return await register(registry, trainer)


async def import_run(
    registry: Registry,
    fields: dict[str, Any],
    trainer_doc: dict[str, Any],
    history_doc: dict[str, Any],
    version: int,
) -> Session:
    """A new session that continues an exported run bit for bit."""
    document = {"config": fields, "trainer": trainer_doc, "history": history_doc}
    trainer, history = await rebuild(registry, {**document, "version": version})
    return await register(registry, trainer, history)


async def rebuild(registry: Registry, document: dict[str, Any]) -> tuple[Trainer, History]:
    """The trainer and history of an exported run (`export`'s document), exactly as they were;
    ConfigError (or its SnapshotError) naming what is wrong with the document."""
    settings, fields, version = registry.settings, document["config"], document["version"]
    trainer_doc, history_doc = document["trainer"], document["history"]
    try:
        limits.check_config(fields, settings)
        config = config_from_dict(fields)
    except ConfigError as exc:  # the document's config is one part of it: say so
        raise ConfigError(f"config.{exc.field}", f"config.{exc.field}: {exc.message}") from None
    trainer = await registry.worker.run(Trainer.restore, trainer_doc, version, config)
    counters = (trainer.step, trainer.epoch, trainer.examples_seen)
    history = History.restore(history_doc, settings.max_history_points, counters, version)
    return trainer, history


async def export(session: Session) -> dict[str, Any]:
    """The whole run as a snapshot document, to save or to import."""
    trainer = await session.work(session.trainer.snapshot)
    return {
        "format": SNAPSHOT_FORMAT,
        "version": trainer["version"],
        "config": session.config(),
        "trainer": in_document(trainer),
        "history": session.history.snapshot(),
    }


async def branch(registry: Registry, session: Session, at: int, changes: dict[str, Any]) -> Session:
    """A new session from checkpoint `at` of `session`, with some fields changed."""
    entry = session.entry(at)
    changes = given(changes)
    settings = registry.settings
    history = History.restore(session.history.snapshot(), session.history.bound)
    history.truncate(entry.checkpoint.step)

    def build() -> Trainer:
        trainer = Trainer(entry.checkpoint.config)
        checkpoint.restore(trainer, entry.checkpoint)
        if trainer.status == "diverged" and changes:
            trainer.status, trainer.message = "ok", None  # new steps deserve a new try
        trainer.reconfigure(**changes)
        memory.check(trainer.config, settings, entry.checkpoint.config)  # names what grew
        return trainer

    trainer = await registry.worker.run(build)
    return await register(registry, trainer, history)


async def delete(registry: Registry, session: Session) -> None:
    await registry.delete(session.id)


# --- driving --------------------------------------------------------------------------------


async def step(session: Session, steps: int | None, epochs: int | None) -> None:
    """Train now, as much as one call may."""
    limits.check_step(session.settings, session.trainer.steps_per_epoch, steps, epochs)
    await actions.step(session, steps=steps, epochs=epochs)


async def configure(session: Session, changes: dict[str, Any]) -> str:
    """Change config fields; how they applied: live, data or rebuild."""
    return await actions.configure(session, given(changes))


async def reset(session: Session) -> None:
    await actions.reset(session)


async def rewind(session: Session, at: int | None) -> None:
    """Continue from checkpoint `at`; Missing when the timeline has no such moment."""
    session.entry(at)
    await actions.rewind(session, at)


async def rescue(session: Session) -> None:
    """Rescue answers a blow-up; on a healthy run it would only halve the step size unasked."""
    if session.trainer.status != "diverged":
        raise Conflict("this run has not diverged, so there is nothing to rescue")
    session.entry(None)
    await actions.rescue(session)


def play(session: Session) -> None:
    session.play()


def pause(session: Session) -> None:
    session.pause()


def set_speed(
    session: Session,
    epochs_per_second: float | None,
    steps_per_second: float | None,
    timelapse: bool,
) -> None:
    """How fast it plays (no number: as fast as it goes, or the time-lapse); every viewer is
    told."""
    session.set_speed(epochs_per_second, steps_per_second, timelapse)


# --- watching -------------------------------------------------------------------------------


def join(session: Session, viewer: Viewer) -> None:
    """Count `viewer` in; Full when the session has as many viewers as it may."""
    if session.live.viewers.count() >= session.settings.max_viewers:
        raise Full("this session has too many viewers")
    session.live.join(viewer)


def show(session: Session, comparison: str | None) -> None:
    """Tell the session's watchers which comparison its driver shows (a lesson scene), if any."""
    session.showing = comparison
    session.hub.publish_json({"type": "showing", "comparison": comparison})


def leave(session: Session, viewer: Viewer) -> None:
    session.feed.drop(viewer)
    session.live.leave(viewer)
    session.release_if_unwatched()


async def current_frame(session: Session, neurons: bool) -> FrameSet:
    return await session.work(session.current_frame, neurons)


async def past_frame(session: Session, at: int, neurons: bool) -> FrameSet | None:
    """The frame of timeline moment `at`, or None if the timeline has no such moment."""
    entry = session.timeline.get(at)
    if entry is None:
        return None
    return await session.work(session.past_frame, entry, neurons)
