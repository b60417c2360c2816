"""The loss landscape: a 2-D slice through weight space, its loss on a grid, and the path on it.

The plane passes through a centre (the current weights, or a comparison's shared start) and is
spanned by two directions: the top two principal components of the path's checkpoints minus
the centre, or — while the path is too short for that — two random directions scaled neuron by
neuron to the size of that neuron's weights (filter-normalised, Li et al. 2018), biases left
still. Each axis carries the share of the path's spread (its squared distance from the centre)
that the axis explains, so a picture of two axes never passes for the whole space.

The loss over an R x R grid of the plane (R odd, so the centre cell is exactly the centre) is
one batched forward pass of the training set through R² weight vectors: every layer's weights
are linear in the two coordinates, W(a, b) = C + a·D + b·E, so all the vectors' weights of a
layer are one broadcast sum (M, out, in + 1), and the layer one batched matrix product with the
vectors' activations (M, in + 1, N) — no Python loop over vectors. It runs in float32 (np.tanh
is ~10x faster there), chunked to bound memory; the centre cell is then evaluated again in
float64 by the same code, so it is the run's training loss to the last digits. Losses past CAP
(or not finite) are capped.
A big network on many points would cost seconds, so a grid may be given a budget of work: past
it the loss is measured on every k-th training point, and the answer says how many it used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from app.engine.features import feature_rows
from app.engine.network import Network
from app.engine.trainer import Trainer

Array = NDArray[Any]
F64 = NDArray[np.float64]
RESOLUTIONS = range(11, 102, 2)  # R of an R × R grid: odd, so the centre cell is the centre exactly
CAP = 1e6  # the loss a cell shows at most: past it the run would count as diverged
MIN_PATH = 3  # checkpoints away from the centre needed before the path's own directions are used
MARGIN = 0.2  # the extent covers the path and this share more on each side
LEAST = 0.25  # an axis spans at least this share of the other: a straight path still shows a valley
MIN_POINTS = 50  # training points a grid is measured on, at least, however big the network
CHUNK_BYTES = 8 << 20  # float32 activations of one chunk of weight vectors, at most


@dataclass(frozen=True)
class Plane:
    centre: F64  # (P,)
    directions: F64  # (2, P)
    explained: tuple[float, float]  # share of the path's spread along each axis, 0..1
    ranges: tuple[float, float]  # axis i covers [-ranges[i], ranges[i]]
    kind: str  # "pca" | "random"

    def project(self, params: F64) -> tuple[float, float]:
        """Coordinates of the point of the plane nearest to `params` (least squares)."""
        a, b = self.project_all([params])[0]
        return float(a), float(b)

    def project_all(self, path: list[F64]) -> F64:
        """(n, 2): the coordinates of every point of `path`, in one solve."""
        d = self.directions  # (2, P)
        diffs = np.array(path).reshape(len(path), len(self.centre)) - self.centre  # (n, P)
        coords = np.linalg.solve(d @ d.T, d @ diffs.T).T  # (n, 2)
        return np.asarray(coords, dtype=np.float64)

    def axis(self, i: int, resolution: int) -> F64:
        """The R coordinates of the cell centres along axis i, from -range to +range."""
        return np.linspace(-self.ranges[i], self.ranges[i], resolution)


def shapes(sizes: list[int]) -> list[tuple[int, int]]:
    """Each layer's block (out, in + 1), in the order the flat parameter vector holds them."""
    return [(fan_out, fan_in + 1) for fan_in, fan_out in pairwise(sizes)]


def blocks(flat: F64, sizes: list[int]) -> list[F64]:
    offsets = np.cumsum([0, *(r * c for r, c in shapes(sizes))])  # where each block starts
    return [
        flat[a:b].reshape(s) for (a, b), s in zip(pairwise(offsets), shapes(sizes), strict=True)
    ]


def random_direction(centre: F64, sizes: list[int], rng: np.random.Generator) -> F64:
    """A Gaussian direction, each neuron's incoming weights scaled to that neuron's norm."""
    d = rng.standard_normal(len(centre))
    for w, v in zip(blocks(centre, sizes), blocks(d, sizes), strict=True):
        v[:, -1] = 0.0  # biases stay put, as in Li et al.
        scale = np.linalg.norm(w[:, :-1], axis=1) / np.maximum(np.linalg.norm(v, axis=1), 1e-12)
        v *= scale[:, None]  # (out, in + 1) row by row
    return d


def plane(centre: F64, path: list[F64], sizes: list[int], seed: int) -> Plane:
    """The slice through `centre` best showing `path` (checkpoints' flat weights)."""
    diffs = np.array([p - centre for p in path]).reshape(len(path), len(centre))  # (n, P)
    moved = diffs[np.linalg.norm(diffs, axis=1) > 0]
    if len(moved) >= MIN_PATH:
        _, s, vt = np.linalg.svd(moved, full_matrices=False)
        directions, kind = vt[:2].copy(), "pca"
        if len(s) < 2 or s[1] <= 1e-12 * s[0]:  # a straight path: any second axis is as good
            other = random_direction(centre, sizes, np.random.default_rng(seed))
            other -= (other @ directions[0]) * directions[0]
            directions = np.stack([directions[0], other / np.linalg.norm(other)])
        for i in range(2):  # the oldest checkpoint on the negative side: the path runs rightwards
            if diffs[0] @ directions[i] > 0:
                directions[i] *= -1
    else:
        rng = np.random.default_rng(seed)
        directions = np.stack([random_direction(centre, sizes, rng) for _ in range(2)])
        kind = "random"
    total = float(np.sum(diffs * diffs))
    units = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    spread = np.sum((diffs @ units.T) ** 2, axis=0) if total > 0 else np.zeros(2)  # (2,)
    explained = (float(spread[0] / total), float(spread[1] / total)) if total > 0 else (0.0, 0.0)
    flat = Plane(centre.copy(), directions, explained, (1.0, 1.0), kind)
    coords = flat.project_all(path)  # (n, 2)
    reach = np.abs(coords).max(axis=0) * (1 + MARGIN) if len(path) else np.zeros(2)
    if kind == "random":
        reach = np.maximum(reach, 1.0)  # at least the weights' own size either way
    reach = np.maximum(reach, LEAST * reach.max())
    reach = np.where(reach > 0, reach, 1.0)
    return Plane(flat.centre, directions, explained, (float(reach[0]), float(reach[1])), kind)


@dataclass(frozen=True)
class Task:
    """What the loss is measured on: the network's shape and activation, and the training set."""

    net: Network
    problem: str
    x: F64  # (F + 1, N) features as the network reads them
    t: F64  # (K, N) targets

    def within(self, vectors: int, work: float) -> Task:
        """The task on every k-th training point, so that `vectors` weight vectors cost at most
        `work` multiply-adds (never fewer than MIN_POINTS points): a big network on many points
        would otherwise take seconds per grid."""
        n = self.x.shape[1]
        if work >= vectors * parameters(self.net.sizes) * n:
            return self
        fits = int(work // (vectors * parameters(self.net.sizes)))
        keep = np.linspace(0, n - 1, max(fits, min(MIN_POINTS, n))).astype(np.int64)
        return Task(self.net, self.problem, self.x[:, keep], self.t[:, keep])


def parameters(sizes: list[int]) -> int:
    return sum(r * c for r, c in shapes(sizes))


def task(trainer: Trainer) -> Task:
    """The run's training loss as a task (the same loss its metrics report)."""
    c = trainer.config
    x = feature_rows(trainer.x_train, c.features)
    if c.problem == "multiclass":
        t = (np.arange(c.n_classes)[:, None] == trainer.y_train[None, :]).astype(np.float64)
    else:
        t = trainer.y_train.astype(np.float64)[None, :]
    return Task(trainer.net, c.problem, x, t)


def _binary(z: Array, t: Array) -> Array:
    """log(1 + e^z) - t·z, written out: np.logaddexp costs ~5x more on float32."""
    soft = np.abs(z)  # (M, 1, N)
    np.negative(soft, out=soft)
    np.exp(soft, out=soft)
    np.log1p(soft, out=soft)
    soft += np.maximum(z, 0.0)
    soft -= t * z
    per_vector: Array = np.mean(soft, axis=(1, 2))
    return per_vector


def _multiclass(z: Array, t: Array) -> Array:
    top = z.max(axis=1, keepdims=True)  # (M, 1, N)
    log_norm = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))  # (M, N)
    per_vector: Array = np.mean(log_norm - (z * t).sum(axis=1), axis=1)
    return per_vector


def _squared(z: Array, t: Array) -> Array:
    per_vector: Array = np.mean(0.5 * (z - t) ** 2, axis=(1, 2))
    return per_vector


# The same losses as losses.OUTPUTS, one per weight vector, in its dtype: (M, K, N) -> (M,)
LOSSES: dict[str, Callable[[Array, Array], Array]] = {
    "binary": _binary,
    "multiclass": _multiclass,
    "regression": _squared,
}


class Batch:
    """Buffers for the forward pass of up to `m` weight vectors over the training set."""

    def __init__(self, task: Task, m: int, dtype: DTypeLike) -> None:
        n, widths = task.x.shape[1], task.net.sizes[1:-1]
        self.dtype = np.dtype(dtype)
        self.x = task.x.astype(dtype)  # (F + 1, N): the first layer's input, shared
        self.acts = [np.ones((m, w + 1, n), dtype) for w in widths]  # last row: the bias input
        self.z = [np.empty((m, w, n), dtype) for w in task.net.sizes[1:]]


def losses(task: Task, p: Plane, a: F64, b: F64, batch: Batch) -> F64:
    """The mean training loss at the weights centre + a[m]·d1 + b[m]·d2, for every m: (M,)."""
    m, dt = len(a), batch.dtype
    a_, b_ = a.astype(dt)[:, None, None], b.astype(dt)[:, None, None]  # (M, 1, 1)
    c, d, e = (blocks(v.astype(dt), task.net.sizes) for v in (p.centre, *p.directions))
    act: Array = batch.x
    for i, (c_l, d_l, e_l) in enumerate(zip(c, d, e, strict=True)):
        w = c_l + a_ * d_l + b_ * e_l  # (M, out, in + 1): every vector's weights for the layer
        z = batch.z[i][:m]
        np.matmul(w, act, out=z)  # (M, out, N)
        if i == len(c) - 1:
            break
        act = batch.acts[i][:m]
        task.net.act.forward(z, act[:, :-1])
    return LOSSES[task.problem](z, task.t.astype(dt)[None]).astype(np.float64)


def chunk(task: Task) -> int:
    """Weight vectors per batch so one batch's float32 activations stay within CHUNK_BYTES."""
    rows = sum(2 * w + 1 for w in task.net.sizes[1:])
    return max(1, int(CHUNK_BYTES // (4 * rows * max(task.x.shape[1], 1))))


@dataclass(frozen=True)
class Surface:
    values: F64  # (R, R) finite losses, row 0 at the top (axis 2 = +range), column 0 at -range
    capped: bool  # whether some cells overflowed and show CAP instead
    points: int  # training points measured (all of them unless the work had to be bounded)


def surface(task: Task, p: Plane, resolution: int, work: float = float("inf")) -> Surface:
    """The training loss over the plane's R x R grid, in at most `work` multiply-adds."""
    r = resolution
    task = task.within(r * r, work)
    a = np.tile(p.axis(0, r), r)  # (R², ) row-major
    b = np.repeat(p.axis(1, r)[::-1], r)
    out = np.empty(r * r)
    step = min(chunk(task), r * r)
    batch = Batch(task, step, np.float32)
    with np.errstate(all="ignore"):
        for lo in range(0, r * r, step):
            out[lo : lo + step] = losses(task, p, a[lo : lo + step], b[lo : lo + step], batch)
        zero = np.zeros(1)
        exact = Batch(task, 1, np.float64)
        out[(r * r) // 2] = losses(task, p, zero, zero, exact)[0]  # the centre, to the last digit
    bad = ~np.isfinite(out) | (out > CAP)
    out[bad] = CAP
    return Surface(out.reshape(r, r), bool(bad.any()), int(task.x.shape[1]))
