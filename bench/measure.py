"""What every bench prints and measures with: a labelled figure, a table row, and the CPU a
process (or the whole machine) spent over a stretch of time, read from /proc."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

HZ = os.sysconf("SC_CLK_TCK")


def line(label: str, value: str) -> None:
    print(f"{label:<52}{value}", flush=True)


def row(first: object, cells: tuple[float | str, ...], formats: str) -> None:
    """One table row; `formats` gives width.decimals per cell, e.g. "8.1 10.1"."""
    pairs = zip(cells, formats.split(), strict=True)
    text = "".join(
        f"{c:>{f.split('.')[0]}}" if isinstance(c, str) else f"{c:{f}f}" for c, f in pairs
    )
    print(f"   {first!s:<10}{text}", flush=True)


def cpu_seconds(pid: int | str) -> float:
    """utime + stime of a process, all its threads included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def busy() -> float:
    """CPU seconds the whole machine has spent busy, over all its cores."""
    with open("/proc/stat") as f:
        user, nice, system, _, _, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / HZ


def meter(server_seconds: Callable[[], float]) -> Callable[[], tuple[float, float, float, float]]:
    """Start a stretch; the result gives its seconds and the CPU cores used meanwhile by the
    server (whatever `server_seconds` counts), by these clients and by anything else on the
    machine (a disturbance)."""

    def sample() -> list[float]:
        return [time.perf_counter(), server_seconds(), cpu_seconds("self"), busy()]

    start = sample()

    def stop() -> tuple[float, float, float, float]:
        wall, server, client, total = (b - a for a, b in zip(start, sample(), strict=True))
        return wall, server / wall, client / wall, max(0.0, total - server - client) / wall

    return stop
