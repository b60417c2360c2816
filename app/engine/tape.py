"""A tape: a fixed sequence of numpy calls over preallocated buffers, and its player.

The training step of a small network is bound by per-call overhead, not arithmetic: a few dozen
ufunc and dot calls on arrays of a few hundred numbers. So the pieces of a step (activations,
output, penalty, optimizer) describe their work as tapes, built once per buffer layout, and the
step plays them: one loop of calls with no Python function or attribute lookups in between.
Calls pass their output positionally (but np.maximum, which takes it by keyword only) and their
constants as 0-d arrays of the buffers' dtype, the two cheapest ways numpy takes them; both
compute exactly what `out=` and a Python float do, so a tape is bit for bit the plain calls.
"""

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

Call = tuple[Callable[..., object], tuple[Any, ...]]
Tape = list[Call]


def run(tape: Iterable[Call]) -> None:
    for f, args in tape:
        f(*args)


def const(value: float, dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """A 0-d constant for a tape: the same number a Python float would be in `dtype`."""
    return np.array(value, dtype)
