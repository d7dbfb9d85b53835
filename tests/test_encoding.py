"""Decoding bytes of every encoding the corpus arrives in, and refusing binary input."""
import pytest

from ingest.encoding import DecodeError, decode_bytes

TEXT = "同志们：今天我们召开全市组织工作会议，深入学习贯彻新质生产力的重要论述。"


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_text_in_each_encoding_decodes(codec):
    text, _ = decode_bytes((TEXT * 3).encode(codec))
    assert text == TEXT * 3


def test_utf16_without_bom():
    text, charset = decode_bytes((TEXT + " ABC 2024").encode("utf-16-le"))
    assert text == TEXT + " ABC 2024" and charset == "utf-16-le"


def test_gb2312_declaration_decoded_as_superset():
    page = f'<html><head><meta charset="gb2312"></head><body>{TEXT}镕</body></html>'.encode("gb18030")
    text, charset = decode_bytes(page, is_html=True)
    assert "镕" in text and charset == "gb18030"


def test_utf8_page_that_declares_gb2312_is_read_as_utf8():
    page = f'<html><head><meta charset="gb2312"></head><body>{TEXT}</body></html>'.encode("utf-8")
    text, charset = decode_bytes(page, is_html=True)
    assert TEXT in text and charset == "utf-8"


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"  \n\n ", "empty file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
    (b"%PDF-1.7 binary", "PDF document"),
])
def test_unreadable_inputs_give_a_reason(data, reason):
    with pytest.raises(DecodeError, match=reason):
        decode_bytes(data)


def test_random_bytes_are_rejected():
    import random

    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4096))
    with pytest.raises(DecodeError):
        decode_bytes(data, is_html=True)


def test_corrupt_utf8_is_rejected_not_decoded_as_gb18030_mojibake():
    good = (TEXT * 20).encode("utf-8")
    with pytest.raises(DecodeError, match="invalid UTF-8"):
        decode_bytes(good[:100] + b"\xff" + good[101:])
