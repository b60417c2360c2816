"""Markers the timeline shows by itself, found in the loss history.

- diverged: the first point recorded in the diverged state.
- oscillating: the training loss changed direction at least 4 times within 8 points, each
  swing more than 5 % of the loss and more than 0.02 — steps too big to settle.
- settled: the boundary stopped moving — under 0.2 % of the grid changed per point — for 10
  points in a row, while the training loss moved by under 10 % (or 0.005) over them, after
  it had fallen to at most 80 % of where it started, and while it is no longer descending:
  the last quarter of the epochs so far brought under 10 % of its whole fall. Tiny steps
  move the boundary too little to tell, but their loss keeps falling at an even pace: they
  are crawling, not settled.
- best_test: the lowest test loss.
- overfitting: after the best test loss, the test loss rose by over 10 % (and over 0.02)
  while the training loss kept falling by over 10 %, both averaged over 5 points so one noisy
  mini-batch is no trend, and the run is not oscillating — the network is memorising; the
  marker sits where that began.

Absolute floors keep the noise of small losses from passing for a pattern.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.sessions.history import History

SWING, SWING_FLOOR = 0.05, 0.02
TURNS, WINDOW = 4, 8
CALM, CALM_POINTS, FLAT, FLAT_FLOOR = 0.002, 10, 0.10, 0.005
RISE, RISE_FLOOR, FALL = 0.10, 0.02, 0.10
LEARNED = 0.8  # settled only once the loss fell to this share of where it started
DESCENDING = 0.10  # still descending: the last quarter of the epochs brought this share of the fall


def find(history: History) -> list[dict[str, Any]]:
    steps = history.column("step")
    epochs = history.column("epoch")
    train = history.column("train_loss")
    test = history.column("test_loss")
    change = history.column("boundary_change")
    diverged = history.column("diverged")
    found: list[tuple[str, int]] = []

    hits = np.flatnonzero(diverged == 1.0)
    if len(hits):
        found.append(("diverged", int(hits[0])))
    oscillating = _oscillation(train)
    if oscillating is not None:
        found.append(("oscillating", oscillating))
    if (i := _settled(train, change, epochs)) is not None:
        found.append(("settled", i))
    finite = np.isfinite(test)
    if finite.sum() >= 2:
        best = int(np.nanargmin(np.where(finite, test, np.nan)))
        found.append(("best_test", best))
        later = np.arange(len(test)) > best
        smooth_test, smooth_train = _smooth(test), _smooth(train)
        low = smooth_test[best]
        risen = smooth_test > low + max(RISE * low, RISE_FLOOR)
        falling = smooth_train < smooth_train[best] * (1 - FALL)
        rising = later & finite & risen & falling
        if rising.any() and oscillating is None:
            found.append(("overfitting", best))
    return [
        {"kind": kind, "step": int(steps[i]), "epoch": int(epochs[i])}
        for kind, i in sorted(found, key=lambda f: f[1])
    ]


def _smooth(values: np.ndarray[Any, Any], width: int = 5) -> np.ndarray[Any, Any]:
    """Trailing mean over up to `width` points (fewer at the start)."""
    clean = np.nan_to_num(values, nan=0.0)
    sums = np.cumsum(np.insert(clean, 0, 0.0))  # (n + 1,)
    n = np.arange(1, len(values) + 1)
    start = np.maximum(n - width, 0)
    means: np.ndarray[Any, Any] = (sums[n] - sums[start]) / (n - start)
    return means


def _oscillation(loss: np.ndarray[Any, Any]) -> int | None:
    if len(loss) < WINDOW:
        return None
    delta = np.diff(loss)  # (n - 1,)
    big = np.abs(delta) > np.maximum(SWING * np.abs(loss[:-1]), SWING_FLOOR)
    sign = np.sign(delta) * big
    for end in range(WINDOW - 1, len(sign) + 1):
        window = sign[end - WINDOW + 1 : end]
        moves = window[window != 0]
        if len(moves) > TURNS and int(np.sum(moves[1:] != moves[:-1])) >= TURNS:
            return end
    return None


def _settled(
    loss: np.ndarray[Any, Any], change: np.ndarray[Any, Any], epochs: np.ndarray[Any, Any]
) -> int | None:
    if len(loss) == 0 or not np.isfinite(loss[0]):
        return None
    learned = np.nan_to_num(loss, nan=np.inf) <= LEARNED * loss[0]
    calm = (np.nan_to_num(change, nan=1.0) < CALM) & learned
    run = 0
    for i, quiet in enumerate(calm):
        run = run + 1 if quiet else 0
        if run >= CALM_POINTS:
            start = i - CALM_POINTS + 1
            span = loss[start : i + 1]
            flat = np.ptp(span) <= max(FLAT * np.max(span), FLAT_FLOOR)
            if np.all(np.isfinite(span)) and flat and not descending(loss, epochs, i):
                return start
    return None


def descending(loss: np.ndarray[Any, Any], epochs: np.ndarray[Any, Any], i: int) -> bool:
    """Whether the loss at point `i` is still falling at a pace: over the last quarter of
    the epochs so far it fell by more than DESCENDING of its whole fall since the start.
    A run that settled fell early; a crawl falls as much in each quarter as in the first."""
    fall = loss[0] - loss[i]
    if not fall > 0:
        return False
    j = min(int(np.searchsorted(epochs, 0.75 * epochs[i])), i)
    return bool(loss[j] - loss[i] > DESCENDING * fall)
