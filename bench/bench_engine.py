"""Engine speed on the reference config "spiral-8-8", against the plainest numpy loop (the floor).

Run from the project root: `python bench/bench_engine.py`. Prints one figure per line, each the
median over several repetitions. The floor is the textbook loop for the same network: allocating
`x @ w + b` forward and backward passes and per-array SGD updates, with the same data, shuffling
and batches, so engine/floor is the price (or gain) of the engine's structure.
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
REPEATS = 7


def median_seconds(run: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_epochs(x: np.ndarray, t: np.ndarray, epochs: int, batch: int, lr: float) -> None:
    """The simplest numpy training loop for 2 -> 8 -> 8 -> 1, tanh, sigmoid + BCE, SGD."""
    rng = np.random.default_rng(0)
    w1, w2, w3 = rng.normal(0, 0.5, (2, 8)), rng.normal(0, 0.35, (8, 8)), rng.normal(0, 0.5, (8, 1))
    b1, b2, b3 = np.zeros(8), np.zeros(8), np.zeros(1)
    n = len(x)
    for _ in range(epochs):
        order = rng.permutation(n)
        xs, ts = x[order], t[order]
        for i in range(0, n, batch):
            xb, tb = xs[i : i + batch], ts[i : i + batch]
            h1 = np.tanh(xb @ w1 + b1)
            h2 = np.tanh(h1 @ w2 + b2)
            p = 1.0 / (1.0 + np.exp(-(h2 @ w3 + b3)))
            d3 = (p - tb) / len(xb)
            d2 = (d3 @ w3.T) * (1 - h2 * h2)
            d1 = (d2 @ w2.T) * (1 - h1 * h1)
            w3 -= lr * (h2.T @ d3)
            b3 -= lr * d3.sum(axis=0)
            w2 -= lr * (h1.T @ d2)
            b2 -= lr * d2.sum(axis=0)
            w1 -= lr * (xb.T @ d1)
            b1 -= lr * d1.sum(axis=0)


def main() -> None:
    epochs = 200
    trainer = Trainer(CONFIG)
    steps = epochs * trainer.steps_per_epoch
    trainer.train(epochs=5)  # warm the workspaces
    engine = median_seconds(lambda: trainer.train(epochs=epochs))
    x, t = trainer.x_train, trainer.y_train.astype(np.float64)[:, None]
    floor = median_seconds(lambda: floor_epochs(x, t, epochs, CONFIG.batch_size, 0.03))
    adam = Trainer(replace(CONFIG, optimizer="adam"))
    adam.train(epochs=5)
    adam_time = median_seconds(lambda: adam.train(epochs=epochs))
    trainer.grid(100)
    grid = median_seconds(lambda: [trainer.grid(100) for _ in range(100)]) / 100
    neurons = median_seconds(lambda: [trainer.neuron_grids(100) for _ in range(20)]) / 20
    metrics = median_seconds(lambda: [trainer._measure() for _ in range(100)]) / 100

    print(f"config                     spiral-8-8 ({trainer.n_train} train, batch 10, sgd, tanh)")
    print(f"engine epochs/s            {epochs / engine:.0f}")
    print(f"engine us/step             {engine / steps * 1e6:.1f}")
    print(f"engine us/step (adam)      {adam_time / steps * 1e6:.1f}")
    print(f"floor epochs/s             {epochs / floor:.0f}")
    print(f"floor us/step              {floor / steps * 1e6:.1f}")
    print(f"engine/floor time ratio    {engine / floor:.2f}")
    print(f"grid 100x100 us            {grid * 1e6:.0f}")
    print(f"neuron grids 100x100 us    {neurons * 1e6:.0f}")
    print(f"metrics (uncached) us      {metrics * 1e6:.0f}")


if __name__ == "__main__":
    main()
