"""Bounded decoding of Content-Encoding stacks: right bytes back, the cap checked while decoding."""
import gzip
import zlib

import pytest

from ingest.sources.content_coding import (PIECE_BYTES, BoundedDecoder, ContentCodingError, DecodedTooLarge,
                                           content_codings)


def decode_all(codings: list[str], body: bytes, limit: int, chunk: int = 1000) -> bytes:
    decoder = BoundedDecoder(codings, limit)
    out = []
    for i in range(0, len(body), chunk):
        out += decoder.decode(body[i:i + chunk])
    out += decoder.finish()
    assert all(len(piece) <= PIECE_BYTES for piece in out)
    return b"".join(out)


def test_codings_in_the_order_applied():
    assert content_codings(["gzip, deflate", "identity", " GZIP "]) == ["gzip", "deflate", "gzip"]
    assert content_codings([]) == []


@pytest.mark.parametrize("codings,encode", [
    ([], lambda b: b),
    (["gzip"], gzip.compress),
    (["x-gzip"], gzip.compress),
    (["deflate"], zlib.compress),
    (["deflate"], lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
    (["gzip", "gzip"], lambda b: gzip.compress(gzip.compress(b))),
    (["gzip", "deflate"], lambda b: zlib.compress(gzip.compress(b))),
])
def test_stacks_decode_to_the_original(codings, encode):
    text = ("讲话全文。" * 5000).encode()
    assert decode_all(codings, encode(text), limit=len(text)) == text


def test_the_cap_stops_a_bomb_early():
    bomb = gzip.compress(gzip.compress(bytes(50 << 20)))  # 50 MB of zeros in a few KB
    decoder = BoundedDecoder(["gzip", "gzip"], limit=1 << 20)
    with pytest.raises(DecodedTooLarge, match="over 1048576 bytes"):
        decoder.decode(bomb)


def test_unsupported_and_damaged_bodies_are_errors():
    with pytest.raises(ContentCodingError, match="unsupported content encoding: br"):
        BoundedDecoder(["gzip", "br"], 100)
    with pytest.raises(ContentCodingError, match="cannot decode gzip content"):
        decode_all(["gzip"], b"not gzip at all", 100)
