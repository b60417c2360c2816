"""Optimizers over one flat parameter vector, all sharing one small interface.

`step(params, grads)` updates `params` in place from `grads`. Hyperparameters (`lr`,
`momentum`, `nesterov`) are plain attributes that may change between any two steps; the
running state (`buffers` and the step count `t`) survives such changes. Because the whole
network lives in one vector, each update is a handful of numpy calls whatever the depth.

`momentum` doubles as rmsprop's decay rho and adam's beta1 (see config.py).
"""

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
EPS = 1e-8
BETA2 = 0.999  # adam's second-moment decay


class Optimizer(ABC):
    """The shared interface; each optimizer below supplies `step`."""

    slots: tuple[str, ...] = ()  # names of the per-parameter state vectors

    def __init__(self, size: int, lr: float, momentum: float, nesterov: bool) -> None:
        self.lr, self.momentum, self.nesterov = lr, momentum, nesterov
        self.t = 0  # steps taken
        self.buffers = {name: np.zeros(size) for name in self.slots}
        self._tmp = np.empty(size)
        self._tmp2 = np.empty(size)

    @abstractmethod
    def step(self, p: F64, g: F64) -> None:
        """Update `p` in place from the gradient `g`."""

    def reset(self) -> None:
        self.t = 0
        for b in self.buffers.values():
            b.fill(0.0)

    def state(self) -> dict[str, Any]:
        return {"t": self.t, **{k: b.tolist() for k, b in self.buffers.items()}}

    def load(self, state: dict[str, Any]) -> None:
        self.t = int(state["t"])
        for k, b in self.buffers.items():
            b[:] = state[k]

    def finite(self) -> bool:
        return all(np.isfinite(b).all() for b in self.buffers.values())


class SGD(Optimizer):
    def step(self, p: F64, g: F64) -> None:
        np.multiply(g, self.lr, out=self._tmp)
        np.subtract(p, self._tmp, out=p)


class Momentum(Optimizer):
    slots = ("velocity",)

    def __init__(self, size: int, lr: float, momentum: float, nesterov: bool) -> None:
        super().__init__(size, lr, momentum, nesterov)
        self._v = self.buffers["velocity"]

    def step(self, p: F64, g: F64) -> None:
        v, step = self._v, self._tmp
        np.multiply(g, self.lr, out=step)
        np.multiply(v, self.momentum, out=v)
        np.subtract(v, step, out=v)  # v = mu v - lr g
        if self.nesterov:  # look ahead along the new velocity: p += mu v - lr g
            np.subtract(p, step, out=p)
            np.multiply(v, self.momentum, out=step)
        else:
            step = v
        np.add(p, step, out=p)


class RMSProp(Optimizer):
    slots = ("square",)

    def __init__(self, size: int, lr: float, momentum: float, nesterov: bool) -> None:
        super().__init__(size, lr, momentum, nesterov)
        self._s = self.buffers["square"]

    def step(self, p: F64, g: F64) -> None:
        s, tmp, tmp2 = self._s, self._tmp, self._tmp2
        np.multiply(g, g, out=tmp)
        np.multiply(tmp, 1.0 - self.momentum, out=tmp)
        np.multiply(s, self.momentum, out=s)
        np.add(s, tmp, out=s)  # s = rho s + (1 - rho) g^2
        np.sqrt(s, out=tmp)
        np.add(tmp, EPS, out=tmp)
        np.multiply(g, self.lr, out=tmp2)
        np.divide(tmp2, tmp, out=tmp2)
        np.subtract(p, tmp2, out=p)


class Adam(Optimizer):
    slots = ("mean", "square")

    def __init__(self, size: int, lr: float, momentum: float, nesterov: bool) -> None:
        super().__init__(size, lr, momentum, nesterov)
        self._m, self._s = self.buffers["mean"], self.buffers["square"]

    def step(self, p: F64, g: F64) -> None:
        m, s, tmp, tmp2, beta1 = self._m, self._s, self._tmp, self._tmp2, self.momentum
        self.t += 1
        np.multiply(m, beta1, out=m)
        np.multiply(g, 1.0 - beta1, out=tmp)
        np.add(m, tmp, out=m)  # m = b1 m + (1 - b1) g
        np.multiply(g, g, out=tmp)
        np.multiply(tmp, 1.0 - BETA2, out=tmp)
        np.multiply(s, BETA2, out=s)
        np.add(s, tmp, out=s)  # s = b2 s + (1 - b2) g^2
        # Bias correction folded into the step size: both moments start at zero.
        lr = self.lr * (1.0 - BETA2**self.t) ** 0.5 / (1.0 - beta1**self.t)
        np.sqrt(s, out=tmp)
        np.add(tmp, EPS, out=tmp)
        np.multiply(m, lr, out=tmp2)
        np.divide(tmp2, tmp, out=tmp2)
        np.subtract(p, tmp2, out=p)


TABLE: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "rmsprop": RMSProp,
    "adam": Adam,
}
