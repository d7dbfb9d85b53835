"""Main-text extraction for HTML pages: dispatch to a forum engine, else the article extractor."""
from __future__ import annotations

import re

from ingest.extract.bbscloud import BBSCLOUD
from ingest.extract.discourse import DISCOURSE
from ingest.extract.discuz import extract_discuz, is_discuz
from ingest.extract.douban import DOUBAN_GROUP
from ingest.extract.dom import parse_html
from ingest.extract.flarum import FLARUM
from ingest.extract.github import GITHUB
from ingest.extract.homeland import HOMELAND
from ingest.extract.nga import NGA
from ingest.extract.nodebb import NODEBB
from ingest.extract.paopao import PAOPAO
from ingest.extract.phpbb import PHPBB
from ingest.extract.phpwind import PHPWIND
from ingest.extract.reddit import REDDIT
from ingest.extract.stackexchange import STACKEXCHANGE
from ingest.extract.tianya import TIANYA
from ingest.extract.tieba import TIEBA
from ingest.extract.v2ex import V2EX
from ingest.extract.vbulletin import VBULLETIN
from ingest.extract.xenforo import XENFORO
from ingest.extract.zhidao import ZHIDAO
from ingest.extract.zhihu import ZHIHU
from ingest.model import Extracted

ENGINES = (TIEBA, FLARUM, HOMELAND, PAOPAO, BBSCLOUD, PHPWIND, DISCOURSE, XENFORO, VBULLETIN,
           PHPBB, NODEBB, V2EX, NGA, DOUBAN_GROUP, TIANYA, ZHIHU, STACKEXCHANGE, GITHUB, REDDIT,
           ZHIDAO)

__all__ = ["extract_html", "extract_text", "ENGINES"]


def extract_text(text: str) -> Extracted:
    """A .txt file is already the body: one paragraph per non-blank line."""
    paragraphs = [line.strip(" \t\u3000\xa0\ufeff") for line in text.splitlines()]
    return Extracted(paragraphs=[p for p in paragraphs if p], extractor="text")


def extract_html(html: str, *, url: str | None = None) -> Extracted:
    """Extract the main text of one decoded HTML page (first post for forums, article otherwise)."""
    if not re.search(r"<[A-Za-z!/]", html[:65536]):
        # No markup at all: not a page (noise or a mislabelled file), so no body to find.
        return Extracted(paragraphs=[], extractor="article")
    root = parse_html(html)
    failures: list[str] = []
    touched = False
    attempts = [("discuz", lambda: extract_discuz(root, html, url) if is_discuz(root, html) else None)]
    attempts += [(e.name, lambda e=e: e.extract(root) if e.matches(root) else None) for e in ENGINES]
    for name, attempt in attempts:
        try:
            found = attempt()
        except Exception as exc:  # odd markup in one engine's template must not lose the page
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            touched = True
            continue
        if found is not None and found.paragraphs:
            return found
        touched = touched or found is not None
    # Imported here: trafilatura takes ~0.4 s to import, and a run of .txt files never needs it.
    from ingest.extract.article import extract_article

    # Engines edit the tree as they go (quotes, signatures); the article path starts afresh.
    article = extract_article(parse_html(html) if touched else root, html, url)
    if failures:
        article.meta["engine_failures"] = failures
    return article
