"""A socket for a run another worker owns: the socket stays here, and the bus carries the rest.

The viewer joins this worker's mirror of the run (app/cluster/mirror.py), which the owner's
frames reach through Redis once per frame whoever watches. What it is told first (hello, a
"resumed" word, the frame of now) and the answer to each message it sends come from the owner
(answers.py), which runs them through the same code as its own sockets', so every refusal
reads the same; an ask for the loss landscape that the owner heard is kept in the mirror, whose
word to the owner has it publish the landscapes that follow. An owner that dies is looked up
again: the run's next owner answers, and its frames (and landscapes) reach the same mirror.

A comparison's socket is served the same way: the viewer joins the comparison's mirror (for
what the comparison says) and, through a tap naming each run, its runs' mirrors (their frames).
"""

from __future__ import annotations

import json
from functools import partial

from fastapi import WebSocket

from app.api.dispatch import MOVING, SILENT, Link, where
from app.api.sockets import error, listen, refuse
from app.cluster.bus import Head
from app.cluster.mirror import Mirror
from app.cluster.registry import CLOSE_MOVED, ClusterRegistry
from app.sessions.hub import Tap, Viewer
from app.sessions.wire import FrameSet, Variant


def take(
    viewer: Viewer, mirrors: dict[str, Mirror], answer: tuple[Head, bytes], first: bool
) -> None:
    """Offer the viewer what the owner kept for it, in order, and take on its driver and
    neurons flags; the first frame of a join is the newer of the owner's and the mirror's
    (that of the frame's source: a comparison's run, or "" for the run itself)."""
    head, body = answer
    viewer.driver, viewer.neurons = head["driver"], head["neurons"]
    at = 0
    for item in head["out"]:
        if "t" in item:
            viewer.offer_json(item["t"], item.get("k"))  # a kind: the latest of it replaces
            continue
        variant = Variant.encoded(body[at : at + item["f"]])
        at += item["f"]
        frames = FrameSet(variant, variant if item["rich"] else None, item["seq"])
        source, fence = item.get("src", ""), item.get("fence", head["fence"])
        mirror = mirrors.get(source)
        if first and mirror is not None:
            frames = mirror.first_frame(frames, fence)
        viewer.offer_frame(frames, source)


async def elsewhere(socket: WebSocket, key: str, group: bool = False) -> bool:
    """Serve the socket here if another worker owns run (or comparison) `key`; False if no
    worker does (and the route says that none has this id)."""
    registry = socket.app.state.registry
    if not isinstance(registry, ClusterRegistry):
        return False
    owner = await where(registry, key)
    if owner is None:
        return False
    await socket.accept()
    if owner == MOVING:  # the page reconnects, and finds the run's new owner
        await refuse(socket, error("unavailable", MOVING), CLOSE_MOVED)
        return True
    viewer, link, which = Viewer(socket), Link(registry, key, owner), {"group": group}
    mirror = await registry.mirrors.open(key)
    mirrors, taps = {"": mirror}, dict[str, Viewer | Tap]({"": viewer})
    try:
        answer = await link.ask({"kind": "join", **which})
        if answer is None:
            await refuse(socket, error("unavailable", SILENT), CLOSE_MOVED)
            return True
        if answer[0]["close"] is not None:  # the owner refused it, and said why
            await refuse(socket, json.loads(answer[0]["out"][0]["t"]), answer[0]["close"])
            return True
        for run in answer[0].get("runs", []):  # a comparison's: frames on their own channels
            mirrors[run], taps[run] = await registry.mirrors.open(run), Tap(viewer, run)
        take(viewer, mirrors, answer, first=True)
        for source, tap in taps.items():
            registry.mirrors.add(mirrors[source], tap)
        handle = partial(relay, registry, link, mirrors, viewer, which)
        await listen(socket, viewer, lambda: None, handle)
    finally:
        for source, tap in taps.items():
            await registry.mirrors.leave(mirrors[source], tap)
    return True


async def relay(
    registry: ClusterRegistry,
    link: Link,
    mirrors: dict[str, Mirror],
    viewer: Viewer,
    which: Head,
    text: str,
) -> None:
    """A message from the viewer, to the owner; what the owner answers, to the viewer."""
    head = {"kind": "ws", "driver": viewer.driver, "neurons": viewer.neurons, **which}
    answer = await link.ask(head, text.encode())
    if answer is None:
        viewer.offer_json(error("unavailable", SILENT))
        return
    if answer[0]["close"] is not None:  # the run has ended
        viewer.close(answer[0]["close"], json.loads(answer[0]["out"][0]["t"]))
        return
    neurons = viewer.neurons
    take(viewer, mirrors, answer, first=False)
    asked = answer[0].get("landscape")  # a resolution, 0 for "off", None: no change
    # the owner adds the neurons to its frames, and publishes landscapes, for those who asked
    if (asked is not None and mirrors[""].ask(viewer, asked)) or viewer.neurons != neurons:
        await registry.mirrors.say(mirrors[""])
