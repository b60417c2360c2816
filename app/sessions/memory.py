"""What a session costs in memory, from its config alone, and the server's budget for them all.

`estimate` adds up what a session holds at its largest: the flat parameter vectors (weights,
gradients, mask, float32 copy, initial and backup weights, scratch, optimizer state), the data
(points, labels, feature rows, targets, the epoch's shuffled copies and order), the training
workspaces (activations, deltas and scratch for every column of a batch: at most one column per
training point, whatever the batch size), the float32 grid buffers at the frame's resolution and
the neurons' (kept while someone watches), the latest frame and the messages a slow viewer has
still to receive (one config message with all the points, one loss landscape, and small ones),
the boundary answers and loss landscapes kept for readers, the history at its bound, the
timeline at its budget, and a fixed overhead for the Python objects around them. Calibrated
against tracemalloc (tests/api/test_memory.py, bench/bench_memory.py), it errs on the generous
side by 1-22 %. Passing moments cost more (metrics over the whole set, a grid read past the
frame's resolution) but one thread does that work, so only one session at a time has them.

The defaults (MB = 2^20 bytes): the default session is estimated at 2.9 MB, so 500 of them need
about 1,430 MB of the server's 1,536. Every session held is counted against that budget, so the
worst mix it accepts holds about 1.5 GB: 52 of the largest config, watched, measured 1.6 GB of
resident memory with the process itself — inside 2 GB, and still inside it were every estimate a
quarter short. Alone, the largest config allowed (8 hidden layers of 32, 5,000 points, 9
features, batch 5,000) needs about 30 MB, under the 32 MB allowed per session; a larger
training share (train_fraction 0.9: 4,500 points in one batch) needs 42 MB and is refused.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Any

from app.config import Settings
from app.engine import ConfigError, TrainConfig
from app.engine.checkpoint import OVERHEAD as CHECKPOINT_OVERHEAD
from app.engine.datasets import train_size
from app.engine.landscape import RESOLUTIONS as LANDSCAPE_RESOLUTIONS
from app.sessions.frames import GRID_RESOLUTION, NEURON_RESOLUTION
from app.sessions.history import COLUMNS
from app.sessions.hub import CONTROL_QUEUE
from app.sessions.landscape import KEEP as LANDSCAPES_KEPT
from app.sessions.landscape import MAX_BYTES as LANDSCAPES_BYTES
from app.sessions.reads import KEEP as READS_KEPT
from app.sessions.reads import MAX_BYTES as READS_BYTES

MB = 2**20
FULL = "the server's memory for training sessions is full; try again in a minute"
FIXED = 48 * 1024  # the session's Python objects (locks, hub, dicts), as measured
PER_POINT_CUSTOM = 160  # a custom point kept in the config: a tuple of two floats and an int
JSON_NUMBER = 20  # bytes of one float in a boundary answer, with its comma
JSON_POINT = 48  # bytes of one data point in a config message, as measured
JSON_CUSTOM = 30  # and of a custom point in its config
JSON_PATH_POINT = 120  # bytes of one checkpoint in a loss landscape's path, as measured
PARAM_VECTORS = 9  # params, grads, mask, rate mask, initial, backup, scratch, 2 optimizer temps
SLOTS = {"sgd": 0, "momentum": 1, "rmsprop": 1, "adam": 2}
ADVICE = {
    "hidden_layers": "use fewer or narrower hidden_layers",
    "n_samples": "use a smaller n_samples",
    "points": "use fewer points",
    "batch_size": "use a smaller batch_size",
    "features": "use fewer features",
    "classes": "use fewer classes",
}


def parts(config: TrainConfig, settings: Settings) -> dict[str, int]:
    """Bytes per part of a session, at the most it will hold."""
    f, hidden, k = len(config.features), config.hidden_layers, config.n_outputs
    widths = sum(hidden)
    n = len(config.points or ()) if config.dataset == "custom" else config.n_samples
    n_train = train_size(n, config.train_fraction)
    sizes = [f, *hidden, k]
    params = sum((a + 1) * b for a, b in pairwise(sizes))
    per_column = sum(h + 1 for h in hidden) + 2 * widths + 3 * k + 1  # one batch column, f64
    per_cell = (f + 1) + sum(h + 1 for h in hidden) + 2 * k + 1  # one grid cell, float32
    cells, small = GRID_RESOLUTION**2, NEURON_RESOLUTION**2
    decision = 1 if config.problem == "binary" else 8
    custom = PER_POINT_CUSTOM * n if config.dataset == "custom" else 0
    message = n * (JSON_POINT + (JSON_CUSTOM if config.dataset == "custom" else 0)) + 2048
    grid = cells * (5 + decision + 4 * k)  # one boundary kept: levels, classes, decisions, outputs
    answer = settings.max_viewer_grid_resolution**2 * (
        JSON_NUMBER + 4 if config.problem == "multiclass" else JSON_NUMBER
    )
    checkpoints = settings.timeline_bytes // (8 * params + CHECKPOINT_OVERHEAD) + 1
    landscape = LANDSCAPE_RESOLUTIONS[-1] ** 2 * JSON_NUMBER + checkpoints * JSON_PATH_POINT
    return {
        "parameters": 8 * params * (PARAM_VECTORS + SLOTS[config.optimizer]) + 4 * params,
        "data": 8 * n * (2 + 1 + f + 1 + k) + 8 * n_train * (f + 1 + k + 1) + custom,
        "batches": 8 * per_column * batch_columns(config.batch_size, n_train),
        "grids": 4 * per_cell * (cells + small) + grid,
        # grid, weights, neurons, header: the frame last shared (deltas apply to it) and a new one
        "frame": 2 * (cells + 2 * params + widths * small + 4096),
        "reads": min(READS_KEPT * answer, READS_BYTES) + READS_KEPT * grid,  # and their moments
        "messages": message + 1024 * CONTROL_QUEUE,  # a config message and small ones, queued
        # kept for readers (their moments held weakly), and one sent to the viewers who asked
        "landscapes": min(LANDSCAPES_KEPT * landscape, LANDSCAPES_BYTES) + landscape,
        "history": 8 * len(COLUMNS) * max(settings.max_history_points, 4),
        "timeline": settings.timeline_bytes,
        "fixed": FIXED,
    }


def batch_columns(batch_size: int, n_train: int) -> int:
    """Columns of the training workspaces: a full batch, and the epoch's last, shorter one."""
    if batch_size >= n_train:
        return n_train
    return batch_size + n_train % batch_size


def estimate(config: TrainConfig, settings: Settings) -> int:
    """Bytes a session with this config may hold, at most."""
    return sum(parts(config, settings).values())


def _lighter(config: TrainConfig) -> dict[str, TrainConfig]:
    """For each field a user could reduce, the config with that field at its least."""
    options = {
        "hidden_layers": replace(config, hidden_layers=()),
        "batch_size": replace(config, batch_size=1),
        "features": replace(config, features=config.features[:1]),
    }
    if config.dataset == "custom":
        options["points"] = replace(config, points=(config.points or ())[:2])
    else:
        options["n_samples"] = replace(config, n_samples=10)
    if config.classes > 2 and config.problem == "multiclass" and config.dataset != "custom":
        options["classes"] = replace(config, classes=2)
    return options


def tipping_field(config: TrainConfig, settings: Settings) -> str:
    """The field whose reduction would save the most memory."""
    options = _lighter(config)
    return min(options, key=lambda name: estimate(options[name], settings))


def undo(
    config: TrainConfig, before: TrainConfig, settings: Settings, limit: int | None = None
) -> str:
    """The changed field whose old value alone would save the most (and fit `limit`, if
    given), or "" if there is none."""
    saved = {}
    for name in TrainConfig.__dataclass_fields__:
        if getattr(config, name) != getattr(before, name):
            need = estimate(replace(config, **{name: getattr(before, name)}), settings)
            if limit is None or need <= limit:
                saved[name] = need
    return min(saved, key=saved.__getitem__, default="")


def check(config: TrainConfig, settings: Settings, before: TrainConfig | None = None) -> int:
    """The estimate, or ConfigError naming the field to reduce when it is over the limit: for
    a change from `before`, the changed field if going back on it alone would fit."""
    need, limit = estimate(config, settings), settings.session_memory_mb * MB
    if need <= limit:
        return need
    field = "" if before is None else undo(config, before, settings, limit)
    if field and field not in ADVICE:
        value = getattr(before, field)
        advice = f"{field} = {list(value) if isinstance(value, tuple) else value} would fit"
    else:
        field = field or tipping_field(config, settings)
        advice = ADVICE[field]
    size = (
        f"{need / MB:.0f}" if round(need / MB) > settings.session_memory_mb else f"{need / MB:.1f}"
    )
    raise ConfigError(
        field,
        f"this network needs about {size} MB; at most {settings.session_memory_mb} "
        f"MB per session is allowed: {advice}",
    )


def check_runs(
    configs: list[TrainConfig], vary: str, values: list[Any], settings: Settings
) -> list[int]:
    """The estimates of a comparison's runs, or ConfigError: naming `values.i` when run i
    is too big but another run (with another value of `vary`) is not."""
    limit = settings.session_memory_mb * MB
    fitting = [c for c in configs if estimate(c, settings) <= limit]
    if not fitting or len(fitting) == len(configs):
        return [check(c, settings) for c in configs]  # raises for the shared config
    i = next(i for i, c in enumerate(configs) if c not in fitting)
    try:
        return [check(configs[i], settings, fitting[0])]  # over the limit: it raises
    except ConfigError as exc:
        raise ConfigError(f"values.{i}", f"{vary} = {values[i]!r}: {exc.message}") from None


class MemoryFull(ConfigError):
    """The server's memory for sessions is spoken for; `field` names what asked for more."""

    def __init__(self, field: str) -> None:
        super().__init__(field, FULL)


class Budget:
    """The sum of the estimates of the sessions held, against the server's limit."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit  # bytes; None for no limit (a session on its own, in tests)
        self.used = 0

    def fits(self, nbytes: int) -> bool:
        """Whether `nbytes` more fit; shrinking always does."""
        return self.limit is None or nbytes <= 0 or self.used + nbytes <= self.limit

    def resize(self, old: int, new: int) -> None:
        self.used += new - old
