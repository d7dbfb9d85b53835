"""ASCII punctuation inside Chinese text turned full-width, digits and Latin runs left alone."""
from __future__ import annotations

import re

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
# Punctuation next to a CJK character on either side (so '1.99' and '09:18' are untouched).
_ADJACENT = re.compile(rf"(?<=[{_CJK}“”）])\s?([,:;?!])|([,:;?!])(?=\s?[{_CJK}“（])")
_PARENS = re.compile(rf"\(([^()]*[{_CJK}][^()]*)\)")
_QUOTES = re.compile(rf"\"([^\"\n]*[{_CJK}][^\"\n]*)\"")
_PERIOD = re.compile(rf"(?<=[{_CJK}])\.(?=$|[{_CJK}\s])")
_GATE = re.compile(r"[,:;?!()\".]")
_ADJACENT_GATE = re.compile(r"[,:;?!]")


def to_fullwidth(text: str) -> str:
    """Full-width forms for ASCII punctuation that sits inside Chinese text."""
    if not _GATE.search(text):
        return text
    # Each pattern runs only where its own character stands (the quotes' scan is the slowest,
    # and most paragraphs that pass the gate hold one of these characters, not all): no
    # substitution adds a character another one looks for, so the result is the same.
    if "(" in text:
        text = _PARENS.sub(r"（\1）", text)
    if '"' in text:
        text = _QUOTES.sub(r"“\1”", text)
    if _ADJACENT_GATE.search(text):
        text = _ADJACENT.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)
    return _PERIOD.sub("。", text) if "." in text else text
