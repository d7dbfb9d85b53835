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
