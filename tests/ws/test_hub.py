"""The hub never lets a slow viewer hold up the others or queue frames without bound."""

from __future__ import annotations

import asyncio

from app.sessions.frames import FrameSet
from app.sessions.hub import CONTROL_QUEUE, Hub, Viewer, stop


class StuckSocket:
    """A viewer whose network stopped: every send waits forever."""

    def __init__(self) -> None:
        self.sent: list[bytes | str] = []
        self.never = asyncio.Event()

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)
        await self.never.wait()

    async def send_text(self, data: str) -> None:
        self.sent.append(data)
        await self.never.wait()


class QuickSocket:
    def __init__(self) -> None:
        self.sent: list[bytes | str] = []

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)

    async def send_text(self, data: str) -> None:
        self.sent.append(data)


def test_a_stuck_viewer_keeps_only_the_latest_frame() -> None:
    async def scenario() -> tuple[list[bytes | str], list[bytes | str], Viewer]:
        hub = Hub()
        stuck, quick = Viewer(StuckSocket()), Viewer(QuickSocket())
        hub.add(stuck)
        hub.add(quick)
        pumps = [asyncio.create_task(v.pump()) for v in (stuck, quick)]
        for i in range(200):
            hub.publish_frame(FrameSet(plain=bytes([i % 256]), with_neurons=None))
            await asyncio.sleep(0)  # let the pumps run between frames
        for i in range(CONTROL_QUEUE * 3):
            hub.publish_json({"type": "config", "n": i})
        await asyncio.sleep(0.01)
        for pump in pumps:
            await stop(pump)
        assert isinstance(stuck.socket, StuckSocket) and isinstance(quick.socket, QuickSocket)
        return stuck.socket.sent, quick.socket.sent, stuck

    stuck_sent, quick_sent, stuck = asyncio.run(scenario())
    frames = [m for m in quick_sent if isinstance(m, bytes)]
    assert len(frames) == 200  # the quick viewer saw every frame
    assert len(stuck_sent) == 1  # the stuck one is still sending its first frame
    assert stuck.frames_skipped >= 198  # the rest were replaced, never queued
    assert stuck.waiting <= CONTROL_QUEUE + 1  # bounded: the JSON cap and one latest frame


def test_neuron_frames_go_only_to_viewers_who_asked() -> None:
    async def scenario() -> tuple[list[bytes | str], list[bytes | str]]:
        hub = Hub()
        plain, rich = Viewer(QuickSocket()), Viewer(QuickSocket())
        rich.neurons = True
        hub.add(plain)
        hub.add(rich)
        assert hub.wants_neurons
        pumps = [asyncio.create_task(v.pump()) for v in (plain, rich)]
        hub.publish_frame(FrameSet(plain=b"plain", with_neurons=b"rich"))
        await asyncio.sleep(0.01)
        for pump in pumps:
            await stop(pump)
        assert isinstance(plain.socket, QuickSocket) and isinstance(rich.socket, QuickSocket)
        return plain.socket.sent, rich.socket.sent

    plain_sent, rich_sent = asyncio.run(scenario())
    assert plain_sent == [b"plain"] and rich_sent == [b"rich"]


def test_messages_keep_their_order_and_a_newer_frame_moves_to_the_end() -> None:
    async def scenario() -> list[bytes | str]:
        viewer = Viewer(QuickSocket())
        viewer.offer_frame(FrameSet(plain=b"running", with_neurons=None))
        viewer.offer_json('{"type": "state", "status": "idle"}')
        viewer.offer_frame(FrameSet(plain=b"a", with_neurons=None), source="a")
        viewer.offer_json('{"type": "config"}')
        viewer.offer_frame(FrameSet(plain=b"a2", with_neurons=None), source="a")
        pump = asyncio.create_task(viewer.pump())
        await asyncio.sleep(0.01)
        await stop(pump)
        assert isinstance(viewer.socket, QuickSocket)
        return viewer.socket.sent

    assert asyncio.run(scenario()) == [
        b"running",
        '{"type": "state", "status": "idle"}',
        '{"type": "config"}',
        b"a2",
    ]
