"""Engine speed against a minimal numpy loop for the same network (the floor, engine_floor.py).

Run from the project root: `python bench/bench_engine.py`. For the reference config "spiral-8-8"
and the largest network (8 x 32), with SGD and Adam, it first trains the engine and the floor
from the same seed for CHECK_EPOCHS and stops loudly unless their parameters agree within
TOLERANCE: the floor must be the same computation, or its speed means nothing. Then it times
both, interleaved, in this process's CPU time (other processes' load must not count), and
prints medians of epochs/s and the engine/floor time ratio: the engine's price for its structure
(divergence checks, penalties, every optimizer and activation behind one interface).
"""

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine import TrainConfig, Trainer
from bench.engine_floor import Floor

CONFIG = TrainConfig(
    dataset="spiral",
    n_samples=500,
    train_fraction=0.5,
    features=("x1", "x2"),
    hidden_layers=(8, 8),
    activation="tanh",
    optimizer="sgd",
    learning_rate=0.03,
    batch_size=10,
)
NETWORKS = {
    "spiral-8-8": (CONFIG, 100),
    "spiral-8x32": (replace(CONFIG, hidden_layers=(32,) * 8), 20),
}
OPTIMIZERS = {"sgd": 0.03, "adam": 0.003}  # learning rates
REPEATS = 15
CHECK_EPOCHS = 50
TOLERANCE = 1e-12
GOAL = 1.15
BEFORE_COMMIT = "4d6dcd1"  # engine/floor of the engine before its step was taped, this floor
BEFORE = {
    ("spiral-8-8", "sgd"): 1.50,
    ("spiral-8-8", "adam"): 1.40,
    ("spiral-8x32", "sgd"): 1.24,
    ("spiral-8x32", "adam"): 1.14,
}


def median_seconds(run: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare(config: TrainConfig, epochs: int) -> tuple[float, float, float]:
    """Check the floor against the engine, then time both: (max |difference|, engine epochs/s,
    floor epochs/s), the speeds medians of interleaved runs."""
    trainer = Trainer(config)
    floor = Floor(
        trainer.x_train, trainer.y_train, config.hidden_layers, config.batch_size, config.seed
    )

    def run_floor(epochs: int) -> None:
        if config.optimizer == "sgd":
            floor.sgd(epochs, config.learning_rate)
        else:
            floor.adam(epochs, config.learning_rate, config.momentum)

    if not np.array_equal(trainer.net.params, floor.p):
        raise SystemExit(f"the floor does not start from the engine's weights ({config})")
    trainer.train(epochs=CHECK_EPOCHS)
    run_floor(CHECK_EPOCHS)
    gap = float(np.max(np.abs(trainer.net.params - floor.p)))
    if not gap <= TOLERANCE:
        raise SystemExit(
            f"the floor left the engine: max |difference| {gap:.1e} > {TOLERANCE:.0e} after "
            f"{CHECK_EPOCHS} epochs ({config.optimizer}, {config.hidden_layers})"
        )
    engine_times, floor_times = [], []
    for _ in range(REPEATS):
        for run, times in (
            (lambda: trainer.train(epochs=epochs), engine_times),
            (lambda: run_floor(epochs), floor_times),
        ):
            start = time.process_time()
            run()
            times.append(time.process_time() - start)
    return gap, epochs / statistics.median(engine_times), epochs / statistics.median(floor_times)


def main() -> None:
    print(
        f"{'config':<13}{'optimizer':<10}{'max |diff|':>11}{'engine ep/s':>13}{'floor ep/s':>12}"
        f"{'engine us/step':>16}{'engine/floor':>14}{'before':>8}"
    )
    for name, (config, epochs) in NETWORKS.items():
        for optimizer, lr in OPTIMIZERS.items():
            c = replace(config, optimizer=optimizer, learning_rate=lr)
            gap, engine, floor = compare(c, epochs)
            steps = Trainer(c).steps_per_epoch
            print(
                f"{name:<13}{optimizer:<10}{gap:>11.1e}{engine:>13.0f}{floor:>12.0f}"
                f"{1e6 / (engine * steps):>16.1f}{floor / engine:>14.2f}"
                f"{BEFORE[name, optimizer]:>8.2f}"
            )
    print(f"goal: engine/floor <= {GOAL} (before: the engine at {BEFORE_COMMIT})")
    trainer = Trainer(CONFIG)
    trainer.train(epochs=5)
    trainer.grid(100)
    grid = median_seconds(lambda: [trainer.grid(100) for _ in range(100)]) / 100
    neurons = median_seconds(lambda: [trainer.neuron_grids(100) for _ in range(20)]) / 20
    metrics = median_seconds(lambda: [trainer._measure() for _ in range(100)]) / 100
    print(f"config                     spiral-8-8 ({trainer.n_train} train, batch 10, sgd, tanh)")
    print(f"grid 100x100 us            {grid * 1e6:.0f}")
    print(f"neuron grids 100x100 us    {neurons * 1e6:.0f}")
    print(f"metrics (uncached) us      {metrics * 1e6:.0f}")


if __name__ == "__main__":
    main()
