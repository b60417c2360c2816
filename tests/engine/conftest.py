"""Engine fixtures: small configs that train in milliseconds."""

import pytest

from app.engine import TrainConfig


@pytest.fixture
def small() -> TrainConfig:
    return TrainConfig(dataset="spiral", n_samples=120, hidden_layers=(6, 6), batch_size=8)
