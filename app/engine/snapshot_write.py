"""Writing a trainer snapshot's values compactly and exactly; snapshot.py reads them back.

Arrays are base64 of little-endian float64 or int64: exact, and half the size of decimal text.
Integers that may pass 2**53 are decimal texts, as JavaScript reads every JSON number as a float64.
Custom points are in the config already, so the data is written as where each of them went.
"""

import base64
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine.config import TrainConfig

F64 = NDArray[np.float64]
Points = tuple[F64, NDArray[Any], F64, NDArray[Any]]  # x_train, y_train, x_test, y_test


def encode(a: NDArray[Any], dtype: str = "<f8") -> str:
    """Base64 of `a` as little-endian `dtype` (float64 by default)."""
    return base64.b64encode(a.astype(dtype).tobytes()).decode("ascii")


def encode_points(x: F64, y: NDArray[Any]) -> str:
    return encode(_rows(x, y).ravel())


def _rows(x: F64, y: NDArray[Any]) -> F64:
    return np.column_stack([x, y.astype(np.float64)])  # (N, 3): x1, x2, label or target


def encode_data(c: TrainConfig, points: Points) -> dict[str, Any]:
    """Format 2's `data`: each part's rows, or for custom data, where each of `config.points`
    went (`split`, the training points first), as the rows are in the config already."""
    x_train, y_train, x_test, y_test = points
    if c.dataset == "custom" and c.points is not None:
        table = np.asarray(c.points, dtype=np.float64).reshape(-1, 3)  # as datasets.custom
        split = _split(table, np.vstack([_rows(x_train, y_train), _rows(x_test, y_test)]))
        if split is not None:
            return {"split": split}
    return {"train": encode_points(x_train, y_train), "test": encode_points(x_test, y_test)}


def _split(table: F64, rows: F64) -> list[int] | None:
    """For each row, the index of a point of `table` equal to it bit for bit, each taken once;
    None if the rows are not the table's points."""
    where: dict[bytes, list[int]] = {}
    for i, point in enumerate(table):
        where.setdefault(point.tobytes(), []).append(i)
    split = []
    for row in rows:
        found = where.get(row.tobytes())
        if not found:
            return None
        split.append(found.pop())
    return split if len(split) == len(table) else None


def in_document(snap: dict[str, Any]) -> dict[str, Any]:
    """A trainer snapshot as a document holds it: with the document's config beside it,
    `config.points` is written once, there (`read` takes them back with `expected`)."""
    if snap["config"].get("points") is None:
        return snap
    return {**snap, "config": {**snap["config"], "points": None}}


def rng_text(state: Mapping[str, Any]) -> dict[str, Any]:
    """A PCG64 state as format 2 writes it: its 128-bit integers as decimal texts."""
    inner = state["state"]
    return {**state, "state": {"state": str(inner["state"]), "inc": str(inner["inc"])}}
