"""Facts about an article page: its title, by-lines, WeChat account, and trafilatura's guesses."""
from __future__ import annotations

import re
from copy import deepcopy

import trafilatura

from ingest.extract.dom import first, text_of
from ingest.extract.forum_meta import parse_post_time, strip_site_suffix

_BYLINE_HINT = re.compile(r"(来源|稿源|作者|编辑|责编|记者|发布时间|时间)\s*[:：|｜]")
# Words that show a "name" is really a widget, a label or a comment header.
_NOT_A_NAME = re.compile(r"关注|举报|字号|时间|来源|编辑|热门|跟贴|评论|分享|收藏|点赞|阅读|粉丝|来自|[:：@#\d]")


_DATELINE = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}(?::\d{2})?$")


def _bylines(root) -> list[str]:
    """Short `来源：… 作者：…` blocks and the bare dateline above the body: trafilatura drops them,
    the page rules read their values."""
    found, body_started, dateline = [], False, None
    for el in root.xpath("//body//*[not(self::a or self::img or self::br or self::ul or self::ol or self::table"
                         " or self::tbody or self::tr or self::form or self::script)]"):
        text = text_of(el)
        if el.tag == "p" and len(text) >= 60:
            body_started = True
        leaf = not el.xpath(".//p | .//div")
        if 6 <= len(text) <= 90 and _BYLINE_HINT.search(text) and leaf:
            found.append(text)
        elif dateline is None and not body_started and leaf and _DATELINE.match(text):
            dateline = text
        if len(found) >= 8:
            break
    return found + ([f"发布时间：{dateline}"] if dateline else [])


def _wechat(root, meta: dict) -> None:
    account = text_of(first(root, "//*[@id='js_name']"))
    if account:
        meta["source_name"] = account
    when = parse_post_time(text_of(first(root, "//*[@id='publish_time']")))
    if when:
        meta["published_at"] = when


def _title(root, guessed: str | None) -> str | None:
    """The headline: og:title, else an <h1> that the <title> starts with, else the <title>,
    each without the channel and site names that pages append."""
    og = root.xpath("//meta[@property='og:title']/@content")
    if og and og[0].strip():
        return strip_site_suffix(og[0])
    page_title = text_of(first(root, "//title"))
    for h1 in root.xpath("//h1"):
        text = text_of(h1)
        if len(text) >= 4 and page_title.startswith(text):
            return text
    if guessed and guessed in page_title:
        return strip_site_suffix(guessed)
    return strip_site_suffix(page_title) or guessed or None


def clean_name(value: str | None) -> str | None:
    value = re.sub(r"\s+", " ", value or "").strip()
    if not value or len(value) > 20 or _NOT_A_NAME.search(value):
        return None
    return value


def page_facts(root, url: str | None, meta: dict) -> str | None:
    """Fill `meta` with what the page says about itself; return its title.

    trafilatura's author and date are only guesses (`author_guess`, `published_guess`): the page's
    own by-line, read later by the page rules, wins when there is one.
    """
    try:
        info = trafilatura.extract_metadata(deepcopy(root), default_url=url)
    except Exception:  # metadata is a bonus; a page without it still has a body
        info = None
    guessed_title = info.title if info is not None else None
    if info is not None:
        if clean_name(info.author):
            meta["author_guess"] = clean_name(info.author)
        if info.sitename:
            meta["site_name"] = info.sitename
        when = parse_post_time(info.date or "")
        if when:
            meta["published_guess"] = when
    meta["bylines"] = _bylines(root)
    meta["html_title"] = text_of(first(root, "//title")) or None
    _wechat(root, meta)
    return _title(root, guessed_title)
