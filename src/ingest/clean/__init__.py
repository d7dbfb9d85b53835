"""Cleaning: strip boilerplate lines (recording each hit), move footer facts to metadata, find the title."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ..model import BoilerplateHit, Extracted
from .punctuation import to_fullwidth
from .rules import (
    FOOTER_FIELD_TO_META, FOOTER_GATES, FOOTER_HEAD_LINES, FOOTER_RULE_ID, FOOTER_SEGMENT,
    FOOTER_TAIL_LINES, LINE_RULES, POSTER_NAME_RULE_ID, REPEATED_TITLE_RULE_ID,
)
from .rules import RULES_VERSION as TEXT_RULES_VERSION
from .page_rules import PAGE_RULES_VERSION, apply_edge_rules, apply_page_rules
from .signoff import strip_closing_signoff
from .title import TitleFacts, looks_like_title, parse_title, strip_stray_suffix

__all__ = ["Cleaned", "clean", "RULES_VERSION", "has_masking", "parse_datetime"]

# Documents and hits carry both rule packs' versions: changing either one shows.
RULES_VERSION = f"{TEXT_RULES_VERSION}+{PAGE_RULES_VERSION}"

_MASK = re.compile(r"\*+|(?<![A-Za-z])(?:XX|xx|X|x)(?=[\u4e00-\u9fff])|(?<=[第的])[Xx]{1,3}(?![A-Za-z])")
# Every match of _MASK starts at one of these; searching for them is a plain class scan, while
# _MASK.search tried its lookarounds at every character of the text.
_MASK_START = re.compile(r"[*Xx]")
_DATETIME = re.compile(
    r"(?P<y>\d{4})[-/年.](?P<m>\d{1,2})[-/月.](?P<d>\d{1,2})日?(?:\s*(?P<H>\d{1,2})[:：时](?P<M>\d{2})(?:[:：分](?P<S>\d{2}))?)?"
)


@dataclass(slots=True)
class Cleaned:
    paragraphs: list[str]
    title: str | None
    meta: dict = field(default_factory=dict)
    hits: list[BoilerplateHit] = field(default_factory=list)
    facts: TitleFacts = field(default_factory=TitleFacts)
    has_masking: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def parse_datetime(value: str | None) -> datetime | None:
    """First date(-time) in a string such as '2024-7-4 09:18:46' or '2024年7月4日'."""
    if not value:
        return None
    m = _DATETIME.search(value)
    if not m:
        return None
    try:
        return datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0))
    except ValueError:
        return None


def has_masking(text: str) -> bool:
    """Names masked as '**书记', '*户', 'x市', 'XX大' by the people who reposted the text."""
    return any(_MASK.match(text, m.start()) for m in _MASK_START.finditer(text))


# Any gate word of any line rule: most texts have none, and one search says so (the twelve
# substring tests over the whole text took twice as long).
_ANY_GATE = re.compile("|".join(re.escape(g) for rule in LINE_RULES for g in rule.gates))


def _strip_line_rules(lines: list[str], hits: list[BoilerplateHit], meta: dict) -> list[str]:
    # A rule none of whose gate words occurs in the whole text cannot fire on any line.
    text = "\n".join(lines)
    if _ANY_GATE.search(text) is None:
        return list(lines)
    rules = [rule for rule in LINE_RULES if any(g in text for g in rule.gates)]
    kept: list[str] = []
    for line in lines:
        for rule in rules:
            if any(g in line for g in rule.gates):
                m = rule.pattern.match(line)
                if m:
                    hits.append(BoilerplateHit(rule.rule_id, line))
                    for name in rule.captures:
                        if m.group(name) and name not in meta:
                            meta[name] = m.group(name).strip()
                    if rule.rule_id == "forum.poster_header" and not m.group("poster") and _is_poster_name(kept):
                        # 'USER' on its own line above '发表于 TIME': the first line of the post is the user.
                        name = kept.pop()
                        hits.insert(len(hits) - 1, BoilerplateHit(POSTER_NAME_RULE_ID, name))
                        meta.setdefault("poster", name.strip())
                    break
        else:
            kept.append(line)
    return kept


def _is_poster_name(kept: list[str]) -> bool:
    """Only the very first line, and only if it is short and reads like a user name."""
    return len(kept) == 1 and len(kept[0]) <= 20 and not any(p in kept[0] for p in "。，！？：；,.!?:;")


# one search instead of a substring test per field name (most lines hold none)
_ANY_FOOTER_GATE = re.compile("|".join(map(re.escape, FOOTER_GATES)))


def _footer_fields(line: str) -> list[tuple[str, str]] | None:
    """Fields of a line made only of 'FIELD：value' segments, else None."""
    if len(line) > 120 or _ANY_FOOTER_GATE.search(line) is None:
        return None
    fields, pos = [], 0
    for m in FOOTER_SEGMENT.finditer(line):
        if line[pos:m.start()].strip(" \u3000|｜"):
            return None
        fields.append((m.group("field"), m.group("value").strip()))
        pos = m.end()
    if not fields or line[pos:].strip(" \u3000|｜"):
        return None
    return fields


def _strip_footers(lines: list[str], hits: list[BoilerplateHit], meta: dict) -> list[str]:
    n = len(lines)
    kept = []
    for i, line in enumerate(lines):
        near_end = i < FOOTER_HEAD_LINES or i >= n - FOOTER_TAIL_LINES
        fields = _footer_fields(line) if near_end else None
        if fields is None:
            kept.append(line)
            continue
        hits.append(BoilerplateHit(FOOTER_RULE_ID, line))
        for name, value in fields:
            column = FOOTER_FIELD_TO_META.get(name)
            if column and column not in meta:
                meta[column] = value
    return kept


def _take_title(lines: list[str], given: str | None, hits: list[BoilerplateHit]) -> tuple[str | None, list[str]]:
    """Take the leading title line(s) out of the body; extra copies of the title are recorded hits."""
    title = given.strip() if given else None
    popped: list[str] = []
    while len(lines) > 1 and looks_like_title(lines[0]) and (
        title is None or strip_stray_suffix(lines[0]) == strip_stray_suffix(title)
    ):
        popped.append(lines.pop(0))
        title = title or strip_stray_suffix(popped[0])
    if given is None and popped:
        # One popped line is the title itself: the exact copy if there is one, else the first.
        popped.remove(title if title in popped else popped[0])
    hits.extend(BoilerplateHit(REPEATED_TITLE_RULE_ID, line) for line in popped)
    return title, lines


def clean(extracted: Extracted) -> Cleaned:
    """Apply the rule pack to an extractor's paragraphs; the result's text is the body only."""
    if extracted.extractor != "text" and "page_rules" not in extracted.meta:
        extracted = apply_page_rules(extracted)
    hits = list(extracted.hits)
    meta = dict(extracted.meta)
    lines = _strip_line_rules(extracted.paragraphs, hits, meta)
    lines = _strip_footers(lines, hits, meta)
    if extracted.extractor == "text" and "page_rules" not in meta:
        # What the text pack's footer fields left at the ends: credits, editions, notices.
        lines = apply_edge_rules(lines, hits, meta)
    lines = strip_closing_signoff(lines, hits, meta)
    title, lines = _take_title(lines, extracted.title or meta.get("thread_title"), hits)
    paragraphs = [to_fullwidth(p) for p in lines]
    if title:
        title = to_fullwidth(title)
    if "published_at" not in meta:
        posted = parse_datetime(meta.get("posted") or meta.get("published_at_text"))
        if posted:
            meta["published_at"] = posted
    # Nothing on the page dated it (at most trafilatura guessed, e.g. from a copyright year): the
    # date of the print edition it cites, else the text's closing date.
    if "published_at" not in meta or meta.get("published_from_guess"):
        stated = meta.get("published_fallback") or meta.get("closing_date")
        if stated:
            meta["published_at"] = stated
    facts = parse_title(title)
    if facts.organization is None and meta.get("signed_by"):
        facts.organization = meta["signed_by"]
    text = "\n".join(paragraphs)
    return Cleaned(
        paragraphs=paragraphs,
        title=title,
        meta=meta,
        hits=hits,
        facts=facts,
        has_masking=has_masking(text) or has_masking(title or ""),
    )
