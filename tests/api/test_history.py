"""The loss history: small while short, bounded while long, first and last always kept."""

import itertools

from app.sessions.history import START_ROWS, History


def point(step: int) -> dict[str, float]:
    return {"step": step, "epoch": step, "examples_seen": 10 * step, "train_loss": 1 / (1 + step)}


def test_a_short_run_keeps_a_small_history() -> None:
    history = History(2000)
    for step in range(10):
        history.append(point(step))
    assert history.data.shape[0] == START_ROWS
    assert [p["step"] for p in history.points()] == list(range(10))


def test_a_long_run_grows_then_thins_keeping_first_and_last() -> None:
    history = History(200)
    for step in range(5000):
        history.append(point(step))
    steps = [p["step"] for p in history.points()]
    assert history.data.shape[0] == 200  # the bound; the latest point may sit beside it
    assert len(steps) <= 201 and steps[0] == 0 and steps[-1] == 4999
    assert steps == sorted(steps) and history.recorded == 5000 and history.thinned
    kept = steps[:-1]  # the last is the latest point, kept whatever the stride
    assert len({b - a for a, b in itertools.pairwise(kept)}) == 1  # evenly, over the whole run
    assert steps[-1] - kept[-1] <= kept[1] - kept[0]
