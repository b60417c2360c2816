"""The loss landscape's cost: CPU time of one grid, for spiral-8-8 and for the largest network.

Run from the project root: `python bench/bench_landscape.py`. Prints the median process CPU time
(the server's cost, whatever else the machine runs) of the plane and the grid of the training
loss, after a few epochs so that the plane comes from the path's own directions. The largest
network runs under the server's default budget of work (STEPWISE_LANDSCAPE_MAX_WORK), so it is
measured on a sample of its training points; the line says how many.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import Settings
from app.engine import FEATURES, TrainConfig, Trainer
from app.engine import landscape as ls

SPIRAL = TrainConfig(dataset="spiral", n_samples=500, hidden_layers=(8, 8), batch_size=10)
LARGEST = TrainConfig(
    dataset="spiral", n_samples=5000, batch_size=5000, hidden_layers=(32,) * 8, features=FEATURES
)
REPEATS = 9


def measure(name: str, config: TrainConfig, resolution: int, repeats: int = REPEATS) -> None:
    trainer = Trainer(config)
    path = []
    for _ in range(6):
        trainer.train(epochs=1)
        path.append(trainer.net.params.copy())
    task, work = ls.task(trainer), Settings().landscape_max_work
    times, points = [], 0
    for _ in range(repeats):
        start = time.process_time()
        plane = ls.plane(trainer.net.params, path, trainer.net.sizes, config.seed)
        points = ls.surface(task, plane, resolution, work).points
        times.append(time.process_time() - start)
    ms = 1000 * statistics.median(times)
    size = f"{resolution}x{resolution}"
    print(f"landscape {name} {size}: {ms:.1f} ms CPU ({points} of {trainer.n_train} points)")


if __name__ == "__main__":
    measure("spiral-8-8", SPIRAL, 41)
    measure("spiral-8-8", SPIRAL, 101)
    measure("largest (9 features, 8 x 32)", LARGEST, 41, repeats=3)
