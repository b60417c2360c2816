"""Frames: what a tick shows, laid out once for every viewer (wire.py compresses and chains).

The payload (see the README) is the boundary grid as one byte per cell, the weights as
float16, and, for viewers that asked, every hidden neuron's small grid as one byte per cell.
Cells carry LEVELS + 1 levels: 32 levels of probability lose nothing the eye sees, and a grid
that moved a little then differs from the one before in few cells, which deflate makes small.
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

Message = tuple[dict[str, Any], bytes]  # a header with its parts' offsets, and the payload


def _levels(values: NDArray[Any], lo: float, hi: float) -> bytes:
    scale = LEVELS / (hi - lo) if hi > lo else 0.0
    q = np.clip((values - lo) * scale + 0.5, 0.0, LEVELS)
    return q.astype(np.uint8).tobytes()


@dataclass(frozen=True)
class Grid:
    """The boundary at one moment: bytes for the wire and a map to measure change with."""

    cells: bytes
    info: dict[str, Any]
    decision: NDArray[Any]  # (R, R): class per cell, or the output for regression
    values: NDArray[Any]  # (R, R) or (R, R, K): the output itself, served to REST reads


def evaluate(trainer: Trainer, target_range: tuple[float, float]) -> Grid:
    grid = trainer.grid(GRID_RESOLUTION)
    problem = trainer.config.problem
    cells, info = encode_grid(grid, problem, target_range)
    decision: NDArray[Any]
    if problem == "binary":
        decision = grid >= 0.5
    elif problem == "multiclass":
        decision = grid.argmax(axis=-1)
    else:
        lo, hi = target_range
        decision = (grid - lo) / (hi - lo)
    return Grid(cells, info, decision, grid)


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
) -> tuple[bytes, dict[str, Any]]:
    """The boundary grid as resolution² bytes and its description."""
    if problem == "binary":
        cells = _levels(grid, 0.0, 1.0)
        return cells, {"encoding": "probability", "range": [0.0, 1.0], "levels": LEVELS}
    if problem == "regression":
        lo, hi = target_range
        return _levels(grid, lo, hi), {"encoding": "value", "range": [lo, hi], "levels": LEVELS}
    k = grid.shape[-1]
    winner = grid.argmax(axis=-1)  # (R, R)
    p = grid.max(axis=-1)  # (R, R)
    level = np.clip((p - 1.0 / k) / (1.0 - 1.0 / k) * LEVELS + 0.5, 0, LEVELS)
    cells = (winner.astype(np.uint8) << 5) | level.astype(np.uint8)
    info = {"encoding": "class", "range": [0.0, 1.0], "classes": k, "levels": LEVELS}
    return cells.tobytes(), info


def encode_weights(trainer: Trainer) -> tuple[bytes, list[list[int]]]:
    arrays: list[NDArray[Any]] = []
    for w, b in trainer.layers():
        arrays += [w, b]
    shapes = [list(a.shape) for a in arrays]
    flat = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0)
    # float16: a line's width and colour need 3 digits, and half the bytes change less often
    return np.clip(flat, -FLOAT16_MAX, FLOAT16_MAX).astype("<f2").tobytes(), shapes


def encode_neurons(trainer: Trainer, resolution: int) -> tuple[bytes, list[dict[str, Any]]]:
    blocks: list[bytes] = []
    layers: list[dict[str, Any]] = []
    for grid in trainer.neuron_grids(resolution):  # (R, R, width) per hidden layer
        lo, hi = float(grid.min()), float(grid.max())
        if not hi > lo:
            lo, hi = lo - 1.0, hi + 1.0
        blocks.append(_levels(np.moveaxis(grid, -1, 0), lo, hi))  # (width, R, R)
        layers.append({"width": int(grid.shape[-1]), "range": [lo, hi]})
    return b"".join(blocks), layers


def layout(header: dict[str, Any], parts: list[tuple[str, bytes]]) -> Message:
    """Header + payload; each part's offset is written into header[name]["offset"]."""
    header = {**header, "v": VERSION, **{name: dict(header[name]) for name, _ in parts}}
    offset = 0
    for name, data in parts:
        header[name]["offset"] = offset
        offset += len(data)
    return header, b"".join(data for _, data in parts)


def build(
    trainer: Trainer, header: dict[str, Any], grid: Grid, neurons: bool, chain: Chain | None
) -> FrameSet:
    """The frame for every viewer; with a `chain`, deltas against the frame shared before."""
    weights, shapes = encode_weights(trainer)
    base = {
        **header,
        "grid": {"resolution": GRID_RESOLUTION, **grid.info},
        "weights": {"shapes": shapes},
    }
    parts = [("grid", grid.cells), ("weights", weights)]
    plain = layout(base, parts)
    rich = None
    if neurons:
        cells, layers = encode_neurons(trainer, NEURON_RESOLUTION)
        info = {"resolution": NEURON_RESOLUTION, "layers": layers, "levels": LEVELS}
        rich = layout({**base, "neurons": info}, [*parts, ("neurons", cells)])
    return (chain or Chain()).frame(plain, rich, shared=chain is not None)
