"""Frames: one binary message per tick, built once and shared by every viewer.

Layout (see the README): a 4-byte little-endian header length, the JSON header padded with
spaces to a 4-byte boundary, then the payload — the boundary grid as bytes, the weights as
float32, and, for viewers that asked, every hidden neuron's small grid as bytes.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine import Trainer

GRID_RESOLUTION = 100
NEURON_RESOLUTION = 24
CLASS_LEVELS = 31  # low 5 bits of a multiclass cell


@dataclass(frozen=True)
class FrameSet:
    plain: bytes
    with_neurons: bytes | None  # None when no viewer asked for neurons


def _u8(values: NDArray[Any], lo: float, hi: float) -> bytes:
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    q = np.clip((values - lo) * scale + 0.5, 0.0, 255.0)
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
        return _u8(grid, 0.0, 1.0), {"encoding": "probability", "range": [0.0, 1.0]}
    if problem == "regression":
        lo, hi = target_range
        return _u8(grid, lo, hi), {"encoding": "value", "range": [lo, hi]}
    k = grid.shape[-1]
    winner = grid.argmax(axis=-1)  # (R, R)
    p = grid.max(axis=-1)  # (R, R)
    level = np.clip((p - 1.0 / k) / (1.0 - 1.0 / k) * CLASS_LEVELS + 0.5, 0, CLASS_LEVELS)
    cells = (winner.astype(np.uint8) << 5) | level.astype(np.uint8)
    return cells.tobytes(), {"encoding": "class", "range": [0.0, 1.0], "classes": k}


def encode_weights(trainer: Trainer) -> tuple[bytes, list[list[int]]]:
    arrays: list[NDArray[Any]] = []
    for w, b in trainer.layers():
        arrays += [w, b]
    shapes = [list(a.shape) for a in arrays]
    flat = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0)
    return flat.astype("<f4").tobytes(), shapes


def encode_neurons(trainer: Trainer, resolution: int) -> tuple[bytes, list[dict[str, Any]]]:
    blocks: list[bytes] = []
    layers: list[dict[str, Any]] = []
    for grid in trainer.neuron_grids(resolution):  # (R, R, width) per hidden layer
        lo, hi = float(grid.min()), float(grid.max())
        if not hi > lo:
            lo, hi = lo - 1.0, hi + 1.0
        blocks.append(_u8(np.moveaxis(grid, -1, 0), lo, hi))  # (width, R, R)
        layers.append({"width": int(grid.shape[-1]), "range": [lo, hi]})
    return b"".join(blocks), layers


def _pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def pack(header: dict[str, Any], parts: list[tuple[str, bytes]]) -> bytes:
    """Header JSON + payload; each part's offset is written into header[name]["offset"]."""
    header = {**header, **{name: dict(header[name]) for name, _ in parts}}
    offset = 0
    payload: list[bytes] = []
    for name, data in parts:
        header[name]["offset"] = offset
        padded = _pad4(data)
        payload.append(padded)
        offset += len(padded)
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    text += b" " * (-(len(text) + 4) % 4)
    return struct.pack("<I", len(text)) + text + b"".join(payload)


def unpack(message: bytes) -> tuple[dict[str, Any], bytes]:
    """The inverse of pack, for tests and scripts: (header, payload)."""
    (length,) = struct.unpack_from("<I", message)
    header = json.loads(message[4 : 4 + length])
    return header, message[4 + length :]


def build(trainer: Trainer, header: dict[str, Any], grid: Grid, neurons: bool) -> FrameSet:
    weights, shapes = encode_weights(trainer)
    base = {
        **header,
        "grid": {"resolution": GRID_RESOLUTION, **grid.info},
        "weights": {"shapes": shapes},
    }
    parts = [("grid", grid.cells), ("weights", weights)]
    plain = pack(base, parts)
    if not neurons:
        return FrameSet(plain, None)
    cells, layers = encode_neurons(trainer, NEURON_RESOLUTION)
    rich = {**base, "neurons": {"resolution": NEURON_RESOLUTION, "layers": layers}}
    return FrameSet(plain, pack(rich, [*parts, ("neurons", cells)]))
