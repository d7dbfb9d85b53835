"""A dated sign-off closing a speech or official text (`某县人民政府办公室　2025年3月10日`): metadata, not body."""
from __future__ import annotations

import re
from datetime import datetime

from ..model import BoilerplateHit
from .title import ORG_SUFFIXES

CLOSING_DATE_RULE_ID = "signoff.closing_date"
SIGNER_RULE_ID = "signoff.signer"

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "Ｏ": 0, "O": 0}
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE = (rf"(?P<y>\d{{4}}|[〇○零Ｏ一二三四五六七八九]{{4}})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*日"
         r"|(?P<y2>\d{4})[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})")
# The last line: a date alone, or an organisation name and the date (brackets allowed around it).
_CLOSING = re.compile(rf"^(?P<org>[^\d，。！？；：,.!?;:、“”]{{2,40}}?)?[\s\u3000]*[（(]?\s*(?:{_DATE})\s*[)）]?$")
_SIGNER = re.compile(r"^[^\d，。！？；：,.!?;:、“”\s]{2,30}$")
_GATE = re.compile(r"[日\d]\s*[)）]?$")  # every closing line ends with 日 or a digit
# Signers: the organisation endings titles use, and the offices that sign documents.
_SIGNER_ENDINGS = ORG_SUFFIXES + ("办公室", "室", "委员会", "社", "馆", "团", "社区", "村委会", "居委会")


def _cn_number(text: str) -> int:
    """`二〇二五` -> 2025 (digit by digit), `十二` -> 12, `二十三` -> 23, `12` -> 12."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)


def _date(m: re.Match) -> datetime | None:
    y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["y2"], m["m2"], m["d2"])
    try:
        return datetime(_cn_number(y), _cn_number(mo), _cn_number(d))
    except (ValueError, KeyError):
        return None


def _is_org(line: str) -> bool:
    return bool(_SIGNER.match(line)) and line.endswith(_SIGNER_ENDINGS)


def strip_closing_signoff(lines: list[str], hits: list[BoilerplateHit], meta: dict) -> list[str]:
    """Take the closing date line (and the organisation line(s) signing above it) out of the body.

    The dev-set convention keeps by-line and date lines out of the body; the date stands in for
    `published_at` when nothing else dates the document (meta `closing_date`), the signer goes to
    meta `signed_by`. A body of one line is never emptied.
    """
    if len(lines) < 2:
        return lines
    last = lines[-1].strip()
    if len(last) > 60 or not _GATE.search(last):
        return lines
    m = _CLOSING.match(last)
    if not m:
        return lines
    org = (m["org"] or "").strip()
    if org and not _is_org(org):
        return lines  # `今天是2025年3月10日` ends like a date but is a sentence
    when = _date(m)
    if when is None:
        return lines
    kept = lines[:-1]
    hits.append(BoilerplateHit(CLOSING_DATE_RULE_ID, lines[-1]))
    signers = [org] if org else []
    # Joint documents sign with two organisations, one per line, above the date.
    while not org and len(kept) > 1 and len(signers) < 2 and _is_org(kept[-1].strip()):
        signers.insert(0, kept[-1].strip())
        hits.append(BoilerplateHit(SIGNER_RULE_ID, kept.pop()))
    meta.setdefault("closing_date", when)
    if signers:
        meta.setdefault("signed_by", "、".join(signers))
    return kept
