"""Small lxml helpers shared by the engine extractors: parsing, class tests, block-aware text."""
from __future__ import annotations

import re

import lxml.html
from lxml import etree

BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "tbody",
    "blockquote", "pre", "section", "article", "header", "footer", "dd", "dt", "dl", "hr", "td",
    "th", "figure", "figcaption", "center", "form", "aside", "nav", "main",
}
SKIP_TAGS = {"script", "style", "noscript", "template", "textarea", "select", "button", "svg", "iframe",
             "img", "video", "audio", "canvas", "object", "embed"}
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def parse_html(html: str):
    """Parse a whole page; lxml refuses str input that still carries an XML encoding declaration."""
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")
    # Code and styles are never text; JSON-LD stays because it carries the page's metadata.
    for el in root.xpath("//style | //script[not(contains(@type, 'ld+json'))]"):
        el.drop_tree()
    return root


def cls(name: str) -> str:
    """XPath predicate: the element has CSS class `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def first(root, xpath: str):
    found = root.xpath(xpath)
    return found[0] if found else None


def text_of(el) -> str:
    if el is None:
        return ""
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def is_hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.get("hidden") is not None


def paragraphs(el, *, drop=lambda e: False) -> list[str]:
    """Text of `el` as paragraphs: block elements and <br> break lines; `drop(e)` prunes subtrees."""
    lines: list[str] = [""]

    def brk():
        if lines[-1].strip():
            lines.append("")

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else ""
        # The root is what the caller chose; WeChat hides its body until scripts run.
        if not tag or tag in SKIP_TAGS or drop(node) or (node is not el and is_hidden(node)):
            return
        block = tag in BLOCK_TAGS
        if block:
            brk()
        if node.text:
            lines[-1] += node.text
        for child in node:
            walk(child)
            if child.tail:
                lines[-1] += child.tail
        if block:
            brk()

    if el is not None:
        walk(el)
    # A newline inside a text node only survives from pre / pre-wrap posts, where it is a line break.
    out = [_WS.sub(" ", part).strip() for ln in lines for part in ln.split("\n")]
    return [ln for ln in out if ln]


def remove(el) -> str:
    """Detach `el` (keeping its tail text) and return the text it held."""
    text = text_of(el)
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()
    return text
