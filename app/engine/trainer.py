"""The Trainer: one session's data, network, optimizer and counters, stepped on demand.

Two generators make everything reproducible: one from `data_seed` builds and splits the data,
one from `seed` draws the initial weights and then shuffles every epoch. Reset rewinds the
weights, the optimizer and that shuffling generator to step 0, so a reset run replays exactly.

Divergence never raises: a mini-batch whose logits blow up stops training, the weights go back
to those before the last update (always finite) and `status` becomes "diverged" until a reset
or a change that makes a new run (new data or a new network). Metrics are finite floats or None.

A snapshot (snapshot.py checks and decodes it) holds the whole state and the data points too:
a restored run keeps those points whatever numpy would now draw from the seeds.
"""

import math
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine import datasets, snapshot, snapshot_write
from app.engine.config import (
    LIMITS,
    ConfigError,
    TrainConfig,
    config_from_dict,
    config_to_dict,
    validate,
)
from app.engine.features import feature_rows
from app.engine.grid import GridEvaluator
from app.engine.losses import PENALTIES
from app.engine.network import Network, Workspace
from app.engine.optimizers import TABLE as OPTIMIZERS
from app.engine.optimizers import Optimizer
from app.engine.tape import Tape

Array = NDArray[Any]
F64 = NDArray[np.float64]
DIVERGED = (
    "The loss grew without bound: the steps are too large for this problem. Training stopped "
    "and kept the last finite weights; lower the learning rate, then reset."
)
MODEL = {"hidden_layers", "activation", "features", "seed"}  # changing these rebuilds
EXTENT = datasets.EXTENT  # the square every point and grid lives in
METRIC_KEYS: tuple[str, ...] = (
    *("train_loss", "test_loss", "train_accuracy", "test_accuracy", "train_r2", "test_r2"),
    *("data_loss", "penalty", "grad_norm", "update_norm"),
)


class Trainer:
    """Public state: `config`, `status` ("ok" | "diverged"), `message`, the counters `step`,
    `epoch` (completed passes) and `examples_seen`, and the raw data for drawing: `x_train`,
    `x_test` (N, 2) with `y_train`, `y_test` (N,) class labels or regression targets."""

    def __init__(self, config: TrainConfig, points: snapshot_write.Points | None = None) -> None:
        """`points` (from a snapshot) stand in for the data drawn from the seeds for as long
        as the data settings stay those of `config`: numpy may draw differently elsewhere."""
        validate(config)
        self.config = config
        self._given: snapshot.Given | None = None if points is None else (_data_key(config), points)
        self._build_data()
        self._build_model()

    # -- building -----------------------------------------------------------------------------

    def _build_data(self) -> None:
        c = self.config
        if self._given is not None and self._given[0] == _data_key(c):
            self.x_train, self.y_train, self.x_test, self.y_test = self._given[1]
        else:
            rng = np.random.default_rng(c.data_seed)
            if c.dataset == "custom":
                x, y = datasets.custom(c.points or ())
            else:
                classes = max(c.n_classes, 2)  # only blobs and spiral read it
                x, y = datasets.GENERATORS[c.dataset](rng, c.n_samples, c.noise, classes)
            self.x_train, self.y_train, self.x_test, self.y_test = datasets.split(
                rng, x, y, c.train_fraction
            )
        self._x_train = feature_rows(self.x_train, c.features)  # (F + 1, N)
        self._x_test = feature_rows(self.x_test, c.features)
        self._t_train, self._t_test = self._targets(self.y_train), self._targets(self.y_test)
        self._xs = np.empty_like(self._x_train)  # this epoch's shuffled copies
        self._ts = np.empty_like(self._t_train)
        self._pos = 0  # new data starts a new epoch
        self._order: NDArray[np.int64] | None = None
        self._metrics: dict[str, float | None] | None = None

    def _targets(self, y: Array) -> F64:
        """Targets in the network's layout (K, N): one-hot rows for several classes."""
        if self.config.problem == "multiclass":
            one_hot: F64 = np.arange(self.config.n_classes)[:, None] == y[None, :]
            return one_hot.astype(np.float64)
        return y.astype(np.float64)[None, :]

    def _build_model(self) -> None:
        c = self.config
        self._rng = np.random.default_rng(c.seed)
        sizes = [len(c.features), *c.hidden_layers, c.n_outputs]
        self.net = Network(sizes, c.activation, c.problem, self._rng)
        self._initial = self.net.params.copy()
        self._initial_rng = self._rng.bit_generator.state
        self._backup = self.net.params.copy()  # the weights before the latest update
        self._scratch = np.empty_like(self.net.params)
        self._workspaces: dict[int, Workspace] = {}
        self._grid = GridEvaluator(self.net, c.features)
        self._opt: Optimizer = OPTIMIZERS[c.optimizer](len(self.net.params), 0.0, 0.0, False)
        self._apply_hyperparameters()
        self.reset()

    def _apply_hyperparameters(self) -> None:
        c = self.config
        if type(self._opt) is not OPTIMIZERS[c.optimizer]:  # a new optimizer starts afresh
            self._opt = OPTIMIZERS[c.optimizer](len(self.net.params), 0.0, 0.0, False)
        opt = self._opt
        opt.lr, opt.momentum, opt.nesterov = c.learning_rate, c.momentum, c.nesterov
        self._penalty = PENALTIES[c.regularization]
        rate_mask = c.regularization_rate * self.net.weight_mask
        params, grads = self.net.params, self.net.grads
        # What follows each batch's gradient: the penalty's, a copy of the weights kept in case
        # the next batch blows up (np.positive copies exactly), then the update.
        self._update: Tape = [
            *self._penalty.grad_ops(params, rate_mask, grads, self._scratch),
            (np.positive, (params, self._backup)),
            *opt.ops(params, grads),
        ]
        self._workspaces.clear()  # sized for the old batches: new sizes must not pile up
        self._metrics = None

    def reset(self) -> None:
        """Return to exactly the state of step 0 under the current configuration."""
        np.copyto(self.net.params, self._initial)
        np.copyto(self._backup, self._initial)
        self._opt.reset()
        self._rng.bit_generator.state = self._initial_rng
        self.step = self.epoch = self.examples_seen = 0
        self._pos, self._order = 0, None
        self.status: str = "ok"
        self.message: str | None = None
        self._last: dict[str, float | None] = dict.fromkeys(
            ("data_loss", "grad_norm", "update_norm")
        )
        self._metrics = None

    def reconfigure(self, **changes: object) -> str:
        """Apply changed fields and say what that did; ConfigError (and no change) if invalid.

        Either way but "live" the run is a new one: at step 0 with the weights drawn from
        `seed`, exactly as a new Trainer of the new config would start. Steps taken on other
        data or by another network say nothing about this one.
        "rebuild": hidden_layers, activation, features or seed changed, or the problem or the
        number of outputs did: a fresh network.
        "data": the data changed (dataset, classes, noise, points, split, data_seed) but not the
        network's shape.
        "live": only hyperparameters changed; they apply from the next step.
        """
        new = config_from_dict({**config_to_dict(self.config), **changes})
        if new.points is not None and new.points == self.config.points:  # one copy, however
            new = replace(new, points=self.config.points)  # many checkpoints keep a config
        old, self.config = self.config, new
        same_model = all(getattr(old, k) == getattr(new, k) for k in MODEL)
        same_model = same_model and (old.problem, old.n_outputs) == (new.problem, new.n_outputs)
        if same_model and _data_key(old) == _data_key(new):
            self._apply_hyperparameters()
            return "live"
        self._build_data()
        self._build_model()
        return "data" if same_model else "rebuild"

    # -- training -----------------------------------------------------------------------------

    @property
    def n_train(self) -> int:
        return int(self._x_train.shape[1])

    @property
    def steps_per_epoch(self) -> int:
        return -(-self.n_train // self.config.batch_size)

    def steps_for(self, epochs: int) -> int:
        """Steps from the current position to the `epochs`-th epoch boundary ahead."""
        to_boundary = -(-(self.n_train - self._pos) // self.config.batch_size)
        return to_boundary + (epochs - 1) * self.steps_per_epoch

    def train(self, steps: int = 0, epochs: int = 0) -> int:
        """Run `steps` mini-batches, or (when epochs > 0) up to the `epochs`-th epoch boundary
        from the current position. Returns the steps done: fewer if training diverged."""
        if self.status != "ok":
            return 0
        if epochs > 0:
            steps = self.steps_for(epochs)
        if steps <= 0:
            return 0
        with np.errstate(all="ignore"):
            done = self._run(steps)
            self._after()
        return done

    def _shuffle(self, order: NDArray[np.int64] | None = None) -> None:
        """Lay out this epoch's order (a fresh permutation unless given) in _xs and _ts."""
        self._order = order = self._rng.permutation(self.n_train) if order is None else order
        np.take(self._x_train, order, axis=1, out=self._xs)
        np.take(self._t_train, order, axis=1, out=self._ts)

    def _run(self, steps: int) -> int:
        descend, update, workspaces = self.net.descend, self._update, self._workspaces
        n, size, xs, ts = self.n_train, self.config.batch_size, self._xs, self._ts
        pos, done = self._pos, 0
        while done < steps:
            if pos == 0:
                self._shuffle()
            b = min(size, n - pos)  # a whole batch, or the epoch's last, shorter one
            ws = workspaces.get(b) or self._workspace(b)
            count = min((n - pos) // b, steps - done)  # batches of b in a row
            k = descend(ws, xs, ts, pos, count, update)
            done, pos = done + k, pos + k * b
            self.examples_seen += k * b
            if k:
                self._last_batch = (ws, ts[:, pos - b : pos])
            if k < count:
                self._diverge()
                break
            if pos == n:
                pos = 0
                self.epoch += 1
        self.step += done
        self._pos = pos
        return done

    def _workspace(self, n: int) -> Workspace:
        self._workspaces[n] = ws = Workspace(self.net, n)
        return ws

    def _after(self) -> None:
        """Check the last update and record the figures of the last step."""
        self._metrics = None
        if self.status != "ok":
            return
        params = self.net.params
        if not (np.isfinite(params).all() and self._opt.finite()):
            self._diverge()  # the last update itself overflowed
            return
        ws, tb = self._last_batch
        self._last = {
            "data_loss": self.net.output.loss(ws.logits, tb),
            "grad_norm": math.sqrt(np.dot(self.net.grads, self.net.grads)),
            "update_norm": float(np.linalg.norm(params - self._backup)),
        }

    def _diverge(self) -> None:
        np.copyto(self.net.params, self._backup)
        self._opt.reset()  # its state may hold inf; training resumes only after a reset
        self.status, self.message = "diverged", DIVERGED
        self._last = dict.fromkeys(self._last)
        self._metrics = None

    # -- reading ------------------------------------------------------------------------------

    def metrics(self) -> dict[str, float | None]:
        """Losses are mean data losses over each whole set (the penalty is separate);
        `data_loss` is the last mini-batch's, measured before its update; accuracies and R^2
        are None when they do not apply. Also carries step, epoch and examples_seen."""
        if self._metrics is None:
            with np.errstate(all="ignore"):
                self._metrics = self._measure()
        counters = {"step": self.step, "epoch": self.epoch, "examples_seen": self.examples_seen}
        return {**self._metrics, **counters}

    def _measure(self) -> dict[str, float | None]:
        c, out = self.config, self.net.output
        m: dict[str, float | None] = dict.fromkeys(METRIC_KEYS)
        for part, x, t, y in (
            ("train", self._x_train, self._t_train, self.y_train),
            ("test", self._x_test, self._t_test, self.y_test),
        ):
            z = self.net.predict(x)  # (K, N) logits
            m[f"{part}_loss"] = out.loss(z, t)
            if c.problem == "regression":
                total = float(np.sum((t - t.mean()) ** 2))
                m[f"{part}_r2"] = 1.0 - float(np.sum((z - t) ** 2)) / total if total else None
            else:
                guess = z.argmax(axis=0) if c.problem == "multiclass" else z[0] > 0
                m[f"{part}_accuracy"] = float(np.mean(guess == y))
        penalty = self._penalty.value(self.net.params, self.net.weight_mask, c.regularization_rate)
        m.update(self._last, penalty=penalty)
        return {k: v if v is None or math.isfinite(v) else None for k, v in m.items()}

    def grid(self, resolution: int) -> Array:
        """Output over an R x R grid: (R, R), or (R, R, K) class probabilities (grid.py)."""
        return self._grid.outputs(self._resolution(resolution))

    def neuron_grids(self, resolution: int) -> list[Array]:
        return self._grid.neurons(self._resolution(resolution))

    def release_buffers(self) -> None:
        """Free the grid's cached buffers (rebuilt on the next grid call)."""
        self._grid.release()

    @staticmethod
    def _resolution(resolution: int) -> int:
        lo, hi = LIMITS["resolution"]
        if not (isinstance(resolution, int) and lo <= resolution <= hi):
            raise ConfigError("resolution", f"resolution must be between {lo} and {hi}")
        return resolution

    def layers(self) -> list[tuple[F64, F64]]:
        """(W (in, out), b (out,)) per layer, as copies."""
        return [(b[:, :-1].T.copy(), b[:, -1].copy()) for b in self.net.blocks]

    # -- snapshots ----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-safe values, in the format snapshot.py reads."""
        opt = self._opt
        return {
            "version": snapshot.VERSION,
            "config": config_to_dict(self.config),
            "data": snapshot_write.encode_data(
                self.config, (self.x_train, self.y_train, self.x_test, self.y_test)
            ),
            "params": snapshot_write.encode(self.net.params),
            "backup": snapshot_write.encode(self._backup),
            "initial": snapshot_write.encode(self._initial),
            "optimizer": {
                "t": opt.t,
                **{k: snapshot_write.encode(b) for k, b in opt.buffers.items()},
            },
            "rng": snapshot_write.rng_text(self._rng.bit_generator.state),
            "initial_rng": snapshot_write.rng_text(self._initial_rng),
            "counters": [self.step, self.epoch, self.examples_seen, self._pos],
            "order": None if self._order is None else self._order.tolist(),
            "status": self.status,
            "message": self.message,
            "last": dict(self._last),
        }

    @classmethod
    def restore(
        cls, raw: object, version: int | None = None, config: TrainConfig | None = None
    ) -> "Trainer":
        """A trainer that continues bit for bit from where snapshot `raw` was taken; a
        SnapshotError naming the path of the first bad value if `raw` is not one."""
        s = snapshot.read(raw, version, config)
        t = cls(s.config, s.points)
        np.copyto(t.net.params, s.params)
        np.copyto(t._backup, s.backup)
        np.copyto(t._initial, s.initial)
        t._opt.t = s.opt_t
        for k, b in s.buffers.items():
            np.copyto(t._opt.buffers[k], b)
        t._rng.bit_generator.state = s.rng
        t._initial_rng = s.initial_rng
        t.step, t.epoch, t.examples_seen, t._pos = s.counters
        if s.order is not None:
            t._shuffle(s.order)
        t.status, t.message = s.status, s.message
        t._last = dict(s.last)
        return t


def _data_key(c: TrainConfig) -> tuple[object, ...]:
    """The fields the data depends on: equal keys, identical data."""
    if c.dataset == "custom":
        return (c.dataset, c.points, c.train_fraction, c.data_seed)
    return (c.dataset, c.n_classes, c.n_samples, c.noise, c.train_fraction, c.data_seed)
