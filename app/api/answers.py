"""The owner's side of a socket on another worker: its join, and the answer to each message.

A viewer connected to another worker (relay.py) is served here by the very code that serves a
socket connected here — `live.hello`, `live.handle` with its driver checks and the service's
refusals — through a stand-in viewer that keeps what it is offered instead of sending it. What
it kept travels back over the bus in order: JSON text as it is, frames as the bytes a socket
would send. Everything the run then tells all its viewers comes the other way, once per frame,
through the run's channel (app/cluster/fanout.py). A comparison's socket is answered alike, by
the comparison's own socket code (compare.py); its runs' frames come on their runs' channels.
A viewer's ask for the loss landscape is answered here with the landscape of now; its stand-in
then leaves the feed, and the landscapes that follow go out once on the channel for every
viewer elsewhere that asked (`follow`), a run's or a comparison's.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from fastapi import FastAPI

from app.api import compare, live
from app.api.landscape import render
from app.api.sockets import CLOSE_FULL, CLOSE_UNKNOWN, Driven, error, offer_current_frame
from app.cluster.bus import Head
from app.cluster.fanout import Afar, ClusterHub, Nobody
from app.cluster.registry import ClusterRegistry
from app.sessions import comparisons, service
from app.sessions.group import Comparison
from app.sessions.hub import Viewer
from app.sessions.landscape_feed import KIND
from app.sessions.session import Session
from app.sessions.wire import FrameSet

TOO_MANY = "this session has too many viewers"
Handle = Callable[[Driven[Any], Viewer, str], Awaitable[None]]  # a socket's message, heeded


class Collector(Viewer):
    """Stands in for a viewer on another worker: it keeps, in order, what it is offered."""

    def __init__(self, driver: bool, neurons: bool) -> None:
        super().__init__(Nobody())
        self.driver, self.neurons = driver, neurons
        # JSON text with its kind, or a frame with the run it is of (a comparison's)
        self.kept: list[tuple[str, str | None] | tuple[FrameSet, str]] = []

    def offer_json(self, message: dict[str, Any] | str, kind: str | None = None) -> None:
        self.kept.append((message if isinstance(message, str) else json.dumps(message), kind))

    def offer_frame(self, frames: FrameSet, source: str = "") -> None:
        self.kept.append((frames, source))

    def answer(
        self, fence: int, close: int | None = None, fences: dict[str, int] | None = None
    ) -> tuple[Head, bytes]:
        """What it kept, to send back; a frame of a comparison's run names its run and the
        fence its owner stamps on that run's frames (`fences`)."""
        out: list[dict[str, Any]] = []
        frames: list[bytes] = []
        for item in self.kept:
            if isinstance(item[0], str):
                out.append({"t": item[0], "k": item[1]} if item[1] else {"t": item[0]})
                continue
            kept, source = item
            rich = self.neurons and kept.rich is not None
            frames.append(kept.message(self.neurons, None))  # whole: no base over there
            out.append({"f": len(frames[-1]), "seq": kept.seq, "rich": rich})
            if source:
                out[-1].update(src=source, fence=(fences or {}).get(source, 0))
        head = {"driver": self.driver, "neurons": self.neurons, "fence": fence, "close": close}
        return {**head, "out": out}, b"".join(frames)


class Answers:
    def __init__(self, registry: ClusterRegistry) -> None:
        self.registry = registry

    def found(self, key: str, viewer: Collector) -> Session | None:
        session = self.registry.get(key)
        if session is None:
            viewer.offer_json(error("not_found", "no session has this id", "session_id"))
        return session

    def group(self, key: str, viewer: Collector) -> Comparison | None:
        group = self.registry.groups.get(key)
        if group is None:
            viewer.offer_json(error("not_found", "no comparison has this id", "group_id"))
        return group

    async def join(self, head: Head, body: bytes) -> tuple[Head, bytes]:
        """A viewer elsewhere comes: what a viewer coming here would get first, or a refusal."""
        if head.get("group"):
            return await self.join_group(head["key"])
        key, viewer = head["key"], Collector(False, False)
        session = self.found(key, viewer)
        fence = self.registry.fences.get(key, 0)
        if session is None:
            return {**viewer.answer(fence, CLOSE_UNKNOWN)[0], "missing": True}, b""
        await self.registry.remote.refresh([key])  # it said it comes: count it, send it frames
        if session.live.viewers.count() > session.settings.max_viewers:
            viewer.offer_json(error("unavailable", TOO_MANY))
            return viewer.answer(fence, CLOSE_FULL)
        session.touch()
        viewer.offer_json(live.hello(session, viewer))
        if (note := self.registry.resumed.message(key)) is not None:
            viewer.offer_json(note)
        await offer_current_frame(session, viewer)
        return viewer.answer(fence)

    async def join_group(self, key: str) -> tuple[Head, bytes]:
        """A comparison's viewer elsewhere comes: its hello and its runs' frames, and the runs,
        whose channels that worker then listens to."""
        viewer, fences = Collector(False, False), self.registry.fences
        group = self.group(key, viewer)
        if group is None:
            return {**viewer.answer(0, CLOSE_UNKNOWN)[0], "missing": True}, b""
        runs = [run.id for run in group.runs]
        await self.registry.remote.refresh([key, *runs])
        group.touch()
        await compare.greet(group, viewer)
        head, frames = viewer.answer(fences.get(key, 0), fences=fences)
        return {**head, "runs": runs}, frames

    def driven(self, head: Head, viewer: Collector) -> tuple[Driven[Any], Handle] | None:
        """What a message from a viewer elsewhere drives, and the socket code that heeds it."""
        if head.get("group"):
            group = self.group(head["key"], viewer)
            if group is None:
                return None
            driving = Driven(group, "comparison", compare.FIRST, comparisons, compare.drive)
            return driving, compare.handle
        session = self.found(head["key"], viewer)
        if session is None:
            return None
        return Driven(session, "session", live.FIRST, service, live.drive), live.handle

    async def message(self, head: Head, body: bytes) -> tuple[Head, bytes]:
        """A message a viewer elsewhere sent, handled as if it had been sent here."""
        key, viewer = head["key"], Collector(head["driver"], head["neurons"])
        found = self.driven(head, viewer)
        fence, fences = self.registry.fences.get(key, 0), self.registry.fences
        if found is None:
            return {**viewer.answer(fence, CLOSE_UNKNOWN)[0], "missing": True}, b""
        driven, handle = found
        driven.run.touch()
        await handle(driven, viewer, body.decode())
        asked = await landscape(driven.run, viewer, body)
        head, frames = viewer.answer(fence, fences=fences)
        return ({**head, "landscape": asked} if asked is not None else head), frames


async def landscape(run: Session | Comparison, viewer: Collector, body: bytes) -> int | None:
    """What a viewer elsewhere asked of the run's landscape: the resolution, 0 for no more, or
    None (it asked nothing of it, or was refused, and what it asked before holds). Its stand-in
    is sent the landscape of now, as a viewer here would be, and leaves the feed at once."""
    resolution = run.feed.asked.get(viewer)
    if resolution is not None:
        run.feed.drop(viewer)
        viewer.offer_json(await run.feed.now(resolution, render), KIND)
        return resolution
    if viewer.kept or json.loads(body).get("type") != "landscape":
        return None
    return 0  # a landscape message, heard without a word back: "off"


def follow(registry: ClusterRegistry, key: str) -> None:
    """Let the feed of run (or comparison) `key` serve the resolutions viewers elsewhere ask
    for, and no others: one `Afar` viewer for each, whichever workers and however many ask."""
    session, group = registry.get(key), registry.groups.get(key)
    run = session if session is not None else group
    hub = session.hub if session is not None else group.watchers if group is not None else None
    if run is None or not isinstance(hub, ClusterHub):
        return
    feed, wanted = run.feed, registry.remote.asked(key)
    afar = {v.resolution: v for v in feed.asked if isinstance(v, Afar)}
    for resolution, stand_in in afar.items():
        if resolution not in wanted:
            feed.drop(stand_in)
    for resolution in wanted - afar.keys():  # the asker was sent one with its answer
        feed.ask(Afar(hub, resolution), resolution, render, now=False)


def install(app: FastAPI, registry: ClusterRegistry) -> None:
    answers = Answers(registry)
    registry.bus.handlers["join"] = answers.join
    registry.bus.handlers["ws"] = answers.message
    registry.remote.follow = partial(follow, registry)
