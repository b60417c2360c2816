"""The floor for bench_engine.py: the least numpy a training loop for the bench's network needs.

A tanh network with a sigmoid output and binary cross-entropy, trained by SGD or Adam on
mini-batches, written without structure: the biases folded into the weight matrices (a row of
ones under every layer's input), feature-major activations so each layer is one `np.dot` into a
preallocated buffer, in-place ufuncs with their outputs passed positionally, one update over a
flat parameter vector, and the reference network's two layers written out. It draws its
initial weights and its shuffles from `seed` exactly as the engine does (Glorot normal per layer,
then one permutation per epoch), so after any number of epochs it should hold the engine's
parameters up to rounding: the bench checks that, which makes the speed comparison honest.
"""

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
BETA2, EPS = 0.999, 1e-8
dot, tanh, mul, add, sub = np.dot, np.tanh, np.multiply, np.add, np.subtract  # outputs last


class Floor:
    def __init__(self, x: Array, y: Array, hidden: tuple[int, ...], batch: int, seed: int) -> None:
        """`x` (N, 2) points, `y` (N,) labels 0/1; N must be a multiple of `batch`."""
        n = len(x)
        assert n % batch == 0, "the floor only takes whole batches"
        self.rng = np.random.default_rng(seed)
        sizes = [x.shape[1], *hidden, 1]
        shapes = [(fan_out, fan_in + 1) for fan_in, fan_out in pairwise(sizes)]
        ends = np.cumsum([0, *(r * c for r, c in shapes)])
        self.p, self.g = np.zeros(ends[-1]), np.zeros(ends[-1])
        w = [self.p[a:b].reshape(s) for (a, b), s in zip(pairwise(ends), shapes, strict=True)]
        gw = [self.g[a:b].reshape(s) for (a, b), s in zip(pairwise(ends), shapes, strict=True)]
        for block in w:
            fan_out, fan_in = block.shape[0], block.shape[1] - 1
            block[:, :-1] = np.sqrt(2 / (fan_in + fan_out)) * self.rng.standard_normal(
                (fan_out, fan_in)
            )
        self.x = np.vstack([x.T, np.ones(n)])  # (3, N): x1, x2, ones
        self.t = y.astype(np.float64)[None, :]
        self.xs, self.ts = np.empty_like(self.x), np.empty_like(self.t)
        acts = [np.ones((h + 1, batch)) for h in hidden]  # last row: the bias input
        self.forward = [(b, a[:-1], a) for b, a in zip(w[:-1], acts, strict=True)]
        self.w_out, self.z, self.d = w[-1], np.empty((1, batch)), np.empty((1, batch))
        self.backward = [
            (
                gw[i + 1],
                acts[i].T,
                w[i + 1][:, :-1].T,
                np.empty((h, batch)),
                acts[i][:-1],
                np.empty((h, batch)),
            )
            for i, h in reversed(list(enumerate(hidden)))
        ]
        self.gw0 = gw[0]
        self.batch, self.inv_n = batch, 1.0 / batch
        self.u, self.u2 = np.empty_like(self.p), np.empty_like(self.p)
        self.m, self.s, self.steps = np.zeros_like(self.p), np.zeros_like(self.p), 0
        self.epoch = self._two_layers if len(hidden) == 2 else self._layers

    def sgd(self, epochs: int, lr: float) -> None:
        p, g, u = self.p, self.g, self.u
        for _ in range(epochs):
            for _ in self.epoch():
                mul(g, lr, u)
                sub(p, u, p)

    def adam(self, epochs: int, lr: float, beta1: float) -> None:
        p, g, u, u2, m, s = self.p, self.g, self.u, self.u2, self.m, self.s
        for _ in range(epochs):
            for _ in self.epoch():
                self.steps += 1
                mul(m, beta1, m)
                mul(g, 1 - beta1, u)
                add(m, u, m)
                mul(g, g, u)
                mul(u, 1 - BETA2, u)
                mul(s, BETA2, s)
                add(s, u, s)
                rate = lr * (1 - BETA2**self.steps) ** 0.5 / (1 - beta1**self.steps)
                np.sqrt(s, u)
                add(u, EPS, u)
                mul(m, rate, u2)
                np.divide(u2, u, u2)
                sub(p, u2, p)

    def _shuffle(self) -> tuple[Array, Array]:
        order = self.rng.permutation(self.x.shape[1])
        np.take(self.x, order, axis=1, out=self.xs)
        np.take(self.t, order, axis=1, out=self.ts)
        return self.xs, self.ts

    def _two_layers(self) -> Iterator[None]:
        """One epoch of the bench's reference network, written out: shuffle, then leave each
        batch's gradient of the mean loss in self.g."""
        xs, ts = self._shuffle()
        (w1, top1, a1), (w2, top2, a2) = self.forward
        (g3, a2t, w3t, d2, a2p, t2), (g2, a1t, w2t, d1, a1p, t1) = self.backward
        w3, z, d, g1, inv_n, size = self.w_out, self.z, self.d, self.gw0, self.inv_n, self.batch
        for i in range(0, xs.shape[1], size):
            xb = xs[:, i : i + size]
            dot(w1, xb, top1)
            tanh(top1, top1)
            dot(w2, a1, top2)
            tanh(top2, top2)
            dot(w3, a2, z)
            mul(z, 0.5, d)  # sigmoid(z) = 0.5 + 0.5 tanh(z / 2) ...
            tanh(d, d)
            mul(d, 0.5, d)
            add(d, 0.5, d)
            sub(d, ts[:, i : i + size], d)  # ... and BCE's (y - t) / n
            mul(d, inv_n, d)
            dot(d, a2t, g3)
            dot(w3t, d, d2)
            mul(a2p, a2p, t2)  # times tanh' = 1 - a^2
            mul(t2, d2, t2)
            sub(d2, t2, d2)
            dot(d2, a1t, g2)
            dot(w2t, d2, d1)
            mul(a1p, a1p, t1)
            mul(t1, d1, t1)
            sub(d1, t1, d1)
            dot(d1, xb.T, g1)
            yield

    def _layers(self) -> Iterator[None]:
        """The same for any depth, looping over the layers."""
        xs, ts = self._shuffle()
        forward, backward, w_out, z, d_out = self.forward, self.backward, self.w_out, self.z, self.d
        g1, inv_n, size = self.gw0, self.inv_n, self.batch
        for i in range(0, xs.shape[1], size):
            xb = a = xs[:, i : i + size]
            for w, top, out in forward:
                dot(w, a, top)
                tanh(top, top)
                a = out
            dot(w_out, a, z)
            d = d_out
            mul(z, 0.5, d)
            tanh(d, d)
            mul(d, 0.5, d)
            add(d, 0.5, d)
            sub(d, ts[:, i : i + size], d)
            mul(d, inv_n, d)
            for g, a_t, w_t, d_prev, a_prev, t in backward:
                dot(d, a_t, g)
                dot(w_t, d, d_prev)
                mul(a_prev, a_prev, t)
                mul(t, d_prev, t)
                sub(d_prev, t, d_prev)
                d = d_prev
            dot(d, xb.T, g1)
            yield
