"""Decode raw bytes to text: BOM, HTTP header, <meta>, then a detector, robust to lying declarations."""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes


class DecodeError(ValueError):
    """The bytes are empty, binary, or in no charset we can read."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (docx/xlsx/zip)"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"RIFF", "RIFF media"),
    (b"\xd0\xcf\x11\xe0", "OLE document (doc/xls)"),
)
# Only <meta> declarations count: Wayback and ad scripts put `<script charset=…>` before the real one.
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_:.+-]+)", re.I)

# A page labelled with a legacy Chinese charset is decoded with the superset that browsers use.
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
          "euc-cn": "gb18030", "cp936": "gb18030", "big5": "big5hkscs", "iso-8859-1": "cp1252",
          "latin1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8"}


def _normalise(name: str) -> str | None:
    try:
        canonical = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _WIDEN.get(name.strip().lower(), _WIDEN.get(canonical, canonical))


def _plausible_text(text: str) -> bool:
    if not text:
        return False
    common = sum(1 for ch in text if ch in "\n\r\t" or (" " <= ch <= "~") or "\u3000" <= ch <= "\u9fff"
                 or "\uff00" <= ch <= "\uffef" or "\u2000" <= ch <= "\u206f")
    return common / len(text) >= 0.9


def _utf16_without_bom(data: bytes) -> str | None:
    # Text saved by Windows tools without a BOM: NUL bytes, and it reads as real text in one order.
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data[:4096]:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        if _plausible_text(_strict(data[:4096], name) or ""):
            return name
    return None


def _check_magic(data: bytes) -> None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"binary content ({kind})")


def _check_binary(data: bytes) -> None:
    _check_magic(data)
    if b"\x00" in data[:4096]:
        raise DecodeError("binary content (NUL bytes)")


def _strict(data: bytes, charset: str) -> str | None:
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared(data: bytes, content_type: str | None, is_html: bool) -> list[str]:
    found: list[str] = []
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            found.append(m.group(1))
    if is_html:
        for m in _META_CHARSET.finditer(data[:16384]):
            found.append(m.group(1).decode("ascii", "ignore"))
    names = [n for n in (_normalise(x) for x in found) if n]
    return list(dict.fromkeys(names))


def _broken_utf8(data: bytes) -> int:
    """Number of bad sequences when the bytes are UTF-8 apart from a few (else 0).

    GBK and friends fail UTF-8 on a large share of their bytes; a handful of failures in a long
    UTF-8 text is corruption, which would otherwise decode 'successfully' as GB18030 mojibake.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return bad if bad and multibyte > 20 * bad else 0


def decode_bytes(data: bytes, *, content_type: str | None = None, is_html: bool = False) -> tuple[str, str]:
    """Return (text, charset). Raise DecodeError for empty, binary or undecodable input."""
    if not data or not data.strip():
        raise DecodeError("empty file")
    _check_magic(data)
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data, name)
            if text is None:
                raise DecodeError(f"invalid {name} after byte-order mark")
            return text.lstrip("\ufeff"), name.replace("-sig", "")
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = _strict(data, utf16)
        if text is not None:
            return text, utf16
    _check_binary(data)

    # Valid UTF-8 with multi-byte sequences is almost never an accident, so it beats any label:
    # stale `charset=gb2312` templates over UTF-8 bodies are common.
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"
    bad = _broken_utf8(data)
    if bad:
        raise DecodeError(f"invalid UTF-8 ({bad} undecodable byte sequences in otherwise UTF-8 text)")
    for name in _declared(data, content_type, is_html):
        text = _strict(data, name)
        if text is not None:
            return text, name
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        name = _normalise(best.encoding) or best.encoding
        text = _strict(data, name)
        if text is not None:
            return text, name
        return str(best), best.encoding
    # The detector gave up: a mostly-GB18030 page with a few broken bytes is still worth reading.
    for name in _declared(data, content_type, is_html) or ["gb18030"]:
        text = data.decode(name, "replace")
        if text.count("\ufffd") <= max(2, len(text) // 1000):
            return text, name
    raise DecodeError("undecodable bytes")
