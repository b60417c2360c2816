"""Toy data sets in the square [-6, 6]^2: name -> generator, plus custom points and the split.

A generator takes (rng, n, noise, classes) and returns points (n, 2) and labels (n,): int64
class indices for classification, float64 targets in about [-1, 1] for regression.
`noise` (0-0.5) is the standard deviation of a Gaussian jitter in units of JITTER, added to the
points after they are labelled (for regression it is added to the targets instead), so at
noise 0 every set is cleanly separable and at 0.5 the classes overlap visibly.
"""

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Data = tuple[F64, NDArray[np.float64] | NDArray[np.int64]]
EXTENT = (-6.0, 6.0)
JITTER = 2.0  # noise 0.5 -> a jitter of one unit


def _finish(rng: np.random.Generator, x: F64, noise: float) -> F64:
    x = x + rng.normal(0.0, noise * JITTER, x.shape)
    return np.clip(x, *EXTENT)


def _polar(r: F64, angle: F64) -> F64:
    return np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)


def circle(rng: np.random.Generator, n: int, noise: float, classes: int) -> Data:
    y = np.arange(n) % 2  # half inside (class 1), half on a surrounding ring (class 0)
    r = np.where(y == 1, rng.uniform(0.0, 2.5, n), rng.uniform(3.5, 5.0, n))
    return _finish(rng, _polar(r, rng.uniform(0.0, 2 * np.pi, n)), noise), y


def xor(rng: np.random.Generator, n: int, noise: float, classes: int) -> Data:
    x = rng.uniform(-5.5, 5.5, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)  # keep a gap along the axes, where the label flips
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    return _finish(rng, x, noise), y


def gauss(rng: np.random.Generator, n: int, noise: float, classes: int) -> Data:
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, 2.0, -2.0)  # (n, 2): blobs at (2, 2) and (-2, -2)
    return _finish(rng, centres + rng.normal(0.0, 1.0, (n, 2)), noise), y


def spiral(rng: np.random.Generator, n: int, noise: float, classes: int) -> Data:
    y = np.arange(n) % classes  # one arm per class, 1.75 turns out to radius 5
    t = (np.arange(n) // classes + 0.5) / -(-n // classes)  # (n,) evenly along each arm
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * y / classes
    return _finish(rng, _polar(5.0 * t, angle), noise), y


def moons(rng: np.random.Generator, n: int, noise: float, classes: int) -> Data:
    y = np.arange(n) % 2
    theta = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    lower = np.stack([1.0 - np.cos(theta), 0.5 - np.sin(theta)], axis=1)
    x = np.where(y[:, None] == 0, upper, lower) - [0.5, 0.25]  # centre the pair
    return _finish(rng, 3.5 * x, noise), y


def blobs(rng: np.random.Generator, n: int, noise: float, classes: int) -> Data:
    y = np.arange(n) % classes
    centres = _polar(np.full(classes, 3.5), 2 * np.pi * np.arange(classes) / classes)
    return _finish(rng, centres[y] + rng.normal(0.0, 0.7, (n, 2)), noise), y


def plane(rng: np.random.Generator, n: int, noise: float, classes: int) -> Data:
    x = rng.uniform(*EXTENT, (n, 2))
    t = (x[:, 0] + x[:, 1]) / 12.0  # a tilted plane, -1 to 1 across the square
    return x, t + rng.normal(0.0, noise, n)


def multigauss(rng: np.random.Generator, n: int, noise: float, classes: int) -> Data:
    x = rng.uniform(*EXTENT, (n, 2))
    bumps = np.array([[-3.0, 3.0, 1.0], [3.0, 3.0, -1.0], [-3.0, -3.0, -1.0], [3.0, -3.0, 1.0]])
    d2 = ((x[:, None, :] - bumps[None, :, :2]) ** 2).sum(axis=2)  # (n, 4) squared distances
    t = (bumps[:, 2] * np.exp(-d2 / (2 * 1.5**2))).sum(axis=1)
    return x, t + rng.normal(0.0, noise, n)


Generator = Callable[[np.random.Generator, int, float, int], Data]
GENERATORS: dict[str, Generator] = {
    "circle": circle,
    "xor": xor,
    "gauss": gauss,
    "spiral": spiral,
    "moons": moons,
    "blobs": blobs,
    "plane": plane,
    "multigauss": multigauss,
}
REGRESSION = ("plane", "multigauss")
MULTICLASS = ("blobs", "spiral")  # the sets whose `classes` field is honoured


def custom(points: Sequence[Sequence[float]]) -> Data:
    """Validated (x1, x2, label) triples as points (n, 2) and int labels (n,)."""
    table = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return np.ascontiguousarray(table[:, :2]), table[:, 2].astype(np.int64)


def split(
    rng: np.random.Generator, x: F64, y: NDArray[np.float64] | I64, train_fraction: float
) -> tuple[F64, NDArray[np.float64] | I64, F64, NDArray[np.float64] | I64]:
    """Shuffle and cut into (x_train, y_train, x_test, y_test); both parts keep >= 1 point."""
    order = rng.permutation(len(x))
    cut = train_size(len(x), train_fraction)
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def train_size(n: int, train_fraction: float) -> int:
    """How many of `n` points `split` puts in the training set."""
    return min(max(round(train_fraction * n), 1), n - 1)
