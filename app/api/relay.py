"""A socket for a run another worker owns: the socket stays here, and the bus carries the rest.

The viewer joins this worker's mirror of the run (app/cluster/mirror.py), which the owner's
frames reach through Redis once per frame whoever watches. What it is told first (hello, a
"resumed" word, the frame of now) and the answer to each message it sends come from the owner
(answers.py), which runs them through the same code as its own sockets', so every refusal
reads the same; an ask for the loss landscape that the owner heard is kept in the mirror, whose
word to the owner has it publish the landscapes that follow. An owner that dies is looked up
again: the run's next owner answers, and its frames (and landscapes) reach the same mirror.
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
from app.sessions.hub import Viewer
from app.sessions.wire import FrameSet, Variant


def take(viewer: Viewer, mirror: Mirror, answer: tuple[Head, bytes], first: bool) -> None:
    """Offer the viewer what the owner kept for it, in order, and take on its driver and
    neurons flags; the first frame of a join is the newer of the owner's and the mirror's."""
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
        viewer.offer_frame(mirror.first_frame(frames, head["fence"]) if first else frames)


async def elsewhere(socket: WebSocket, key: str) -> bool:
    """Serve the socket here if another worker owns run `key`; False if no worker does (and
    the route says that no session has this id)."""
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
    viewer, link = Viewer(socket), Link(registry, key, owner)
    mirror = await registry.mirrors.open(key)
    try:
        answer = await link.ask({"kind": "join"})
        if answer is None:
            await refuse(socket, error("unavailable", SILENT), CLOSE_MOVED)
            return True
        if answer[0]["close"] is not None:  # the owner refused it, and said why
            await refuse(socket, json.loads(answer[0]["out"][0]["t"]), answer[0]["close"])
            return True
        take(viewer, mirror, answer, first=True)
        registry.mirrors.add(mirror, viewer)
        handle = partial(relay, registry, link, mirror, viewer)
        await listen(socket, viewer, lambda: None, handle)
    finally:
        await registry.mirrors.leave(mirror, viewer)
    return True


async def relay(
    registry: ClusterRegistry, link: Link, mirror: Mirror, viewer: Viewer, text: str
) -> None:
    """A message from the viewer, to the owner; what the owner answers, to the viewer."""
    head = {"kind": "ws", "driver": viewer.driver, "neurons": viewer.neurons}
    answer = await link.ask(head, text.encode())
    if answer is None:
        viewer.offer_json(error("unavailable", SILENT))
        return
    if answer[0]["close"] is not None:  # the run has ended
        viewer.close(answer[0]["close"], json.loads(answer[0]["out"][0]["t"]))
        return
    neurons = viewer.neurons
    take(viewer, mirror, answer, first=False)
    asked = answer[0].get("landscape")  # a resolution, 0 for "off", None: no change
    # the owner adds the neurons to its frames, and publishes landscapes, for those who asked
    if (asked is not None and mirror.ask(viewer, asked)) or viewer.neurons != neurons:
        await registry.mirrors.say(mirror)
