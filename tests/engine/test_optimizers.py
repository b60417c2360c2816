"""Each optimizer against its textbook update, written out longhand."""

import numpy as np
import pytest

from app.engine.optimizers import BETA2, EPS, TABLE

LR, MU = 0.1, 0.8


def reference(name: str, nesterov: bool, p: np.ndarray, grads: list[np.ndarray]) -> np.ndarray:
    v = np.zeros_like(p)
    s = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if name == "sgd":
            p = p - LR * g
        elif name == "momentum":
            v = MU * v - LR * g
            p = p + (MU * v - LR * g if nesterov else v)
        elif name == "rmsprop":
            s = MU * s + (1 - MU) * g**2
            p = p - LR * g / (np.sqrt(s) + EPS)
        else:
            v = MU * v + (1 - MU) * g
            s = BETA2 * s + (1 - BETA2) * g**2
            m_hat, s_hat = v / (1 - MU**t), s / (1 - BETA2**t)
            # Kingma & Ba's efficient form: eps is applied before the bias correction.
            p = p - LR * m_hat / (np.sqrt(s_hat) + EPS / np.sqrt(1 - BETA2**t))
    return p


@pytest.mark.parametrize("name", TABLE)
@pytest.mark.parametrize("nesterov", [False, True])
def test_matches_reference(name: str, nesterov: bool) -> None:
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=6)
    grads = [rng.normal(size=6) for _ in range(4)]
    opt = TABLE[name](6, LR, MU, nesterov)
    p = p0.copy()
    for g in grads:
        opt.step(p, g)
    np.testing.assert_allclose(p, reference(name, nesterov, p0, grads), rtol=1e-12)
    opt.reset()
    assert opt.t == 0 and all((b == 0).all() for b in opt.buffers.values())
