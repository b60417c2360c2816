"""Optimizers over one flat parameter vector, all sharing one small interface.

`step(params, grads)` updates `params` in place from `grads`; `ops(params, grads)` is the same
update as a tape (tape.py) for the training loop to play. Hyperparameters (`lr`, `momentum`,
`nesterov`) are plain attributes that may change between any two steps (a tape holds the
values it was built with); the running state (`buffers` and the step count `t`) survives such
changes. Because the whole network lives in one vector, each update is a handful of numpy calls
whatever the depth.

`momentum` doubles as rmsprop's decay rho and adam's beta1 (see config.py).
"""

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine.tape import Tape, const, run

F64 = NDArray[np.float64]
EPS = 1e-8
BETA2 = 0.999  # adam's second-moment decay


class Optimizer(ABC):
    """The shared interface; each optimizer below supplies `ops`, its update as a tape."""

    slots: tuple[str, ...] = ()  # names of the per-parameter state vectors

    def __init__(self, size: int, lr: float, momentum: float, nesterov: bool) -> None:
        self.lr, self.momentum, self.nesterov = lr, momentum, nesterov
        self.t = 0  # steps taken
        self.buffers = {name: np.zeros(size) for name in self.slots}
        self._tmp = np.empty(size)
        self._tmp2 = np.empty(size)

    @abstractmethod
    def ops(self, p: F64, g: F64) -> Tape:
        """The update of `p` in place from the gradient `g`, with today's hyperparameters: a
        tape to build again whenever they change."""

    def step(self, p: F64, g: F64) -> None:
        """Update `p` in place from the gradient `g`."""
        run(self.ops(p, g))

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
    def ops(self, p: F64, g: F64) -> Tape:
        return [(np.multiply, (g, const(self.lr), self._tmp)), (np.subtract, (p, self._tmp, p))]


class Momentum(Optimizer):
    slots = ("velocity",)

    def ops(self, p: F64, g: F64) -> Tape:
        v, step, mu = self.buffers["velocity"], self._tmp, const(self.momentum)
        tape: Tape = [
            (np.multiply, (g, const(self.lr), step)),
            (np.multiply, (v, mu, v)),
            (np.subtract, (v, step, v)),  # v = mu v - lr g
        ]
        if self.nesterov:  # look ahead along the new velocity: p += mu v - lr g
            tape += [(np.subtract, (p, step, p)), (np.multiply, (v, mu, step))]
        else:
            step = v
        return [*tape, (np.add, (p, step, p))]


class RMSProp(Optimizer):
    slots = ("square",)

    def ops(self, p: F64, g: F64) -> Tape:
        s, tmp, tmp2 = self.buffers["square"], self._tmp, self._tmp2
        return [
            *_mean_square(s, g, self.momentum, tmp),
            *_root_scaled_step(p, g, const(self.lr), s, tmp, tmp2),
        ]


class Adam(Optimizer):
    slots = ("mean", "square")

    def ops(self, p: F64, g: F64) -> Tape:
        m, s, tmp, tmp2 = self.buffers["mean"], self.buffers["square"], self._tmp, self._tmp2
        beta1 = self.momentum
        rate = const(0.0)
        return [
            (self._count, (rate,)),
            (np.multiply, (m, const(beta1), m)),
            (np.multiply, (g, const(1.0 - beta1), tmp)),
            (np.add, (m, tmp, m)),  # m = b1 m + (1 - b1) g
            *_mean_square(s, g, BETA2, tmp),
            *_root_scaled_step(p, m, rate, s, tmp, tmp2),
        ]

    def _count(self, rate: F64) -> None:
        """Count the step and write its step size into `rate`."""
        self.t += 1
        # Bias correction folded into the step size: both moments start at zero.
        rate[()] = self.lr * (1.0 - BETA2**self.t) ** 0.5 / (1.0 - self.momentum**self.t)


def _mean_square(s: F64, g: F64, rho: float, tmp: F64) -> Tape:
    """s = rho s + (1 - rho) g^2"""
    return [
        (np.multiply, (g, g, tmp)),
        (np.multiply, (tmp, const(1.0 - rho), tmp)),
        (np.multiply, (s, const(rho), s)),
        (np.add, (s, tmp, s)),
    ]


def _root_scaled_step(p: F64, x: F64, rate: F64, s: F64, tmp: F64, tmp2: F64) -> Tape:
    """p -= rate x / (sqrt(s) + EPS)"""
    return [
        (np.sqrt, (s, tmp)),
        (np.add, (tmp, const(EPS), tmp)),
        (np.multiply, (x, rate, tmp2)),
        (np.divide, (tmp2, tmp, tmp2)),
        (np.subtract, (p, tmp2, p)),
    ]


TABLE: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "rmsprop": RMSProp,
    "adam": Adam,
}
