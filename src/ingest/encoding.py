"""Turn raw bytes into text: BOM, declared charset, then a detector; refuse binary input."""
from __future__ import annotations

import re

from charset_normalizer import from_bytes

_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF87a": "GIF image",
    b"GIF89a": "GIF image",
    b"%PDF-": "PDF document",
    b"PK\x03\x04": "ZIP archive (docx/xlsx/zip)",
    b"\x1f\x8b": "gzip archive",
    b"\xd0\xcf\x11\xe0": "OLE document (doc/xls)",
}
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# GB2312 and GBK declarations are routinely used for text that needs the larger superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


class DecodeError(ValueError):
    """The bytes are not text we can read; the message is the reject reason."""


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: the decoding that gives plausible CJK or ASCII text, if any."""
    if b"\x00" not in data[:4000] or len(data) % 2:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        text = _try(data[:4000], codec)
        if text and _plausible_share(text) > 0.95:
            return codec
    return None


def _plausible_share(text: str) -> float:
    ok = sum(1 for ch in text if ch in "\r\n\t" or 0x20 <= ord(ch) < 0x7F or 0x3000 <= ord(ch) <= 0x9FFF
             or 0xFF00 <= ord(ch) <= 0xFFEF)
    return ok / max(len(text), 1)


def declared_charsets(data: bytes, content_type: str | None) -> list[str]:
    """Charsets the HTTP header and the page's own <meta> claim, most authoritative first."""
    found: list[str] = []
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            found.append(m.group(1).decode() if isinstance(m.group(1), bytes) else m.group(1))
    for m in _META_CHARSET.finditer(data[:8192]):
        found.append(m.group(1).decode("ascii", "ignore"))
    return [_SUPERSETS.get(c.lower(), c.lower()) for c in found]


def decode_bytes(data: bytes, *, content_type: str | None = None, is_html: bool = False) -> tuple[str, str]:
    """Return (text, charset). Raise DecodeError with a reject reason for unreadable input."""
    if not data or not data.strip():
        raise DecodeError("empty file")
    kind = _binary_kind(data)
    if kind:
        raise DecodeError(f"binary content ({kind})")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is None:
                raise DecodeError(f"invalid {codec} after byte-order mark")
            return text.lstrip("\ufeff"), codec
    utf16 = _looks_utf16(data)
    if utf16:
        text = _try(data, utf16)
        if text is not None:
            return text, utf16
    if b"\x00" in data:
        raise DecodeError("binary content (NUL bytes)")
    # Valid UTF-8 wins over any declaration: pages often declare GB2312 but are UTF-8.
    text = _try(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    bad = _broken_utf8(data)
    if bad:
        raise DecodeError(f"invalid UTF-8 ({bad} undecodable byte sequences in otherwise UTF-8 text)")
    for codec in declared_charsets(data, content_type) if is_html or content_type else []:
        text = _try(data, codec)
        if text is not None:
            return text, codec
    text = _try(data, "gb18030")
    if text is not None and _mostly_text(text):
        return text, "gb18030"
    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        raise DecodeError("undecodable bytes (no charset fits)")
    text = str(best)
    if not _mostly_text(text):
        raise DecodeError("binary content (control characters)")
    return text, best.encoding


def _broken_utf8(data: bytes) -> int:
    """Number of bad sequences when the bytes are UTF-8 apart from a few (else 0).

    Other charsets such as GBK fail UTF-8 decoding on a large share of their bytes; a
    handful of failures in a long UTF-8 text means corruption, which would otherwise
    decode 'successfully' as GB18030 mojibake.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return bad if bad and multibyte > 20 * bad else 0


def _mostly_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\r\n\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / min(len(text), 20000) < 0.01
