"""Hidden-layer activations: name -> (forward, backward), all in place, as tapes (tape.py).

`forward(z, out)` writes f(z) into `out`. `backward(a, d, tmp)` multiplies the incoming gradient
`d` in place by f'(z), computed from the activation's *output* `a` = f(z): every function here has
a derivative expressible through its output, so the pre-activation never has to be kept.
`tmp` is scratch of the same shape. Everything works for float32 (grid) and float64 (training).
"""

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.engine.tape import Tape, const, run

Array = NDArray[Any]
LEAK = 0.01  # slope of leaky_relu for negative inputs


class Activation(NamedTuple):
    """Tape builders: `forward_ops(z, out, tmp)` and `backward_ops(a, d, tmp)`, with `tmp`
    scratch of the same shape; `forward` and `backward` play them once."""

    forward_ops: Callable[[Array, Array, Array], Tape]
    backward_ops: Callable[[Array, Array, Array], Tape]
    he_init: bool  # He initialisation (relu family) rather than Glorot
    forward_scratch: bool = False  # whether forward_ops writes to tmp

    def forward(self, z: Array, out: Array) -> None:
        run(self.forward_ops(z, out, np.empty_like(z) if self.forward_scratch else z))

    def backward(self, a: Array, d: Array, tmp: Array) -> None:
        run(self.backward_ops(a, d, tmp))


def sigmoid_ops(z: Array, out: Array, tmp: Array | None = None) -> Tape:
    # 0.5 + 0.5 tanh(z/2) equals 1/(1+exp(-z)) but never overflows, so needs no warnings dance.
    half = const(0.5, out.dtype)
    mul = np.multiply
    return [
        (mul, (z, half, out)),
        (np.tanh, (out, out)),
        (mul, (out, half, out)),
        (np.add, (out, half, out)),
    ]


def sigmoid(z: Array, out: Array) -> None:
    run(sigmoid_ops(z, out))


def _tanh(z: Array, out: Array, tmp: Array) -> Tape:
    return [(np.tanh, (z, out))]


def _tanh_grad(a: Array, d: Array, tmp: Array) -> Tape:
    # d * (1 - a^2) == d - d * a^2
    return [(np.multiply, (a, a, tmp)), (np.multiply, (tmp, d, tmp)), (np.subtract, (d, tmp, d))]


def _sigmoid_grad(a: Array, d: Array, tmp: Array) -> Tape:
    one = const(1.0, a.dtype)
    return [(np.subtract, (one, a, tmp)), (np.multiply, (tmp, a, tmp)), (np.multiply, (d, tmp, d))]


def _relu(z: Array, out: Array, tmp: Array) -> Tape:
    # np.maximum alone takes its output by keyword only (numpy 2.4 deprecates a third positional)
    return [(partial(np.maximum, out=out), (z, const(0.0, z.dtype)))]


def _relu_grad(a: Array, d: Array, tmp: Array) -> Tape:
    # the output is positive exactly where the input was
    return [(np.greater, (a, const(0.0, a.dtype), tmp)), (np.multiply, (d, tmp, d))]


def _leaky(z: Array, out: Array, tmp: Array) -> Tape:
    # max(z, LEAK z); z may be out itself, so LEAK z goes to the scratch first
    return [(np.multiply, (z, const(LEAK, z.dtype), tmp)), (partial(np.maximum, out=out), (z, tmp))]


def _leaky_grad(a: Array, d: Array, tmp: Array) -> Tape:
    return [
        (np.greater, (a, const(0.0, a.dtype), tmp)),  # 1 where positive, else 0 ...
        (np.multiply, (tmp, const(1.0 - LEAK, a.dtype), tmp)),
        (np.add, (tmp, const(LEAK, a.dtype), tmp)),  # ... then mapped to 1 or LEAK
        (np.multiply, (d, tmp, d)),
    ]


def _linear(z: Array, out: Array, tmp: Array) -> Tape:
    return [(np.positive, (z, out))]  # a copy


def _linear_grad(a: Array, d: Array, tmp: Array) -> Tape:
    return []  # f'(z) = 1


TABLE: dict[str, Activation] = {
    "relu": Activation(_relu, _relu_grad, he_init=True),
    "tanh": Activation(_tanh, _tanh_grad, he_init=False),
    "sigmoid": Activation(sigmoid_ops, _sigmoid_grad, he_init=False),
    "linear": Activation(_linear, _linear_grad, he_init=False),
    "leaky_relu": Activation(_leaky, _leaky_grad, he_init=True, forward_scratch=True),
}
