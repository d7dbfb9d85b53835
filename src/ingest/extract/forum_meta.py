"""Facts shared by forum extractors: post times, and thread titles without the site suffix."""
from __future__ import annotations

import re
from datetime import datetime

_TIME = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s*(\d{1,2})[:：点](\d{1,2})(?:[:：分](\d{1,2}))?)?")
# Discuz and friends append ` - 版块 - 论坛 - Powered by Discuz!` (or Archiver) to every title.
_SUFFIX = re.compile(r"\s*[-_|–—]\s*Powered by .*$", re.I)


def parse_post_time(text: str) -> datetime | None:
    m = _TIME.search(text or "")
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


def strip_site_suffix(title: str) -> str:
    """`主题 - 版块 - 论坛 - Powered by Discuz!` -> `主题` (the thread title alone)."""
    title = (title or "").strip()
    if not _SUFFIX.search(title):
        return title
    title = _SUFFIX.sub("", title)
    parts = re.split(r"\s+-\s+", title)
    return parts[0].strip() if parts else title
