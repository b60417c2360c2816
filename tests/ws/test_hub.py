"""The hub never lets a slow viewer hold up the others or queue frames without bound."""

from __future__ import annotations

import asyncio

from app.sessions.hub import CONTROL_QUEUE, Hub, Viewer, stop
from app.sessions.wire import Chain, FrameSet, Reader, Variant, unpack


def fixed(plain: bytes, rich: bytes | None = None) -> FrameSet:
    """A whole frame whose payload is `plain` (or `rich`, for viewers of the neurons)."""
    return FrameSet(Variant({}, plain, None), rich and Variant({}, rich, None))


def payloads(sent: list[bytes | str]) -> list[bytes | str]:
    return [m if isinstance(m, str) else unpack(m)[1] for m in sent]


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
            hub.publish_frame(fixed(bytes([i % 256])))
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
        hub.publish_frame(fixed(b"plain", b"rich"))
        await asyncio.sleep(0.01)
        for pump in pumps:
            await stop(pump)
        assert isinstance(plain.socket, QuickSocket) and isinstance(rich.socket, QuickSocket)
        return payloads(plain.socket.sent), payloads(rich.socket.sent)

    plain_sent, rich_sent = asyncio.run(scenario())
    assert plain_sent == [b"plain"] and rich_sent == [b"rich"]


def test_messages_keep_their_order_and_a_newer_frame_moves_to_the_end() -> None:
    async def scenario() -> list[bytes | str]:
        viewer = Viewer(QuickSocket())
        viewer.offer_frame(fixed(b"running"))
        viewer.offer_json('{"type": "state", "status": "idle"}')
        viewer.offer_frame(fixed(b"a"), source="a")
        viewer.offer_json('{"type": "config"}')
        viewer.offer_frame(fixed(b"a2"), source="a")
        pump = asyncio.create_task(viewer.pump())
        await asyncio.sleep(0.01)
        await stop(pump)
        assert isinstance(viewer.socket, QuickSocket)
        return payloads(viewer.socket.sent)

    assert asyncio.run(scenario()) == [
        b"running",
        '{"type": "state", "status": "idle"}',
        '{"type": "config"}',
        b"a2",
    ]


def test_a_viewer_that_skipped_a_frame_gets_the_next_one_whole() -> None:
    chain = Chain()
    sets = [
        chain.frame(({"type": "frame", "v": 2, "id": "r", "seq": i}, bytes([i, 7, 7])), None, True)
        for i in (1, 2, 3)
    ]

    async def scenario() -> tuple[list[bytes | str], list[bytes | str]]:
        steady, slow = Viewer(QuickSocket()), Viewer(QuickSocket())
        pumps = [asyncio.create_task(v.pump()) for v in (steady, slow)]
        for frames in sets:
            steady.offer_frame(frames)
            if frames is not sets[1]:  # the slow viewer's pump never saw frame 2 before 3 came
                slow.offer_frame(frames)
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)
        for pump in pumps:
            await stop(pump)
        assert isinstance(steady.socket, QuickSocket) and isinstance(slow.socket, QuickSocket)
        return steady.socket.sent, slow.socket.sent

    steady_sent, slow_sent = asyncio.run(scenario())
    bases = [unpack(m)[0].get("base") for m in steady_sent if isinstance(m, bytes)]
    assert bases == [None, 1, 2]  # whole, then deltas
    assert [unpack(m)[0].get("base") for m in slow_sent if isinstance(m, bytes)] == [None, None]
    for sent in (steady_sent, slow_sent):
        reader = Reader()
        last = [reader.read(m) for m in sent if isinstance(m, bytes)][-1]
        assert last[0]["seq"] == 3 and last[1] == bytes([3, 7, 7])
