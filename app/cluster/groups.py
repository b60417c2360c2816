"""A comparison in Redis: its one record, and the comparison a worker takes over from it.

A comparison's owner leases its id and each of its runs' ids (registry.py), and keeps one record
under the comparison's id, stamped with the comparison's fence: its token, varied field and
values, speed, whether it plays, and each run's id, token and snapshot (the export document of
service.py). It is written when it is due as a run's is — at once after anything but training
moved it, every `snapshot_seconds` while it plays. Its runs have no records of their own: the
worker that claims an orphaned comparison claims its runs' leases too and rebuilds it whole,
with the same ids and tokens, so that its pages, links and driver go on as they were.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from app.cluster.fanout import ClusterHub
from app.engine import ConfigError
from app.sessions import service
from app.sessions.group import Comparison
from app.sessions.memory import MemoryFull
from app.sessions.registry import Registry, RegistryFull
from app.sessions.session import Session

if TYPE_CHECKING:
    from app.cluster.registry import ClusterRegistry

log = logging.getLogger("stepwise")


def mark(registry: ClusterRegistry, group: Comparison) -> tuple[Any, ...]:
    """What a record would show of the comparison, its runs' steps last (registry.due)."""
    runs = tuple(registry.mark(run)[:-1] for run in group.runs)
    speed = (group.epochs_per_second, group.timelapse)
    steps = sum(run.trainer.step for run in group.runs)
    return (group.playing, speed, tuple(group.values), runs, steps)


async def record(group: Comparison) -> dict[str, Any]:
    runs = [
        {"id": run.id, "token": run.token, "snapshot": await service.export(run)}
        for run in group.runs
    ]
    about = {
        "token": group.token,
        "vary": group.vary,
        "values": list(group.values),
        "playing": group.playing,
        "epochs_per_second": group.epochs_per_second,
        "timelapse": group.timelapse,
    }
    return {"group": about, "runs": runs}


async def persist(registry: ClusterRegistry, group: Comparison) -> bool:
    """Write the comparison's record with its fence; let it go if a newer owner refuses it."""
    fence = registry.fences.get(group.id)
    if fence is None:
        return False
    now = mark(registry, group)
    document = await record(group)
    if registry.fences.get(group.id) != fence:  # deleted or dropped meanwhile
        return False
    if not await registry.ledger.save(group.id, fence, document):
        await registry.drop(group.id)
        return False
    registry.marks[group.id], registry.written[group.id] = now, time.monotonic()
    return True


async def resume(
    registry: ClusterRegistry, key: str, document: dict[str, Any]
) -> Comparison | None:
    """Go on with an orphaned comparison whose lease this worker has just claimed: its runs'
    leases too, its runs rebuilt, played on if it played. None (every lease let go again) if a
    run is still held or there is no room for it here."""
    about, ids = document["group"], [run["id"] for run in document["runs"]]
    claimed: list[str] = []
    runs: list[Session] = []
    try:
        for run_id in ids:
            fence = await registry.ledger.claim(run_id)
            if fence is None:  # its old owner's lease on it has not run out yet: next time
                raise KeyError(f"run {run_id[:8]} is still held")
            registry.fences[run_id] = fence
            claimed.append(run_id)
        for run in document["runs"]:
            trainer, history = await service.rebuild(registry, run["snapshot"])
            ident = (run["id"], run["token"])
            runs.append(await Registry.add(registry, trainer, history, ident))
    except (RegistryFull, MemoryFull, ConfigError, KeyError, TypeError) as exc:
        log.warning("comparison %s: not resumed here (%s)", key[:8], exc)
        for session in runs:
            await Registry.delete(registry, session.id)
        for held in [key, *claimed]:
            registry.fences.pop(held, None)
            await registry.ledger.release(held)  # another worker may have room
        return None
    group = registry.hold_group(key, about["token"], about["vary"], about["values"], runs)
    group.epochs_per_second, group.timelapse = about["epochs_per_second"], about["timelapse"]
    for session in runs:  # each run's viewers, here and elsewhere, hear where it went on from
        trainer = session.trainer
        registry.resumed.mark(session.id, trainer.epoch, trainer.step)
        session.run.seq = registry.fences[session.id] << 32  # newer than the old owner's
        if isinstance(session.hub, ClusterHub):
            note = {"type": "resumed", "epoch": trainer.epoch, "step": trainer.step}
            session.hub.tell(note, always=True)
    await registry.remote.refresh([key, *ids])
    if about["playing"]:
        group.play()
    registry.marks[key], registry.written[key] = mark(registry, group), time.monotonic()
    log.info("comparison %s: resumed (fence %d)", key[:8], registry.fences.get(key, 0))
    return group
