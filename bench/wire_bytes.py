"""Section 6 of bench_server.py: what a frame costs on the wire, and what it cost before.

A run plays at full speed for its first `seconds` watched by a phone (the boundary alone, as
watch, present and embed show it) and by a playground (with every neuron's map). Every frame
each receives is counted as sent, deltas and whole frames alike; "before" is the size the same
frame had in the format before version 2 (JSON header padded to 4 bytes, a byte per cell on
256 levels, float32 weights), rebuilt from its decoded header.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PLAY = {"type": "play"}
NEURONS = {"type": "subscribe", "neurons": True}
GOALS = {"watch": 1.5, "playground": 3.0, "largest": 8.0, "settled": 0.6}  # KB, issue 13


@dataclass
class Tally:
    """Every frame one viewer got: bytes sent, the v1 size, whether the boundary had moved."""

    sizes: list[int] = field(default_factory=list)
    before: list[int] = field(default_factory=list)
    settled: list[int] = field(default_factory=list)  # sizes of frames with boundary change 0
    settled_before: list[int] = field(default_factory=list)

    def add(self, message: bytes, header: dict[str, Any]) -> None:
        self.sizes.append(len(message))
        self.before.append(v1_size(header))
        point = (header.get("history") or {}).get("point") or {}
        if point.get("boundary_change") == 0:
            self.settled.append(len(message))
            self.settled_before.append(self.before[-1])


def v1_size(header: dict[str, Any]) -> int:
    """The bytes this frame took in the format before version 2."""
    old = {k: v for k, v in header.items() if k not in ("v", "base")}
    for part in ("grid", "weights", "neurons"):
        if part in old:
            old[part] = {k: v for k, v in old[part].items() if k != "levels"}
    text = len(json.dumps(old, separators=(",", ":")).encode())
    grid = header["grid"]["resolution"] ** 2
    weights = 4 * sum(math.prod(shape) for shape in header["weights"]["shapes"])
    neurons = header.get("neurons")
    cells = (
        sum(n["width"] for n in neurons["layers"]) * neurons["resolution"] ** 2 if neurons else 0
    )
    pad = lambda n: n + (-n % 4)  # noqa: E731
    return 4 + pad(text + 4) - 4 + pad(grid) + pad(weights) + pad(cells)


def kb(values: list[int]) -> float:
    return statistics.median(values) / 1024 if values else float("nan")


def report(runs: list[dict[str, Tally]], seconds: float, line: Callable[[str, str], None]) -> None:
    """Medians over runs of each run's median frame, before and after, against the goals;
    `runs` maps "watch", "playground", "largest" and "largest+neurons" to a viewer's tally."""

    def both(name: str, settled: bool = False) -> tuple[float, float]:
        tallies = [run[name] for run in runs]
        after = [kb(t.settled if settled else t.sizes) for t in tallies]
        before = [kb(t.settled_before if settled else t.before) for t in tallies]
        return statistics.median(before), statistics.median(after)

    cases = [
        ("watch/present/embed", "watch", False, GOALS["watch"]),
        ("playground with neuron maps", "playground", False, GOALS["playground"]),
        ("largest network (8 x 32), boundary only", "largest", False, GOALS["largest"]),
        ("largest network (8 x 32), with neuron maps", "largest+neurons", False, None),
        ("settled (boundary change 0), watch", "watch", True, GOALS["settled"]),
    ]
    print("   KB per frame: before (v1 layout, same frames) -> now (goal)")
    for label, name, settled, goal in cases:
        before, after = both(name, settled)
        target = f"  (goal <= {goal})" if goal else ""
        line(f"   {label}", f"{before:6.2f} -> {after:5.2f}{target}")
    for name, who in (("watch", "a phone"), ("playground", "a playground")):
        rates = [sum(run[name].sizes) / seconds for run in runs]
        before = [sum(run[name].before) / seconds for run in runs]
        per, old = statistics.median(rates), statistics.median(before)
        line(f"   bytes/s to {who}: before -> now KB/s", f"{old / 1024:6.1f} -> {per / 1024:5.1f}")
    phones = [30 * sum(run["watch"].sizes) / seconds / 1e6 for run in runs]
    old = [30 * sum(run["watch"].before) / seconds / 1e6 for run in runs]
    line(
        "   30 phones watching one run: before -> now MB/s",
        f"{statistics.median(old):6.2f} -> {statistics.median(phones):5.2f}",
    )


async def section(
    bench: Any, reference: dict[str, Any], seconds: float, runs: int, line: Any
) -> None:
    """Run the section on `bench` (bench_server's Bench): spiral-8-8 and the largest network."""
    print(f"-- 6. bytes per frame on the wire, runs at full speed over their first {seconds:g} s")
    print(f"      (medians of {runs} runs of the median frame; a phone and a playground watch)")
    largest = reference | {"hidden_layers": [32] * 8}
    results = []
    for _ in range(runs):
        watch = await frames_of(bench, reference, seconds, "watch", "playground")
        wide = await frames_of(bench, largest, seconds, "largest", "largest+neurons")
        results.append(watch | wide)
    report(results, seconds, line)


async def frames_of(bench: Any, config: dict[str, Any], seconds: float, *names: str) -> Any:
    """Tallies of a phone (the boundary alone) and a playground (the neurons' maps too)."""
    session = await bench.create(config)
    phone, playground = await bench.watch(session), await bench.watch(session, NEURONS)
    await asyncio.sleep(0.5)  # both joined and got their first frame
    phone.tally, playground.tally = Tally(), Tally()
    await playground.ws.send(json.dumps(PLAY))
    await asyncio.sleep(seconds)
    await bench.close([phone, playground], [session])
    return {names[0]: phone.tally, names[1]: playground.tally}
