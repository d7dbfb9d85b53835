"""News, government, blog and WeChat pages: trafilatura on a pruned DOM, with the page's metadata."""
from __future__ import annotations

import re
from copy import deepcopy

import lxml.html
import trafilatura
from trafilatura.settings import use_config

from ingest.extract.dom import paragraphs, text_of
from ingest.extract.page_meta import page_facts
from ingest.model import BoilerplateHit, Extracted

# Class/id words that mark blocks which are never the article the URL points to. Matched against
# whole tokens split on -, _ and case changes, so `detail-content__recommend` hits but `commentary` not.
_CHROME_WORDS = {
    "recommend", "recom", "related", "relate", "morestories", "more", "hot", "hotnews", "rank",
    "comment", "comments", "reply", "share", "sharebar", "social", "player", "video", "mplayer",
    "sidebar", "side", "aside", "footer", "copyright", "breadcrumb", "crumb", "nav", "navbar", "menu",
    "ad", "ads", "advert", "banner", "guess", "recomm", "feed", "stream", "toolbar", "tools", "login",
    "qrcode", "ewm", "fixed", "popup", "modal", "dialog", "subscribe", "follow", "tags", "pager",
    "pagination", "prevnext", "next", "prev",
}
# Containers whose <article> children are teasers for other pages.
_SIDEBAR_WORDS = {"sidebar", "side", "aside", "recommend", "recom", "related", "footer", "morestories"}
_KEEP_TAGS = {"html", "body", "article", "main"}
# Inline markup is styling (a syntax highlighter's `hljs-comment` is code, not a comment section).
_INLINE_TAGS = {"span", "a", "em", "strong", "b", "i", "code", "font", "small", "sup", "sub", "label"}
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_CONFIG = use_config()
# Short pages are real (a 58-character news brief); the signal-based timeout breaks in worker threads.
_CONFIG.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
_CAPTION_DATE = re.compile(r"^\s*(\d{4}年)?\d{1,2}月\d{1,2}日[，,]")


def _tokens(el) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return {t.lower() for part in re.split(r"[\s_\-:.()!$%]+", raw) for t in _TOKEN.findall(part)}


def _main_block(root):
    """The element holding the most paragraph text directly: the body, whatever its class says."""
    best, best_len = None, 0
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _INLINE_TAGS:
            continue
        own = sum(len(text_of(c)) for c in el if isinstance(c.tag, str) and c.tag in ("p", "br", "section")
                  ) + len((el.text or "").strip()) + sum(len((c.tail or "").strip()) for c in el)
        if own > best_len:
            best, best_len = el, own
    return best


def _attached(el, root) -> bool:
    top = el
    for top in el.iterancestors():
        pass
    return top is root


def _prune_chrome(root, hits: list[BoilerplateHit]) -> None:
    main = _main_block(root)
    protected = set(main.iterancestors()) | {main} if main is not None else set()
    main_len = len(text_of(main)) if main is not None else 0
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in _KEEP_TAGS or el.tag in _INLINE_TAGS:
            continue
        if el in protected or el.getparent() is None or el.xpath("ancestor::pre"):
            continue
        if not _attached(el, root):
            continue  # inside a block already dropped
        words = _tokens(el)
        if not words & _CHROME_WORDS:
            continue
        text = text_of(el)
        if main is not None and main in el.iterancestors() and len(text) > 0.3 * main_len:
            continue  # a big part of the body with an unlucky class name
        el.drop_tree()
        if text:
            hits.append(BoilerplateHit("article.chrome_block", text[:200]))


def _drop_labelled_ads(root, hits: list[BoilerplateHit]) -> None:
    # In-article ads carry a visible `广告`/`推广` label in their own element; the ad is the
    # smallest enclosing block that still reads like a single teaser.
    for label in root.xpath("//*[normalize-space(text())='广告' or normalize-space(text())='推广']"):
        if label.getparent() is None or len(text_of(label)) > 4:
            continue
        unit = label
        while unit.getparent() is not None and len(text_of(unit.getparent())) <= 100 \
                and unit.getparent().tag not in _KEEP_TAGS:
            unit = unit.getparent()
        if unit.getparent() is not None:
            hits.append(BoilerplateHit("article.labelled_ad", text_of(unit)))
            unit.drop_tree()


def _is_image_block(el) -> bool:
    return el is not None and bool(el.xpath(".//img")) and not text_of(el)


def _drop_captions(root, hits: list[BoilerplateHit]) -> None:
    for el in root.xpath("//figcaption"):
        hits.append(BoilerplateHit("article.figcaption", text_of(el)))
        el.drop_tree()
    # Photo-story captions: one short dated sentence directly under an image, on a page that
    # credits a photographer (Xinhua style `5月13日，在…。` … `新华社发（…摄）`).
    if "摄" not in text_of(root):
        return
    for p in root.xpath("//p"):
        text = text_of(p)
        if not text or len(text) > 80 or not _CAPTION_DATE.match(text):
            continue
        if re.search(r"[。！？!?]", text.rstrip("。！？!? ")):
            continue
        prev = p.getprevious()
        parent_prev = p.getparent().getprevious() if p.getparent() is not None else None
        if _is_image_block(prev) or (prev is None and _is_image_block(parent_prev)):
            hits.append(BoilerplateHit("article.photo_caption", text))
            p.drop_tree()


def _scope(root):
    """Where the article is: WeChat's `js_content`, else the first real <article> outside chrome
    (infinite-scroll pages append other articles after the one the URL points to), else the page."""
    wechat = root.xpath("//*[@id='js_content']")
    if wechat and len(text_of(wechat[0])) >= 20:
        return wechat[0]
    for art in root.xpath("//article[not(ancestor::aside) and not(ancestor::nav) and not(ancestor::footer)]"):
        if any(_tokens(a) & _SIDEBAR_WORDS for a in art.iterancestors()):
            continue
        if len(text_of(art)) >= 80:
            return art
    return root


_BLOCK_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "section", "article")


def _unwrap_layout_tables(root) -> None:
    """Old portals lay the whole page out in a <table>; trafilatura renders a table cell as one
    line, which glues the date line, the body and the sign-off into one paragraph no line rule can
    take apart. A table whose cells hold paragraphs (not data) becomes plain blocks."""
    # Markers such as `许多观众<!--ADV_CONTENT-->流下…` go first: outside a table cell trafilatura
    # loses the text after a comment (drop_tree keeps that text).
    for comment in root.xpath("//table//comment()"):
        if comment.getparent() is not None:
            comment.drop_tree()
    for table in root.xpath("//table[.//td/*[self::p or self::div or self::h1 or self::h2 or self::h3]]"):
        for el in [table, *table.iter()]:
            if isinstance(el.tag, str) and el.tag in ("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
                el.tag = "div"
                for attr in ("width", "align", "colspan", "rowspan", "valign", "border", "cellpadding",
                             "cellspacing"):
                    el.attrib.pop(attr, None)


def _run_trafilatura(tree, url: str | None) -> list[str]:
    text = trafilatura.extract(
        tree, url=url, favor_precision=True, include_comments=False, include_tables=True,
        include_images=False, include_links=False, deduplicate=False, output_format="txt",
        with_metadata=False, config=_CONFIG,
    ) or ""
    return [_untxt(ln) for ln in text.splitlines() if _untxt(ln)]


def _untxt(line: str) -> str:
    """Undo trafilatura's plain-text rendering of lists (`- `) and layout tables (`| … |`)."""
    line = line.strip()
    if line.startswith("- "):
        line = line[2:]
    line = line.strip("|").strip()
    # A cell holding only a separator (`|` between links, escaped by trafilatura as `\|`) is no text.
    return "" if not line.replace("\\|", "").strip("|｜ \u3000") else line


def extract_article(root, html: str, url: str | None = None) -> Extracted:
    hits: list[BoilerplateHit] = []
    meta: dict = {"engine": "article"}
    title = page_facts(root, url, meta)
    scope = _scope(root)
    if scope.get("id") == "js_content":
        # WeChat bodies are nested <section>s that trafilatura merges; their blocks are the paragraphs.
        meta["engine"] = "wechat"
        return Extracted(paragraphs=paragraphs(scope), title=title, extractor="article.wechat",
                         meta=meta, hits=hits)
    work = deepcopy(scope)
    if work.tag != "html":
        shell = lxml.html.Element("html")
        body = lxml.html.Element("body")
        shell.append(body)
        body.append(work)
        work = shell
    _drop_captions(work, hits)
    _drop_labelled_ads(work, hits)
    _unwrap_layout_tables(work)
    pruned = deepcopy(work)
    _prune_chrome(pruned, hits)
    paras = _run_trafilatura(pruned, url)
    if sum(map(len, paras)) < 40:
        # The pruning was too eager for this layout; the unpruned tree is better than nothing.
        hits = [h for h in hits if h.rule_id != "article.chrome_block"]
        paras = _run_trafilatura(work, url)
    return Extracted(paragraphs=paras, title=title, extractor="article", meta=meta, hits=hits)
