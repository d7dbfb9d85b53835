"""Content-Encoding undone with a cap on the decoded bytes, checked while decoding, for any stack."""
from __future__ import annotations

import zlib
from typing import Iterator

# Decoded bytes come out of each layer at most this many at a time: a few KB of a compression
# bomb never turns into gigabytes at once, whatever the stack (`gzip, gzip` ...).
PIECE_BYTES = 64 << 10
SUPPORTED = ("gzip", "x-gzip", "deflate")  # what the fetcher's Accept-Encoding asks for


class ContentCodingError(Exception):
    """A body that cannot be decoded within the rules; the message is the reject reason."""


class DecodedTooLarge(ContentCodingError):
    pass


def content_codings(header_values: list[str]) -> list[str]:
    """The codings a response names, in the order they were applied ("identity" dropped)."""
    codings = [c.strip().lower() for value in header_values for c in value.split(",")]
    return [c for c in codings if c and c != "identity"]


class _Layer:
    """One coding undone incrementally (zlib with max_length), counting what it has produced."""

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self.limit = limit
        self.produced = 0
        self._raw_deflate_tried = False
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding != "deflate" else zlib.MAX_WBITS)

    def pieces(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._z.decompress(data, PIECE_BYTES)
            except zlib.error as exc:
                if self.coding == "deflate" and not self._raw_deflate_tried and self.produced == 0:
                    # "deflate" is meant to be zlib-wrapped; some servers send the raw stream (as httpx allows).
                    self._raw_deflate_tried = True
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise ContentCodingError(f"cannot decode {self.coding} content: {exc}") from None
            self._raw_deflate_tried = True
            yield from self._counted(out)
            data = self._z.unconsumed_tail
            # A full piece may leave output inside zlib even with no input left: ask again.
            if not data and len(out) < PIECE_BYTES:
                return

    def finish(self) -> Iterator[bytes]:
        try:
            yield from self._counted(self._z.flush())
        except zlib.error as exc:
            raise ContentCodingError(f"cannot decode {self.coding} content: {exc}") from None

    def _counted(self, out: bytes) -> Iterator[bytes]:
        self.produced += len(out)
        # Every layer is held to the cap, not only the last: an inner layer (compressed data)
        # is smaller than what it decodes to, so this refuses nothing the final cap would let in.
        if self.produced > self.limit:
            raise DecodedTooLarge(f"response too large once decoded (over {self.limit} bytes)")
        if out:
            yield out


class BoundedDecoder:
    """Undoes a stack of content codings chunk by chunk; raises DecodedTooLarge as soon as any
    layer has produced more than `limit` bytes, having held at most a piece per layer."""

    def __init__(self, codings: list[str], limit: int) -> None:
        unknown = [c for c in codings if c not in SUPPORTED]
        if unknown:
            raise ContentCodingError(f"unsupported content encoding: {', '.join(unknown)}")
        # Listed in the order applied, so undone last one first.
        self._layers = [_Layer(c, limit) for c in reversed(codings)]

    def decode(self, data: bytes) -> list[bytes]:
        if not self._layers:
            return [data] if data else []
        out: list[bytes] = []
        self._push(0, self._layers[0].pieces(data), out)
        return out

    def finish(self) -> list[bytes]:
        out: list[bytes] = []
        for i, layer in enumerate(self._layers):
            self._push(i, layer.finish(), out)
        return out

    def _push(self, i: int, pieces: Iterator[bytes], out: list[bytes]) -> None:
        for piece in pieces:
            if i + 1 == len(self._layers):
                out.append(piece)
            else:
                self._push(i + 1, self._layers[i + 1].pieces(piece), out)
