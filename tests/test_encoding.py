"""Charset decisions: BOM, header, <meta>, lying declarations, detector fallback, binary refusal."""
import codecs

import pytest

from ingest.encoding import DecodeError, decode_bytes

ZH = "各位代表：现在，我代表县人民政府向大会报告工作，请予审议。朱镕基、喆、堃都是常见人名用字。"


def html(charset_decl: str, body: str = ZH, pre: str = "") -> str:
    return f"<html><head>{pre}<meta charset=\"{charset_decl}\"><title>t</title></head><body><p>{body}</p></body></html>"


def test_utf8_bytes_declared_gb2312_decode_as_utf8():
    data = html("gb2312").encode("utf-8")
    text, charset = decode_bytes(data, is_html=True)
    assert charset == "utf-8" and ZH in text


def test_gb2312_declaration_with_gbk_only_characters_uses_gb18030():
    # 镕 and 喆 are outside GB2312; a strict gb2312 decoder fails on them.
    data = html("gb2312").encode("gbk")
    text, charset = decode_bytes(data, is_html=True)
    assert charset == "gb18030" and ZH in text


def test_script_charset_before_meta_is_ignored():
    pre = '<script src="/x.js" charset="utf-8"></script>'
    data = html("gbk", pre=pre).encode("gbk")
    text, _ = decode_bytes(data, is_html=True)
    assert ZH in text


def test_http_header_charset_is_used():
    data = f"<p>{ZH}</p>".encode("gb18030")
    text, charset = decode_bytes(data, content_type="text/html; charset=GBK", is_html=True)
    assert ZH in text and charset == "gb18030"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le"])
def test_plain_text_files(encoding):
    text_in = (ZH + "\n") * 5
    data = text_in.encode(encoding)
    text, _ = decode_bytes(data, is_html=False)
    assert text.strip() == text_in.strip()


def test_utf8_bom_is_removed():
    text, charset = decode_bytes(codecs.BOM_UTF8 + ZH.encode("utf-8"), is_html=False)
    assert text == ZH and charset == "utf-8"


def test_gbk_text_without_declaration_uses_detector():
    data = ("县委常委会召开会议，传达学习有关会议精神，研究部署下一阶段重点工作。\n" * 20).encode("gbk")
    text, charset = decode_bytes(data, is_html=False)
    assert "县委常委会" in text and charset in {"gb18030", "gbk", "gb2312"}


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    (b"%PDF-1.7 ...", "binary"),
    (b"PK\x03\x04rest", "binary"),
    (b"abc\x00\x01\x02def" * 10, "binary"),
])
def test_refuses_empty_and_binary(data, reason):
    with pytest.raises(DecodeError) as err:
        decode_bytes(data, is_html=True)
    assert reason in err.value.reason


def test_page_declared_utf8_but_gbk_bytes():
    data = html("utf-8").encode("gbk")
    text, charset = decode_bytes(data, is_html=True)
    assert ZH in text and charset == "gb18030"


def test_gbk_page_with_a_broken_byte_still_reads():
    data = html("gbk", body=ZH * 3).encode("gbk")
    data = data[:-40] + b"\xff" + data[-40:]
    text, charset = decode_bytes(data, is_html=True)
    assert ZH in text and charset == "gb18030"


def test_big5_declared_page():
    body = "各位代表，現在我代表縣人民政府向大會報告工作，請予審議。"
    text, _ = decode_bytes(html("big5", body=body).encode("big5"), is_html=True)
    assert body in text


# Tests from the foundation (main).
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
