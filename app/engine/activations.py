"""Hidden-layer activations: name -> (forward, backward), all in place.

`forward(z, out)` writes f(z) into `out`. `backward(a, d, tmp)` multiplies the incoming gradient
`d` in place by f'(z), computed from the activation's *output* `a` = f(z): every function here has
a derivative expressible through its output, so the pre-activation never has to be kept.
`tmp` is scratch of the same shape. Everything works for float32 (grid) and float64 (training).
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
LEAK = 0.01  # slope of leaky_relu for negative inputs


class Activation(NamedTuple):
    forward: Callable[[Array, Array], None]
    backward: Callable[[Array, Array, Array], None]
    he_init: bool  # He initialisation (relu family) rather than Glorot


def sigmoid(z: Array, out: Array) -> None:
    # 0.5 + 0.5 tanh(z/2) equals 1/(1+exp(-z)) but never overflows, so needs no warnings dance.
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    np.multiply(out, 0.5, out=out)
    np.add(out, 0.5, out=out)


def _tanh(z: Array, out: Array) -> None:
    np.tanh(z, out=out)


def _tanh_grad(a: Array, d: Array, tmp: Array) -> None:
    np.multiply(a, a, out=tmp)  # d * (1 - a^2) == d - d * a^2
    np.multiply(tmp, d, out=tmp)
    np.subtract(d, tmp, out=d)


def _sigmoid_grad(a: Array, d: Array, tmp: Array) -> None:
    np.subtract(1.0, a, out=tmp)
    np.multiply(tmp, a, out=tmp)
    np.multiply(d, tmp, out=d)


def _relu(z: Array, out: Array) -> None:
    np.maximum(z, 0.0, out=out)


def _relu_grad(a: Array, d: Array, tmp: Array) -> None:
    np.greater(a, 0.0, out=tmp)  # the output is positive exactly where the input was
    np.multiply(d, tmp, out=d)


def _leaky(z: Array, out: Array) -> None:
    np.maximum(z, LEAK * z, out=out)


def _leaky_grad(a: Array, d: Array, tmp: Array) -> None:
    np.greater(a, 0.0, out=tmp)  # 1 where positive, else 0 ...
    np.multiply(tmp, 1.0 - LEAK, out=tmp)
    np.add(tmp, LEAK, out=tmp)  # ... then mapped to 1 or LEAK
    np.multiply(d, tmp, out=d)


def _linear(z: Array, out: Array) -> None:
    np.copyto(out, z)


def _linear_grad(a: Array, d: Array, tmp: Array) -> None:
    pass  # f'(z) = 1


TABLE: dict[str, Activation] = {
    "relu": Activation(_relu, _relu_grad, he_init=True),
    "tanh": Activation(_tanh, _tanh_grad, he_init=False),
    "sigmoid": Activation(sigmoid, _sigmoid_grad, he_init=False),
    "linear": Activation(_linear, _linear_grad, he_init=False),
    "leaky_relu": Activation(_leaky, _leaky_grad, he_init=True),
}
