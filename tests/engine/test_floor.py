"""The engine's step is the minimal numpy loop's (bench/engine_floor.py), bit for bit.

The bench's speed comparison means something only while the two compute the same thing; this
also pins the engine's arithmetic: a change to it that moves a single bit shows here.
"""

import numpy as np
import pytest

from app.engine import TrainConfig, Trainer
from bench.engine_floor import Floor


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("hidden", [(8, 8), (6, 5, 4)])  # the floor written out, and its loop
def test_the_engine_and_the_floor_hold_the_same_parameters(
    optimizer: str, hidden: tuple[int, ...]
) -> None:
    config = TrainConfig(n_samples=120, hidden_layers=hidden, optimizer=optimizer)
    trainer = Trainer(config)  # 60 training points: whole batches of 10
    floor = Floor(trainer.x_train, trainer.y_train, hidden, config.batch_size, config.seed)
    assert np.array_equal(trainer.net.params, floor.p)
    trainer.train(epochs=3)
    if optimizer == "sgd":
        floor.sgd(3, config.learning_rate)
    else:
        floor.adam(3, config.learning_rate, config.momentum)
    assert np.array_equal(trainer.net.params, floor.p)
    assert not np.array_equal(floor.p, Trainer(config).net.params)  # it did move
