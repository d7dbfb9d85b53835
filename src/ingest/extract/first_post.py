"""Declarative first-post extraction for forum, Q&A and microblog engines that need no special logic."""
from __future__ import annotations

from dataclasses import dataclass, field

from ingest.extract.dom import first, paragraphs, remove, text_of
from ingest.extract.forum_meta import parse_post_time, strip_site_suffix
from ingest.model import BoilerplateHit, Extracted


@dataclass(frozen=True)
class FirstPostEngine:
    """How one engine marks up its thread starter: where the post is, what inside it is chrome."""

    name: str
    detect: str  # XPath that matches only on this engine's thread pages
    body: str  # XPath of the first post's message element(s); the first match is the post
    extras: tuple[str, ...] = ()  # XPaths (relative to `post`) of parts of the post shown outside `body`
    post: str = ""  # XPath (relative to body) of the whole floor, for poster/time/extras lookups
    drop: tuple[tuple[str, str], ...] = ()  # (rule id, XPath relative to body) removed from the text
    poster: str = ""
    time: str = ""
    title: str = "//h1"
    meta: dict = field(default_factory=dict)

    def matches(self, root) -> bool:
        return bool(root.xpath(self.detect))

    def extract(self, root) -> Extracted | None:
        body = first(root, self.body)
        if body is None:
            return None
        floor = first(body, self.post) if self.post else None
        floor = floor if floor is not None else root
        hits: list[BoilerplateHit] = []
        for rule_id, xpath in self.drop:
            for el in body.xpath(xpath):
                if el.getparent() is not None:
                    hits.append(BoilerplateHit(rule_id, remove(el)))
        paras = paragraphs(body)
        for xpath in self.extras:
            for el in floor.xpath(xpath):
                paras += paragraphs(el)
        found = first(root, self.title) if self.title else None
        title = found.strip() if isinstance(found, str) else text_of(found)
        title = title or strip_site_suffix(text_of(first(root, "//title")))
        meta = {"engine": self.name, **self.meta}
        if self.poster:
            who = first(floor, self.poster)
            meta["poster"] = (who.strip() if isinstance(who, str) else text_of(who)) or None
        if self.time:
            stamp = first(floor, self.time)
            when = parse_post_time(stamp if isinstance(stamp, str) else text_of(stamp))
            if when:
                meta["published_at"] = when
        if title:
            meta["thread_title"] = title
        return Extracted(paragraphs=paras, title=title or None, extractor=self.name, meta=meta, hits=hits)
