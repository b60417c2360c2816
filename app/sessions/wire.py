"""The frame wire format (version 2): whole frames, deltas against the frame before, and a reader.

A frame is one zlib stream (RFC 1950, what a browser's `DecompressionStream("deflate")` reads).
Inflated, it is a 4-byte little-endian length `L`, `L` bytes of JSON header, then the payload
the header's offsets point into (frames.py lays it out). A frame is whole, or a delta: its
header has `base`, the `seq` of the frame it applies to, and only the fields that changed
(`type`, `v`, `id` and `seq` always); its payload, added byte by byte (mod 256) to the base's,
gives this frame's. Every frame is compressed once for all its viewers; the hub sends a viewer
the delta only when the base is the last frame that viewer got of that run, the whole frame
otherwise (a late joiner, a viewer that skipped frames, one that just looked at the past).
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

VERSION = 2
ALWAYS = ("type", "v", "id", "seq")  # in every header, delta or whole
LEVEL = 1  # zlib's fastest: a busy frame costs 3-9 times less CPU than at 6, for ~15 % more bytes


def encode(header: dict[str, Any], payload: bytes) -> bytes:
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    return zlib.compress(struct.pack("<I", len(text)) + text + payload, LEVEL)


def unpack(message: bytes) -> tuple[dict[str, Any], bytes]:
    """One message as sent: (header, payload); a delta's stay partial (see `Reader`)."""
    data = zlib.decompress(message)
    (length,) = struct.unpack_from("<I", data)
    return json.loads(data[4 : 4 + length]), data[4 + length :]


def _bytes(data: bytes) -> np.ndarray[Any, np.dtype[np.uint8]]:
    return np.frombuffer(data, np.uint8)


class Variant:
    """One frame for one kind of viewer (with or without neurons): the whole frame, compressed
    when first asked for, and the delta against the frame before, when there is one."""

    __slots__ = ("_whole", "delta", "header", "payload")

    def __init__(self, header: dict[str, Any], payload: bytes, delta: bytes | None) -> None:
        self.header = header
        self.payload = payload
        self.delta = delta
        self._whole: bytes | None = None

    @classmethod
    def encoded(cls, whole: bytes, delta: bytes | None = None) -> Variant:
        """A variant as it came over the wire already encoded (another process built it)."""
        variant = cls({}, b"", delta)
        variant._whole = whole
        return variant

    def whole(self) -> bytes:
        if self._whole is None:  # most ticks every viewer takes the delta: build on demand
            self._whole = encode(self.header, self.payload)
        return self._whole


@dataclass(frozen=True)
class FrameSet:
    """One frame for every viewer of a run. `base`: the seq its deltas apply to."""

    plain: Variant
    rich: Variant | None = None  # with the neurons' grids; None when no viewer asked
    seq: int | None = None  # None for a frame of the past
    base: int | None = None

    def message(self, neurons: bool, last: tuple[int | None, bool] | None) -> bytes:
        """What to send a viewer whose last frame of this run was `last` (seq, had neurons)."""
        rich = neurons and self.rich is not None
        variant = self.rich if rich and self.rich is not None else self.plain
        if variant.delta is not None and last == (self.base, rich):
            return variant.delta
        return variant.whole()


def delta(
    header: dict[str, Any], payload: bytes, before: tuple[dict[str, Any], bytes] | None
) -> bytes | None:
    """`header` and `payload` as a change from `before`, or None if the layout differs."""
    if before is None:
        return None
    old_header, old_payload = before
    if len(old_payload) != len(payload) or old_header.keys() != header.keys():
        return None
    for name in ("grid", "weights", "neurons"):  # the same parts at the same offsets
        if name in header and header[name].get("offset") != old_header[name].get("offset"):
            return None
    changed = {k: v for k, v in header.items() if k in ALWAYS or old_header[k] != v}
    changed["base"] = old_header["seq"]
    return encode(changed, (_bytes(payload) - _bytes(old_payload)).tobytes())


@dataclass
class Chain:
    """The frames last shared with a run's viewers, which the next frame's deltas apply to."""

    plain: tuple[dict[str, Any], bytes] | None = None
    rich: tuple[dict[str, Any], bytes] | None = None

    def frame(
        self,
        plain: tuple[dict[str, Any], bytes],
        rich: tuple[dict[str, Any], bytes] | None,
        shared: bool,
    ) -> FrameSet:
        """A frame set; `shared` (sent to every viewer) makes it the base of the next one.
        A frame for one viewer (a late joiner) is whole and leaves the chain as it was."""
        seq = plain[0].get("seq")
        base = self.plain[0]["seq"] if self.plain is not None else None
        same_base = self.rich is not None and base is not None and self.rich[0]["seq"] == base
        if not shared:
            return FrameSet(Variant(*plain, None), rich and Variant(*rich, None), seq, None)
        out = FrameSet(
            Variant(*plain, delta(*plain, self.plain)),
            rich and Variant(*rich, delta(*rich, self.rich if same_base else None)),
            seq,
            base,
        )
        self.plain, self.rich = plain, rich
        return out

    def part(self, name: str, rich: bool) -> bytes | None:
        """Part `name` of the frame last shared (with neurons if `rich`), if it has one."""
        last = self.rich if rich else self.plain
        if last is None or name not in last[0]:
            return None
        start = last[0][name]["offset"]
        ends = [last[0][p]["offset"] for p in ("grid", "weights", "neurons") if p in last[0]]
        end = min([e for e in ends if e > start] or [len(last[1])])
        return last[1][start:end]


@dataclass
class Reader:
    """Reads a socket's frames in order, for scripts and tests: each as (header, payload),
    whole, deltas applied. One reader per socket: it keeps the last frame of each run."""

    last: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)

    def read(self, message: bytes) -> tuple[dict[str, Any], bytes]:
        header, payload = unpack(message)
        if "base" in header:
            before = self.last.get(header["id"])
            if before is None or before[0].get("seq") != header["base"]:
                raise ValueError(f"frame {header['seq']} applies to a frame this reader lacks")
            header = {**before[0], **header}
            payload = (_bytes(before[1]) + _bytes(payload)).tobytes()
        else:
            header.pop("base", None)
        self.last[header["id"]] = (header, payload)
        return header, payload
