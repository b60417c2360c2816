"""Checkpoints: compact in-memory copies of a trainer's whole state, for a timeline.

A snapshot (trainer.snapshot) is JSON for leaving the process; a checkpoint stays in numpy
and costs a few KB, so a session can keep a hundred of them. Restoring one continues the run
bit for bit, on the same points even when they came from an imported snapshot rather than
from the seeds; `showing` lends its weights to the trainer for drawing, then puts the live ones
back, so scrubbing the past never disturbs the present.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine.config import TrainConfig
from app.engine.snapshot import Given
from app.engine.trainer import Trainer

F64 = NDArray[np.float64]
OVERHEAD = 2048  # bytes of the small Python objects around the arrays, as measured
SHAPE = ("features", "hidden_layers", "activation", "seed")  # fields fixing the network's shape


@dataclass(frozen=True)
class Checkpoint:
    config: TrainConfig
    params: F64
    optimizer: tuple[int, dict[str, F64]]  # step count, state vectors
    rng: dict[str, Any]
    counters: tuple[int, int, int, int]  # step, epoch, examples_seen, position in the epoch
    order: NDArray[np.int16] | None  # this epoch's permutation (< 5,000 points), mid-epoch
    status: str
    message: str | None
    last: dict[str, float | None]
    given: Given | None = None  # points from a snapshot: shared, never copied

    @property
    def step(self) -> int:
        return self.counters[0]

    @property
    def nbytes(self) -> int:
        arrays: list[NDArray[Any]] = [self.params, *self.optimizer[1].values()]
        if self.order is not None:
            arrays.append(self.order)
        return sum(a.nbytes for a in arrays) + OVERHEAD


def take(t: Trainer) -> Checkpoint:
    opt = t._opt
    keep_order = t._order is not None and t._pos > 0
    return Checkpoint(
        config=t.config,
        params=t.net.params.copy(),
        optimizer=(opt.t, {k: b.copy() for k, b in opt.buffers.items()}),
        rng=dict(t._rng.bit_generator.state),
        counters=(t.step, t.epoch, t.examples_seen, t._pos),
        order=t._order.astype(np.int16) if keep_order and t._order is not None else None,
        status=t.status,
        message=t.message,
        last=dict(t._last),
        given=t._given,
    )


def compatible(t: Trainer, cp: Checkpoint) -> bool:
    """Whether `cp` came from a network of the same shape as `t`'s."""
    same = all(getattr(t.config, f) == getattr(cp.config, f) for f in SHAPE)
    return same and (t.config.problem, t.config.n_outputs) == (
        cp.config.problem,
        cp.config.n_outputs,
    )


def restore(t: Trainer, cp: Checkpoint) -> None:
    """Put `t` exactly where `cp` was: config, weights, optimizer, generator and counters."""
    if not compatible(t, cp):
        raise ValueError("the checkpoint comes from a network of another shape")
    if cp.config != t.config:
        t.reconfigure(**{k: getattr(cp.config, k) for k in cp.config.__dataclass_fields__})
    if cp.given is not None and t._given is not cp.given:  # a branch of an imported run
        t._given = cp.given
        t._build_data()  # the snapshot's points again, if the data settings are still theirs
    np.copyto(t.net.params, cp.params)
    np.copyto(t._backup, cp.params)
    t._opt.reset()
    t._opt.t = cp.optimizer[0]
    for k, b in cp.optimizer[1].items():
        np.copyto(t._opt.buffers[k], b)
    t._rng.bit_generator.state = cp.rng
    t.step, t.epoch, t.examples_seen, t._pos = cp.counters
    t._order = None
    if cp.order is not None:
        t._shuffle(cp.order.astype(np.int64))
    t.status, t.message = cp.status, cp.message
    t._last = dict(cp.last)
    t._metrics = None


@contextmanager
def showing(t: Trainer, cp: Checkpoint) -> Iterator[Trainer]:
    """Lend `cp`'s weights to `t` for grids and layers; the live weights return afterwards."""
    if not compatible(t, cp):
        raise ValueError("the checkpoint comes from a network of another shape")
    live = t.net.params.copy()
    np.copyto(t.net.params, cp.params)
    try:
        yield t
    finally:
        np.copyto(t.net.params, live)
