"""Input features: name -> function of the raw coordinates (x1, x2).

The network sees the chosen features stacked feature-major, (F + 1, N), with a last row of ones
that carries the first layer's bias (see network.py). Features use the raw coordinates of the
[-6, 6] square, as TensorFlow Playground does, so x1_sq ranges over [0, 36].
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

Array = NDArray[Any]

TABLE: dict[str, Callable[[Array, Array], Array]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_sq": lambda x1, x2: x1 * x1,
    "x2_sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
    "cos_x1": lambda x1, x2: np.cos(x1),
    "cos_x2": lambda x1, x2: np.cos(x2),
}


def feature_rows(points: Array, names: Sequence[str], dtype: DTypeLike = np.float64) -> Array:
    """Features of `points` (N, 2) as a C-contiguous (len(names) + 1, N) array, ones last."""
    x1 = points[:, 0].astype(np.float64)  # compute in float64, then cast once
    x2 = points[:, 1].astype(np.float64)
    rows = np.ones((len(names) + 1, len(points)), dtype=dtype)
    for i, name in enumerate(names):
        rows[i] = TABLE[name](x1, x2)
    return rows
