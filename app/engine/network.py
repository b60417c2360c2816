"""A fully connected network whose parameters live in one flat float64 vector.

Layer l is a block of that vector viewed as (out, in + 1): the weights as in torch's Linear,
plus the bias as a last column. Activations are stored feature-major, (width, batch), with a
row of ones appended, so each layer is a single dot product and every elementwise operation
runs over contiguous memory. One flat vector makes the optimizer, the divergence backup, the
norms and snapshots single operations. Tiny networks are bound by per-call overhead, so the
training step runs in preallocated buffers (a Workspace per batch size) and allocates nothing,
its calls recorded on tapes (tape.py) bound to those buffers.
"""

from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from app.engine.activations import TABLE as ACTIVATIONS
from app.engine.losses import OUTPUTS
from app.engine.tape import Tape, const

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
        """Gradient of the mean data loss on batch (x, t) into self.grads; False, leaving the
        gradient untouched, when the batch's logits have blown up (see `descend`)."""
        return self.descend(ws, x, t, 0, 1, []) == 1

    def descend(
        self, ws: "Workspace", xs: Array, ts: Array, start: int, count: int, update: Tape
    ) -> int:
        """`count` steps on the batches of ws.n columns of (xs, ts) in a row from column
        `start`: each batch's gradient of the mean data loss into self.grads, then the `update`
        tape. Returns the steps done: fewer when a batch's logits have blown up (non-finite, or
        large enough that the loss would exceed ~1e6), whose gradient is left untouched. The
        divergence check costs one dot product because the logits are already at hand.

        Only the calls that read the batch are made here; ws's tapes hold the rest: the same
        calls as `forward`, then the output, then each layer's gradient from the top down.
        Everything is bound once, before the loop: a step of a small network costs little
        more than its numpy calls.
        """
        dot, vdot, delta, grad0, n = np.dot, np.vdot, self.output.delta, self.grad_blocks[0], ws.n
        first_block, first_out, first_delta = ws.first_block, ws.first_out, ws.first_delta
        forward, output, backward = ws.forward_tape, ws.output_tape, ws.backward_tape
        logits, limit, y, d = ws.logits_flat, ws.gauge_limit, ws.y, ws.delta
        for i in range(count):
            a = start + i * n
            x = xs[:, a : a + n]
            dot(first_block, x, first_out)
            for f, args in forward:
                f(*args)
            gauge = vdot(logits, logits)  # sum of squared logits (np.dot's, with less dispatch)
            if not gauge < limit:
                return i
            for f, args in output:
                f(*args)
            delta(y, ts[:, a : a + n], d)
            for f, args in backward:  # (K, N) dL/dlogits, then down to the first layer
                f(*args)
            dot(first_delta, x.T, grad0)
            for f, args in update:
                f(*args)
        return count

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
        self.n, k = n, net.sizes[-1]
        self.logits = np.empty((k, n), dtype)
        self.logits_flat = self.logits.reshape(-1)
        self.y = np.empty((k, n), dtype)
        self.col = np.empty((1, n), dtype)
        if not train:  # forward-only (the grid): skip the gradient buffers
            return
        self.delta = d = np.empty((k, n), dtype)
        self.gauge_limit = net.output.gauge * k * n
        act = net.act
        tmps = [np.empty((w, n), dtype) for w in widths]  # scratch, forward and backward
        # Forward: the first dot reads the batch, so backprop makes it; the tape does the rest.
        self.first_block = blocks[0]
        self.first_out = self.hidden[0][1] if widths else self.logits
        self.forward_tape: Tape = []
        for i, (block, top, _) in enumerate(self.hidden):
            if i:
                self.forward_tape.append((np.dot, (block, acts[i - 1], top)))
            self.forward_tape += act.forward_ops(top, top, tmps[i])
        if widths:
            self.forward_tape.append((np.dot, (self.out_block, acts[-1], self.logits)))
        self.output_tape = net.output.activate_ops(self.logits, self.y, self.col)
        # Backward, from the top layer down: its weight and bias gradients at once
        # (out, in + 1), then the delta of the layer below (in, N) = (in, out) @ (out, N).
        self.backward_tape: Tape = [(np.multiply, (d, const(1.0 / n, dtype), d))]
        for i, w in reversed(list(enumerate(widths))):
            d_prev = np.empty((w, n), dtype)
            self.backward_tape += [
                (np.dot, (d, acts[i].T, net.grad_blocks[i + 1])),
                (np.dot, (blocks[i + 1][:, :-1].T, d, d_prev)),
                *act.backward_ops(acts[i][:-1], d_prev, tmps[i]),
            ]
            d = d_prev
        self.first_delta = d  # the last dot, into the first block's gradient, reads the batch
