"""Discuz! thread pages (viewthread X2/X3, archiver, touch/mobile, printable): the starter's first post only."""
from __future__ import annotations

import re

from ingest.extract.dom import cls, first, paragraphs, remove, text_of
from ingest.extract.forum_meta import parse_post_time, strip_site_suffix
from ingest.model import BoilerplateHit, Extracted

# Elements Discuz renders inside a message cell that are not the poster's text.
_IN_POST_CHROME = [
    ("discuz.edit_status", f".//i[{cls('pstatus')}]"),
    ("discuz.quote", f".//div[{cls('quote')}] | .//blockquote"),
    ("discuz.ad", f".//div[starts-with(@class, 'a_')] | .//div[{cls('a_pt')}] | .//div[{cls('a_pr')}]"),
    ("discuz.jammer", f".//font[{cls('jammer')}] | .//span[{cls('jammer')}]"),
    ("discuz.attachment", ".//ignore_js_op | .//dl[" + cls("tattl") + "] | .//div[" + cls("attach_nopermission") + "]"),
    ("discuz.locked", f".//div[{cls('locked')}]"),
    ("discuz.hidden", ".//*[contains(translate(@style, ' ', ''), 'display:none')]"),
]
_TID = [re.compile(p) for p in (r"thread-(\d+)-(\d+)-\d+\.html", r"[?&]tid[=-](\d+)", r"\btid-(\d+)\.html")]
_PAGE = [re.compile(p) for p in (r"thread-\d+-(\d+)-\d+\.html", r"[?&]page[=-](\d+)")]


def is_discuz(root, html: str) -> bool:
    if "Discuz!" in html[:20000] or "Powered by Discuz" in html:
        return True
    return bool(root.xpath("//td[starts-with(@id, 'postmessage_')]"))


def _thread_id(root, url: str | None) -> str | None:
    candidates = [url or ""]
    candidates += root.xpath("//link[@rel='canonical']/@href")
    candidates += root.xpath("//div[@id='end']//a/@href | //div[@id='pt']//a/@href | //a[@id='post_reply']/@onclick")
    for text in candidates:
        for pattern in _TID:
            m = pattern.search(text)
            if m:
                return m.group(1)
    return None


def _page_no(root, url: str | None) -> int:
    current = first(root, f"//div[{cls('pg')}]/strong | //div[{cls('page')}]/strong")
    if current is not None:
        digits = re.sub(r"\D", "", text_of(current))
        if digits:
            return int(digits)
    for pattern in _PAGE:
        m = pattern.search(url or "")
        if m:
            return int(m.group(1))
    return 1


def _strip_chrome(cell, hits: list[BoilerplateHit]) -> None:
    for rule_id, xpath in _IN_POST_CHROME:
        for el in cell.xpath(xpath):
            if el.getparent() is None:
                continue
            removed = remove(el)
            if removed:
                hits.append(BoilerplateHit(rule_id, removed))


def _viewthread(root, html: str, url: str | None) -> Extracted | None:
    # X2/X3 render the message as td.t_f; Discuz! 6/7 as div.t_msgfont: both carry postmessage_N.
    cell = first(root, "//*[self::td or self::div][starts-with(@id, 'postmessage_')]")
    if cell is None:
        return None
    hits: list[BoilerplateHit] = []
    post = first(cell, "ancestor::table[starts-with(@id, 'pid')][1] | ancestor::div[starts-with(@id, 'post_')][1]")
    post = post if post is not None else root
    poster = text_of(first(post, f".//div[{cls('authi')}]/a[1] | .//a[{cls('xw1')}]"
                                 f" | .//td[{cls('postauthor')}]//cite/a | .//*[{cls('postauthor')}]//cite")) or None
    when = first(post, ".//em[starts-with(@id, 'authorposton')]")
    stamp = None
    if when is not None:
        span = first(when, ".//span[@title]")
        stamp = span.get("title") if span is not None else text_of(when)
    _strip_chrome(cell, hits)
    title = text_of(first(root, "//span[@id='thread_subject'] | //h1[@class='ts']/a"))
    return _first_post(root, url, "discuz.viewthread", paragraphs(cell), title, poster, stamp, hits)


def _looks_like_archiver(root) -> bool:
    return first(root, "//div[@id='end']") is not None or "Archiver" in text_of(first(root, "//title"))


def _archiver(root, url: str | None) -> Extracted | None:
    content = first(root, "//div[@id='content']")
    authors = content.xpath(f"./p[{cls('author')}]") if content is not None else []
    if not authors and _looks_like_archiver(root):
        # Other archiver skins hold the posts in `div.wrap`, and a broken tag (`</div` without its `>`)
        # can leave them loose in <body>: the posts are wherever the first `p.author` stands.
        start = first(root, f"//p[{cls('author')}]")
        content = start.getparent() if start is not None else None
        authors = content.xpath(f"./p[{cls('author')}]") if content is not None else []
    if not authors:
        return None
    hits: list[BoilerplateHit] = []
    start = authors[0]
    poster = text_of(first(start, ".//strong")) or None
    stamp = text_of(start)
    # The archiver prints a post as loose text between one `p.author` and the next.
    holder = content.makeelement("div", {})
    node_text = start.tail or ""
    holder.text = node_text
    for sib in list(start.itersiblings()):
        if sib.tag == "p" and "author" in (sib.get("class") or ""):
            break
        if sib.tag == "div" and "page" in (sib.get("class") or ""):
            hits.append(BoilerplateHit("discuz.archiver_pager", text_of(sib)))
            break
        if sib.tag == "h3":
            holder.text = (holder.text or "") + (sib.tail or "")
            continue
        holder.append(sib)
    end = first(root, "//div[@id='end']//strong")
    title = text_of(end) if end is not None else ""
    return _first_post(root, url, "discuz.archiver", paragraphs(holder), title, poster, stamp, hits)


def _touch(root, url: str | None) -> Extracted | None:
    # Touch/mobile template: one `div.plc` per floor holding `div.message`.
    cell = first(root, f"//div[{cls('plc')}]//div[{cls('message')}]")
    if cell is None:
        return None
    hits: list[BoilerplateHit] = []
    floor = first(cell, f"ancestor::div[{cls('plc')}]")
    poster = text_of(first(floor, f".//*[{cls('authi')}]//b | .//*[{cls('authi')}]//a"
                                  f" | .//li[{cls('grey')}]//b | .//a[{cls('blue')}]")) or None
    stamp = text_of(first(floor, f".//*[{cls('mtime')}] | .//*[{cls('authi')}] | .//li[{cls('grey')}]"))
    _strip_chrome(cell, hits)
    title = text_of(first(root, "//h2 | //div[@class='view_tit']"))
    return _first_post(root, url, "discuz.touch", paragraphs(cell), title, poster, stamp, hits)


def _printable(root, url: str | None) -> Extracted | None:
    # Printable view: posts separated by <hr>, each opening with 作者/时间/标题 lines in <b>.
    body = root.find("body")
    if body is None or not root.xpath("//body/hr"):
        return None
    lines = paragraphs(body)
    out, poster, stamp, seen_header = [], None, None, False
    for line in lines:
        m = re.match(r"^作者[:：]\s*(\S+)\s*时间[:：]\s*(.+)$", line)
        if m:
            if seen_header:
                break
            seen_header, poster, stamp = True, m.group(1), m.group(2)
            continue
        if seen_header and not re.match(r"^标题[:：]", line):
            out.append(line)
    if not seen_header:
        return None
    return _first_post(root, url, "discuz.printable", out, text_of(first(root, "//h1")), poster, stamp, [],
                       page_no=1)


def _first_post(root, url: str | None, extractor: str, body: list[str], title: str, poster: str | None,
                stamp: str | None, hits: list[BoilerplateHit], page_no: int | None = None) -> Extracted:
    """The thread starter's text with its facts; the page <title> stands in for a missing thread title."""
    title = title or strip_site_suffix(text_of(first(root, "//title")))
    page = page_no if page_no is not None else _page_no(root, url)
    return Extracted(body, title or None, extractor, _meta(poster, stamp, title, _thread_id(root, url), page), hits)


def _site(root, url: str | None) -> str | None:
    # Thread ids are per forum: the host keeps two forums' thread 123 apart when stitching.
    for ref in [url or ""] + root.xpath("//base/@href | //link[@rel='canonical']/@href"):
        m = re.match(r"https?://([^/]+)", ref)
        if m:
            return m.group(1).lower()
    return None


def _meta(poster, stamp, title, thread_id, page_no) -> dict:
    meta = {"engine": "discuz", "poster": poster, "thread_title": title or None,
            "thread_id": thread_id, "page_no": page_no}
    published = parse_post_time(stamp or "")
    if published:
        meta["published_at"] = published
    return meta


def extract_discuz(root, html: str, url: str | None = None) -> Extracted | None:
    """First post of a Discuz! page in whichever template rendered it, or None if none matches."""
    for attempt in (lambda: _viewthread(root, html, url), lambda: _archiver(root, url),
                    lambda: _touch(root, url), lambda: _printable(root, url)):
        found = attempt()
        if found is not None and found.paragraphs:
            found.meta["site"] = _site(root, url)
            return found
    return None
