"""What training minimises: output/loss pairs per problem, and weight penalties.

Each problem pairs an output function with its matching loss (sigmoid + binary cross-entropy,
softmax + cross-entropy, identity + squared error). Matched pairs share one property: the
gradient of the mean loss with respect to the logits is (y - t) / N. So `delta` is the same
function for all three, np.subtract; it stays in the table to make the pairing explicit.

Regression loss is the mean of 0.5 * (y - t)^2 (the 0.5 keeps the gradient exactly y - t).
Penalties apply to weights only (`mask` is 0 on biases): l1 = rate * sum|w|,
l2 = rate * 0.5 * sum w^2, so their gradients are rate * sign(w) and rate * w.

Arrays are feature-major as in the network: logits and targets are (K, N).
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.engine.activations import sigmoid_ops
from app.engine.tape import Tape, run

Array = NDArray[Any]
F64 = NDArray[np.float64]


class Output(NamedTuple):
    activate_ops: Callable[[Array, Array, Array], Tape]  # (logits, out, scratch column): a tape
    delta: Callable[[Array, Array, Array], object]  # (y, t, out): dL/dlogits * N
    loss: Callable[[F64, F64], float]  # (logits, targets) -> mean data loss, computed stably
    gauge: float  # mean squared logit beyond which the loss exceeds ~1e6: divergence

    def activate(self, z: Array, out: Array, col: Array) -> None:
        run(self.activate_ops(z, out, col))


def _softmax(z: Array, out: Array, col: Array) -> Tape:
    # np.max and np.sum over axis 0, keeping it, as the reductions they call (positional args)
    return [
        (np.maximum.reduce, (z, 0, None, col, True)),  # (1, N): shift by the max so exp
        (np.subtract, (z, col, out)),  # never overflows
        (np.exp, (out, out)),
        (np.add.reduce, (out, 0, None, col, True)),
        (np.divide, (out, col, out)),
    ]


def _identity(z: Array, out: Array, col: Array) -> Tape:
    return [(np.positive, (z, out))]  # a copy


def _bce(z: F64, t: F64) -> float:
    return float(np.mean(np.logaddexp(0.0, z) - t * z))  # -log sigmoid, from logits


def _cross_entropy(z: F64, t: F64) -> float:
    top = z.max(axis=0)
    log_norm = top + np.log(np.exp(z - top).sum(axis=0))  # (N,) log-sum-exp
    return float(np.mean(log_norm - (z * t).sum(axis=0)))


def _squared(z: F64, t: F64) -> float:
    return float(np.mean(0.5 * (z - t) ** 2))


OUTPUTS: dict[str, Output] = {
    "binary": Output(sigmoid_ops, np.subtract, _bce, gauge=1e12),  # loss ~ |z| when wrong
    "multiclass": Output(_softmax, np.subtract, _cross_entropy, gauge=1e12),
    "regression": Output(_identity, np.subtract, _squared, gauge=2e6),  # 0.5 z^2 ~ 1e6
}


class Penalty(NamedTuple):
    value: Callable[[F64, F64, float], float]  # (params, mask, rate) -> penalty
    grad_ops: Callable[[F64, F64, F64, F64], Tape]  # (params, rate * mask, grads, scratch): add in

    def grad(self, p: F64, rmask: F64, g: F64, tmp: F64) -> None:
        run(self.grad_ops(p, rmask, g, tmp))


def _none_value(p: F64, mask: F64, rate: float) -> float:
    return 0.0


def _none_grad(p: F64, rmask: F64, g: F64, tmp: F64) -> Tape:
    return []


def _l1_value(p: F64, mask: F64, rate: float) -> float:
    return rate * float(np.dot(np.abs(p), mask))


def _l1_grad(p: F64, rmask: F64, g: F64, tmp: F64) -> Tape:
    return [(np.sign, (p, tmp)), (np.multiply, (tmp, rmask, tmp)), (np.add, (g, tmp, g))]


def _l2_value(p: F64, mask: F64, rate: float) -> float:
    return 0.5 * rate * float(np.dot(p * p, mask))


def _l2_grad(p: F64, rmask: F64, g: F64, tmp: F64) -> Tape:
    return [(np.multiply, (p, rmask, tmp)), (np.add, (g, tmp, g))]


PENALTIES: dict[str, Penalty] = {
    "none": Penalty(_none_value, _none_grad),
    "l1": Penalty(_l1_value, _l1_grad),
    "l2": Penalty(_l2_value, _l2_grad),
}
