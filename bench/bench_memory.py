"""Session memory: the estimate from the config against what a session really holds.

Run from the project root: `.venv/bin/python bench/bench_memory.py`. For each config, one
session is taken to its largest (a step, a viewer who wants neurons, the history past its bound,
the timeline at its budget, two boundary reads kept) and its growth is measured with tracemalloc,
exactly as tests/api/test_memory.py does. Then, in this process, the largest config is created,
stepped and watched until the server's budget answers 503, and the resident size is read from
/proc: the worst mix the default settings accept.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from app.config import Settings
from app.engine import config_from_dict
from app.main import create_app
from app.sessions import memory
from tests.api.test_memory import CONFIGS, NINE, measure, take_to_the_top

MORE: dict[str, dict[str, Any]] = {
    "6 classes, adam": {"dataset": "blobs", "classes": 6, "n_samples": 5000, "optimizer": "adam"}
    | {"hidden_layers": [32] * 8, "features": NINE, "batch_size": 1000, "train_fraction": 0.9},
    "custom 5,000 points": {"dataset": "custom", "hidden_layers": [16, 16], "batch_size": 64}
    | {"points": [[i % 11 - 5, (i * 7) % 11 - 5, i % 3] for i in range(5000)]},
    "regression": {"dataset": "plane", "n_samples": 2000, "hidden_layers": [32, 32]}
    | {"batch_size": 2000},
}
MIB = memory.MB


def rss_mb() -> float:
    for text in Path("/proc/self/status").read_text().splitlines():
        if text.startswith("VmRSS:"):
            return int(text.split()[1]) / 1024
    return float("nan")


def table() -> None:
    settings = Settings()
    print("-- estimate against measured growth (tracemalloc), MB = 2^20 bytes")
    print(f"   {'config':22}{'estimate':>10}{'measured':>10}{'off by':>9}")
    for name, config in {**CONFIGS, **MORE}.items():
        estimate, used = measure(config)
        off = (estimate - used) / used * 100
        print(f"   {name:22}{estimate / MIB:10.2f}{used / MIB:10.2f}{off:+8.1f}%")
    parts = memory.parts(config_from_dict(CONFIGS["largest"]), settings)
    print("   largest, by part MB: " + ", ".join(f"{k} {v / MIB:.2f}" for k, v in parts.items()))
    typical = memory.estimate(config_from_dict({}), settings)
    print(
        f"-- defaults: {settings.max_sessions} default sessions need "
        f"{settings.max_sessions * typical / MIB:.0f} MB of the {settings.memory_mb} MB budget; "
        f"at most {settings.session_memory_mb} MB per session"
    )


def worst_mix() -> None:
    app = create_app(Settings())
    start = rss_mb()
    with TestClient(app) as client:
        need, count = memory.estimate(config_from_dict(CONFIGS["largest"]), Settings()), 0
        while app.state.registry.budget.fits(need):
            take_to_the_top(app, client, CONFIGS["largest"])
            count += 1
        refused = client.post("/api/sessions", json=CONFIGS["largest"]).status_code
        gc.collect()
        budget = app.state.registry.budget
        print(f"-- worst mix: the largest config, stepped and watched: {count} fit, then {refused}")
        print(f"   estimates counted {budget.used / MIB:.0f} MB of {budget.limit / MIB:.0f} MB")
        print(f"   process RSS {start:.0f} MB at start, {rss_mb():.0f} MB with them all")


if __name__ == "__main__":
    table()
    worst_mix()
