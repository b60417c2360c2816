"""What training minimises: output/loss pairs per problem, and weight penalties.

Each problem pairs an output function with its matching loss (sigmoid + binary cross-entropy,
softmax + cross-entropy, identity + squared error). Matched pairs share one property: the
gradient of the mean loss with respect to the logits is (y - t) / N. So `delta` is the same
function for all three; it stays in the table to make the pairing explicit.

Regression loss is the mean of 0.5 * (y - t)^2 (the 0.5 keeps the gradient exactly y - t).
Penalties apply to weights only (`mask` is 0 on biases): l1 = rate * sum|w|,
l2 = rate * 0.5 * sum w^2, so their gradients are rate * sign(w) and rate * w.

Arrays are feature-major as in the network: logits and targets are (K, N).
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.engine.activations import sigmoid

Array = NDArray[Any]
F64 = NDArray[np.float64]


class Output(NamedTuple):
    activate: Callable[[Array, Array, Array], None]  # (logits, out, scratch column) in place
    delta: Callable[[Array, Array, Array], None]  # (y, t, out): dL/dlogits * N
    loss: Callable[[F64, F64], float]  # (logits, targets) -> mean data loss, computed stably
    gauge: float  # mean squared logit beyond which the loss exceeds ~1e6: divergence


def _sigmoid(z: Array, out: Array, col: Array) -> None:
    sigmoid(z, out)


def _softmax(z: Array, out: Array, col: Array) -> None:
    np.max(z, axis=0, keepdims=True, out=col)  # (1, N): shift by the max so exp never overflows
    np.subtract(z, col, out=out)
    np.exp(out, out=out)
    np.sum(out, axis=0, keepdims=True, out=col)
    np.divide(out, col, out=out)


def _identity(z: Array, out: Array, col: Array) -> None:
    np.copyto(out, z)


def _residual(y: Array, t: Array, out: Array) -> None:
    np.subtract(y, t, out=out)


def _bce(z: F64, t: F64) -> float:
    return float(np.mean(np.logaddexp(0.0, z) - t * z))  # -log sigmoid, from logits


def _cross_entropy(z: F64, t: F64) -> float:
    top = z.max(axis=0)
    log_norm = top + np.log(np.exp(z - top).sum(axis=0))  # (N,) log-sum-exp
    return float(np.mean(log_norm - (z * t).sum(axis=0)))


def _squared(z: F64, t: F64) -> float:
    return float(np.mean(0.5 * (z - t) ** 2))


OUTPUTS: dict[str, Output] = {
    "binary": Output(_sigmoid, _residual, _bce, gauge=1e12),  # loss ~ |z| when wrong
    "multiclass": Output(_softmax, _residual, _cross_entropy, gauge=1e12),
    "regression": Output(_identity, _residual, _squared, gauge=2e6),  # 0.5 z^2 ~ 1e6
}


class Penalty(NamedTuple):
    value: Callable[[F64, F64, float], float]  # (params, mask, rate) -> penalty
    grad: Callable[[F64, F64, F64, F64], None]  # (params, rate * mask, grads, scratch): add in


def _none_value(p: F64, mask: F64, rate: float) -> float:
    return 0.0


def _none_grad(p: F64, rmask: F64, g: F64, tmp: F64) -> None:
    pass


def _l1_value(p: F64, mask: F64, rate: float) -> float:
    return rate * float(np.dot(np.abs(p), mask))


def _l1_grad(p: F64, rmask: F64, g: F64, tmp: F64) -> None:
    np.sign(p, out=tmp)
    np.multiply(tmp, rmask, out=tmp)
    np.add(g, tmp, out=g)


def _l2_value(p: F64, mask: F64, rate: float) -> float:
    return 0.5 * rate * float(np.dot(p * p, mask))


def _l2_grad(p: F64, rmask: F64, g: F64, tmp: F64) -> None:
    np.multiply(p, rmask, out=tmp)
    np.add(g, tmp, out=g)


PENALTIES: dict[str, Penalty] = {
    "none": Penalty(_none_value, _none_grad),
    "l1": Penalty(_l1_value, _l1_grad),
    "l2": Penalty(_l2_value, _l2_grad),
}
