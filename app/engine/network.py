"""A fully connected network whose parameters live in one flat float64 vector.

Layer l is a block of that vector viewed as (out, in + 1): the weights as in torch's Linear,
plus the bias as a last column. Activations are stored feature-major, (width, batch), with a
row of ones appended, so each layer is a single dot product and every elementwise operation
runs over contiguous memory. One flat vector makes the optimizer, the divergence backup, the
norms and snapshots single operations. Tiny networks are bound by per-call overhead, so the
training step runs in preallocated buffers (a Workspace per batch size) and allocates nothing.
"""

from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from app.engine.activations import TABLE as ACTIVATIONS
from app.engine.losses import OUTPUTS

Array = NDArray[Any]
F64 = NDArray[np.float64]


class Network:
    def __init__(self, sizes: list[int], activation: str, problem: str, rng: np.random.Generator):
        """`sizes` = [n_features, hidden..., n_outputs]; weights drawn from `rng`, biases 0."""
        self.sizes = sizes
        self.act = ACTIVATIONS[activation]
        self.output = OUTPUTS[problem]
        shapes = [(fan_out, fan_in + 1) for fan_in, fan_out in pairwise(sizes)]
        self.params = np.zeros(sum(r * c for r, c in shapes))
        self.grads = np.zeros_like(self.params)
        self.blocks = self._views(self.params, shapes)
        self.grad_blocks = self._views(self.grads, shapes)
        self.weight_mask = np.ones_like(self.params)  # 0 on biases: penalties skip them
        for mask in self._views(self.weight_mask, shapes):
            mask[:, -1] = 0.0
        for i, block in enumerate(self.blocks):
            fan_out, fan_in = block.shape[0], block.shape[1] - 1
            hidden = i < len(self.blocks) - 1
            he = hidden and self.act.he_init  # He for the relu family, Glorot otherwise
            std = np.sqrt(2.0 / fan_in) if he else np.sqrt(2.0 / (fan_in + fan_out))
            block[:, :-1] = std * rng.standard_normal((fan_out, fan_in))
        self._params32 = np.zeros(len(self.params), dtype=np.float32)
        self.blocks32 = self._views(self._params32, shapes)

    @staticmethod
    def _views(flat: Array, shapes: list[tuple[int, int]]) -> list[Array]:
        offsets = np.cumsum([0, *(r * c for r, c in shapes)])
        return [flat[a:b].reshape(s) for (a, b), s in zip(pairwise(offsets), shapes, strict=True)]

    def refresh32(self) -> None:
        """Copy the weights into the float32 blocks used for grid evaluation."""
        np.copyto(self._params32, self.params, casting="same_kind")

    def forward(self, ws: "Workspace", x: Array) -> Array:
        """Fill ws's hidden activations from features x (F + 1, N); return the logits (K, N)."""
        a, f = x, self.act.forward
        for block, top, out in ws.hidden:
            np.dot(block, a, out=top)  # (H, N) = (H, in + 1) @ (in + 1, N)
            f(top, top)
            a = out  # (H + 1, N): the activations and the row of ones
        np.dot(ws.out_block, a, out=ws.logits)  # (K, N)
        return ws.logits

    def backprop(self, ws: "Workspace", x: Array, t: Array) -> bool:
        """Gradient of the mean data loss on batch (x, t) into self.grads.

        Returns False, leaving the gradient untouched, when the batch's logits have blown up
        (non-finite, or large enough that the loss would exceed ~1e6): the divergence check
        costs one dot product because the logits are already at hand.
        """
        self.forward(ws, x)
        gauge = np.dot(ws.logits_flat, ws.logits_flat)  # sum of squared logits
        if not gauge < ws.gauge_limit:
            return False
        self.output.activate(ws.logits, ws.y, ws.col)
        d = ws.delta
        self.output.delta(ws.y, t, d)
        np.multiply(d, ws.inv_n, out=d)  # (K, N) dL/dlogits
        df = self.act.backward
        for g, a_in_t, w_t, d_prev, a_prev, tmp in ws.backward:
            np.dot(d, a_in_t, out=g)  # (out, in + 1): weight and bias gradients at once
            np.dot(w_t, d, out=d_prev)  # (in, N) = (in, out) @ (out, N)
            df(a_prev, d_prev, tmp)
            d = d_prev
        np.dot(d, x.T, out=self.grad_blocks[0])
        return True

    def predict(self, x: F64) -> F64:
        """Logits (K, N) for features x (F + 1, N); allocates, for metrics and tests."""
        return self.forward(Workspace(self, x.shape[1], train=False), x).copy()


class Workspace:
    """Preallocated buffers for passes over batches of `n` columns in one dtype."""

    def __init__(
        self, net: Network, n: int, dtype: DTypeLike = np.float64, train: bool = True
    ) -> None:
        blocks = net.blocks32 if np.dtype(dtype) == np.float32 else net.blocks
        widths = net.sizes[1:-1]
        acts = [np.ones((w + 1, n), dtype) for w in widths]  # last row stays 1: the bias input
        self.hidden = [(b, a[:-1], a) for b, a in zip(blocks[:-1], acts, strict=True)]
        self.out_block = blocks[-1]
        k = net.sizes[-1]
        self.logits = np.empty((k, n), dtype)
        self.logits_flat = self.logits.reshape(-1)
        self.y = np.empty((k, n), dtype)
        self.col = np.empty((1, n), dtype)
        if not train:  # forward-only (the grid): skip the gradient buffers
            return
        self.delta = np.empty((k, n), dtype)
        self.inv_n = 1.0 / n
        self.gauge_limit = net.output.gauge * k * n
        # From the top layer down: (its gradient block, its input.T, its W.T, then the delta,
        # activations and scratch of the layer below)
        self.backward = [
            (
                net.grad_blocks[i + 1],
                acts[i].T,
                blocks[i + 1][:, :-1].T,
                np.empty((w, n), dtype),
                acts[i][:-1],
                np.empty((w, n), dtype),
            )
            for i, w in reversed(list(enumerate(widths)))
        ]
