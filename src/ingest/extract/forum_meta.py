"""Facts shared by extractors: post times, and page titles without the site/board suffix."""
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


_SITE_WORD = re.compile(r"网|报|台|社|频道|新闻|在线|论坛|社区|客户端|官网|头条|资讯|门户|首页|博客|"
                        r"\.(?:com|cn|net|org)\b|Discuz|贴吧|知道|微博", re.I)
_TRAILING = re.compile(r"^(?P<head>.+?)\s*(?:\s-\s|-|\s\|\s|\||｜|—|–)\s*(?P<tail>[^-|｜—–]{1,20})$")


def strip_site_suffix(title: str) -> str:
    """`主题 - 版块 - 论坛 - Powered by Discuz!` / `标题_频道_某某网` / `标题-某某网` -> the headline."""
    title = re.sub(r"\s+", " ", title or "").strip()
    if _SUFFIX.search(title):
        title = _SUFFIX.sub("", title)
        parts = re.split(r"\s+-\s+", title)
        return parts[0].strip() if parts else title
    if "_" in title:
        head = title.split("_", 1)[0].strip()
        if len(head) >= 4:
            title = head
    while True:
        m = _TRAILING.match(title)
        if not m or len(m["head"]) < 4 or not _SITE_WORD.search(m["tail"]):
            return title
        title = m["head"].strip()
