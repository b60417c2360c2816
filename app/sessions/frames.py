"""Frames: what a tick shows, laid out once for every viewer (wire.py compresses and chains).

The payload (see the README) is the boundary grid as one byte per cell, the weights as
float16, and, for viewers that asked, every hidden neuron's small grid as one byte per cell.
Cells carry LEVELS + 1 levels: 32 levels of probability lose nothing the eye sees. A cell keeps
the level its viewers were last sent while the value stays within one level of it, so a grid
that drifts a little differs from the one before in few cells, and deflate makes the delta
small; what a viewer is shown never differs from the server's grid by more than one level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine import Trainer
from app.sessions.wire import VERSION, Chain
from app.sessions.wire import FrameSet as FrameSet  # the frame set built here

GRID_RESOLUTION = 100
NEURON_RESOLUTION = 24
LEVELS = 31  # a cell's highest level; a multiclass cell keeps its class in the top 3 bits
FLOAT16_MAX = 65504.0  # larger weights are sent as this, not as infinity
WEIGHT_SLACK = 0.005  # the network view draws weights in steps of 0.4; tooltips show 3 digits

Message = tuple[dict[str, Any], bytes]  # a header with its parts' offsets, and the payload


def _scaled(values: NDArray[Any], lo: float, hi: float) -> NDArray[Any]:
    """`values` on the scale of levels, 0..LEVELS."""
    scale = LEVELS / (hi - lo) if hi > lo else 0.0
    return np.clip((values - lo) * scale, 0.0, LEVELS).astype(np.float32)  # kept: 4 bytes


def steady(x: NDArray[Any], high: NDArray[Any] | None, before: bytes | None) -> bytes:
    """Cells of levels `x` (0..LEVELS, with `high` in the top 3 bits when given); a cell keeps
    its level in `before` while its high bits agree and `x` stays within one level of it."""
    level = np.floor(x + 0.5)
    if before is not None and len(before) == x.size:
        shown = np.frombuffer(before, np.uint8).reshape(x.shape)
        kept = shown & LEVELS
        keep = np.abs(x - kept) <= 1.0
        if high is not None:
            keep &= (shown >> 5) == high
        level = np.where(keep, kept, level)
    cells = level.astype(np.uint8)
    if high is not None:
        cells |= high.astype(np.uint8) << 5
    return cells.tobytes()


@dataclass(frozen=True)
class Grid:
    """The boundary at one moment: levels for the wire and a map to measure change with."""

    levels: NDArray[Any]  # (R, R): on the scale of levels, 0..LEVELS
    classes: NDArray[Any] | None  # (R, R): the winning class, for several classes
    info: dict[str, Any]
    decision: NDArray[Any]  # (R, R): class per cell, or the output for regression
    values: NDArray[Any]  # (R, R) or (R, R, K): the output itself, served to REST reads


def evaluate(trainer: Trainer, target_range: tuple[float, float]) -> Grid:
    grid = trainer.grid(GRID_RESOLUTION)
    problem = trainer.config.problem
    levels, classes, info = encode_grid(grid, problem, target_range)
    decision: NDArray[Any]
    if problem == "binary":
        decision = grid >= 0.5
    elif problem == "multiclass":
        decision = grid.argmax(axis=-1)
    else:
        lo, hi = target_range
        decision = (grid - lo) / (hi - lo)
    return Grid(levels, classes, info, decision, grid)


def change(before: Grid | None, after: Grid) -> float | None:
    """How much the boundary moved: the share of cells whose class flipped, or for regression
    the mean change of the output as a share of the targets' range (at most 1)."""
    if before is None or before.decision.shape != after.decision.shape:
        return None
    if after.decision.dtype.kind == "f":  # capped: a blow-up moves by more than the range
        return min(1.0, float(np.mean(np.abs(after.decision - before.decision))))
    return float(np.mean(after.decision != before.decision))


def encode_grid(
    grid: NDArray[Any], problem: str, target_range: tuple[float, float]
) -> tuple[NDArray[Any], NDArray[Any] | None, dict[str, Any]]:
    """The boundary grid on the scale of levels, the winning classes if several, and the
    grid's description."""
    if problem == "binary":
        info = {"encoding": "probability", "range": [0.0, 1.0], "levels": LEVELS}
        return _scaled(grid, 0.0, 1.0), None, info
    if problem == "regression":
        lo, hi = target_range
        info = {"encoding": "value", "range": [lo, hi], "levels": LEVELS}
        return _scaled(grid, lo, hi), None, info
    k = grid.shape[-1]
    winner = grid.argmax(axis=-1)  # (R, R)
    p = grid.max(axis=-1)  # (R, R): the winner's probability, from 1/k to 1
    info = {"encoding": "class", "range": [0.0, 1.0], "classes": k, "levels": LEVELS}
    return _scaled(p, 1.0 / k, 1.0), winner.astype(np.uint8), info


def encode_weights(trainer: Trainer, before: bytes | None) -> tuple[bytes, list[list[int]]]:
    """The weights as float16 (a line's width and colour need 2 digits, a tooltip 3); one that
    moved by at most WEIGHT_SLACK of itself (or 0.001) since `before` keeps the value sent."""
    arrays: list[NDArray[Any]] = []
    for w, b in trainer.layers():
        arrays += [w, b]
    shapes = [list(a.shape) for a in arrays]
    flat = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0)
    if before is not None and len(before) == 2 * flat.size:
        sent = np.frombuffer(before, "<f2").astype(np.float64)
        flat = np.where(np.abs(flat - sent) <= WEIGHT_SLACK * np.abs(sent) + 1e-3, sent, flat)
    if np.abs(flat).max(initial=0.0) > FLOAT16_MAX:  # rare: a run blowing up
        flat = np.clip(flat, -FLOAT16_MAX, FLOAT16_MAX)
    return flat.astype("<f2").tobytes(), shapes


def encode_neurons(
    trainer: Trainer, resolution: int, before: bytes | None
) -> tuple[bytes, list[dict[str, Any]]]:
    blocks: list[NDArray[Any]] = []
    layers: list[dict[str, Any]] = []
    for grid in trainer.neuron_grids(resolution):  # (R, R, width) per hidden layer
        lo, hi = float(grid.min()), float(grid.max())
        if not hi > lo:
            lo, hi = lo - 1.0, hi + 1.0
        blocks.append(_scaled(np.moveaxis(grid, -1, 0), lo, hi).ravel())  # (width, R, R)
        layers.append({"width": int(grid.shape[-1]), "range": [lo, hi]})
    levels = np.concatenate(blocks) if blocks else np.zeros(0)
    return steady(levels, None, before), layers


def layout(header: dict[str, Any], parts: list[tuple[str, bytes]]) -> Message:
    """Header + payload; each part's offset is written into header[name]["offset"]."""
    header = {**header, "v": VERSION, **{name: dict(header[name]) for name, _ in parts}}
    offset = 0
    for name, data in parts:
        header[name]["offset"] = offset
        offset += len(data)
    return header, b"".join(data for _, data in parts)


def build(
    trainer: Trainer,
    header: dict[str, Any],
    grid: Grid,
    neurons: bool,
    chain: Chain | None,
    shared: bool = True,
) -> FrameSet:
    """The frame for the viewers, its cells steady against the frame last `chain`ed: `shared`
    by all (with deltas, and the next one's base) or for one newcomer (whole). No chain: a
    frame of the past, whole and on its own."""
    chain = chain or Chain()
    weights, shapes = encode_weights(trainer, chain.part("weights", rich=False))
    base = {
        **header,
        "grid": {"resolution": GRID_RESOLUTION, **grid.info},
        "weights": {"shapes": shapes},
    }
    cells = steady(grid.levels, grid.classes, chain.part("grid", rich=False))
    parts = [("grid", cells), ("weights", weights)]
    plain = layout(base, parts)
    rich = None
    if neurons:
        cells, layers = encode_neurons(trainer, NEURON_RESOLUTION, chain.part("neurons", True))
        info = {"resolution": NEURON_RESOLUTION, "layers": layers, "levels": LEVELS}
        rich = layout({**base, "neurons": info}, [*parts, ("neurons", cells)])
    return chain.frame(plain, rich, shared=shared)
