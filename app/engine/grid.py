"""Evaluate the network over an R x R grid of cell centres covering the square, in float32.

Row 0 is the top of the square (x2 = +6), column 0 its left (x1 = -6). The grid's feature rows
and the float32 buffers are built once per (resolution, features) and reused: in the playground
the same grids (the boundary, and the neurons' small ones) are redrawn every frame, and float32
halves the memory traffic (np.tanh is ~5x faster on float32). A few resolutions are kept at
once; `release` frees them all for a session nobody watches. Results are fresh arrays;
non-finite values (a diverged net) become finite.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine.datasets import EXTENT
from app.engine.features import feature_rows
from app.engine.network import Network, Workspace

Array = NDArray[Any]
KEEP = 3  # resolutions whose buffers are kept at once


def grid_points(resolution: int) -> NDArray[np.float64]:
    """Cell centres (R * R, 2) in row-major order, top row first."""
    lo, hi = EXTENT
    centres = lo + (np.arange(resolution) + 0.5) * (hi - lo) / resolution
    x1 = np.tile(centres, resolution)
    x2 = np.repeat(centres[::-1], resolution)
    return np.stack([x1, x2], axis=1)


class GridEvaluator:
    def __init__(self, net: Network, features: tuple[str, ...]) -> None:
        self.net, self.features = net, features
        self._buffers: dict[int, tuple[Array, Workspace]] = {}  # resolution -> (rows, ws)

    def release(self) -> None:
        self._buffers.clear()

    def _run(self, resolution: int) -> Workspace:
        if resolution not in self._buffers:
            if len(self._buffers) >= KEEP:
                del self._buffers[next(iter(self._buffers))]  # the oldest
            rows = feature_rows(grid_points(resolution), self.features, np.float32)
            ws = Workspace(self.net, resolution * resolution, np.float32, train=False)
            self._buffers[resolution] = (rows, ws)
        rows, ws = self._buffers[resolution]
        with np.errstate(all="ignore"):
            self.net.refresh32()
            self.net.forward(ws, rows)  # (K, R * R)
            self.net.output.activate(ws.logits, ws.y, ws.col)
        return ws

    def outputs(self, resolution: int) -> Array:
        """(R, R) output for one output unit, (R, R, K) probabilities for K classes."""
        y = self._run(resolution).y
        r = resolution
        out = y[0].reshape(r, r).copy() if len(y) == 1 else y.T.copy().reshape(r, r, len(y))
        return _finite(out)

    def neurons(self, resolution: int) -> list[Array]:
        """Every hidden neuron's output: one (R, R, width) array per hidden layer."""
        ws, r = self._run(resolution), resolution
        return [_finite(top.T.copy().reshape(r, r, len(top))) for _, top, _ in ws.hidden]


def _finite(a: Array) -> Array:
    if not np.isfinite(a).all():
        np.nan_to_num(a, copy=False, posinf=np.finfo(a.dtype).max, neginf=np.finfo(a.dtype).min)
    return a
