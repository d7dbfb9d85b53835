"""Boilerplate rule pack for text extracted from HTML pages: rules are data, every hit is recorded."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from importlib import resources

import yaml

from ingest.extract.forum_meta import parse_post_time
from ingest.model import BoilerplateHit, Extracted

_RULES_FILE = "page_rules.yaml"
_HEAD, _TAIL = 3, 4
_DATE = re.compile(r"\d{2,4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}[:：]\d{2}(?::\d{2})?)?")
_BRACKETS = "[]【】()（）〔〕"


@dataclass(frozen=True)
class PageRule:
    """One rule: an id, what it matches, and what happens to the match."""

    id: str
    kind: str  # drop_line | strip | fields
    pattern: re.Pattern | None = None
    meta_field: str | None = None
    where: str = "any"
    max_len: int | None = None
    flag: str | None = None
    also_next: re.Pattern | None = None
    keys: tuple[tuple[str, str], ...] = ()
    splitter: re.Pattern | None = None  # for `fields` rules: finds the `key：` marks


def _fields_regex(keys: dict) -> re.Pattern:
    alternatives = "|".join(sorted(map(re.escape, keys), key=len, reverse=True))
    return re.compile(rf"(?P<key>{alternatives})\s*[:：|｜/]\s*")


def _load() -> tuple[str, tuple[PageRule, ...]]:
    raw = resources.files("ingest.data.rules").joinpath(_RULES_FILE).read_bytes()
    data = yaml.safe_load(raw)
    rules = []
    for item in data["rules"]:
        rules.append(PageRule(
            id=item["id"], kind=item["kind"],
            pattern=re.compile(item["pattern"]) if item.get("pattern") else None,
            meta_field=item.get("field"), where=item.get("where", "any"), max_len=item.get("max_len"),
            flag=item.get("flag"),
            also_next=re.compile(item["also_next"]) if item.get("also_next") else None,
            keys=tuple((item.get("keys") or {}).items()),
            splitter=_fields_regex(item["keys"]) if item.get("keys") else None,
        ))
    version = f"page-v{data['version']}+{hashlib.sha256(raw).hexdigest()[:8]}"
    return version, tuple(rules)


PAGE_RULES_VERSION, PAGE_RULES = _load()


def _match_fields(text: str, rule: PageRule) -> dict | None:
    """`来源：X　编辑：Y` -> {source_name: X, editor: Y} when the line holds nothing else."""
    line = text.strip().strip(_BRACKETS).strip()
    date = _DATE.match(line)
    lead_date = date.group(0) if date else None
    if date:
        line = line[date.end():].strip(" \u3000|｜·")
    marks = list(rule.splitter.finditer(line))
    if not marks or marks[0].start() != 0:
        return None
    found: dict = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
        value = line[m.end():end].strip(" \u3000\t|｜,，;；" + _BRACKETS)
        name = dict(rule.keys)[m.group("key")]
        if name == "published":
            date = _DATE.search(value)
            # `时间：本周五下午` or `时间：5月20日上午 地点：礼堂` is a notice in the body, not a dateline.
            if not date or len(value) - len(date.group(0)) > 8:
                return None
        if len(value) > 40:
            return None
        if name != "published" and re.search(r"[，。？！?!；;]", value):
            return None  # `记者：请问…？` is an interview question, not a by-line
        value = " ".join(w for w in value.split() if w not in _WIDGET_WORDS)
        found.setdefault(name, value)
    if lead_date:
        found.setdefault("published", lead_date)
    return found


def _in_scope(rule: PageRule, index: int, total: int, text: str) -> bool:
    if rule.max_len is not None and len(text) > rule.max_len:
        return False
    if rule.where == "head":
        return index < _HEAD
    if rule.where == "tail":
        return index >= total - _TAIL
    return True


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _title_variants(titles: list[str]) -> list[str]:
    variants = set()
    for title in titles:
        variants.add(_norm(title))
        for part in re.split(r"\s*[-_|｜–—]\s*", title):
            if len(_norm(part)) >= 6:
                variants.add(_norm(part))
    return [v for v in variants if v]


def _drop_title_lines(paras: list[str], titles: list[str], hits: list[BoilerplateHit]) -> list[str]:
    # The headline often opens the extracted text, sometimes glued to a button label (`播报文章`).
    variants = _title_variants(titles)
    kept = []
    for i, text in enumerate(paras):
        head = _norm(text)
        if i < _HEAD and any(head == v or (head.startswith(v) and len(head) - len(v) <= 6)
                             for v in variants):
            hits.append(BoilerplateHit("page.title_repeat", text))
            continue
        kept.append(text)
    return kept


_NOT_STORED = {"counter", "ui"}  # view counts and font-size buttons are recognised, not kept
# Buttons that sit on the same line as a by-line (`来源：某报 举报`).
_WIDGET_WORDS = {"举报", "分享", "收藏", "关注", "打印", "纠错", "字号", "评论", "点赞", "大", "中", "小"}


def _store(meta: dict, name: str | None, value: str | None) -> None:
    if not name or not value or name in _NOT_STORED:
        return
    if name == "published":
        when = parse_post_time(value)
        old = meta.get("published_at")
        # A dateline with a clock time beats a bare date from the page's metadata.
        if when and (old is None or (old.hour == old.minute == 0 and (when.hour or when.minute))):
            meta["published_at"] = when
        return
    if name == "author":
        value = re.sub(r"^(?:本报|本台|本网|特约|见习)?(?:记者|通讯员)\s*", "", value.strip())
    if value.strip():
        meta.setdefault(name, value.strip())


def _read_bylines(meta: dict) -> None:
    # By-lines the extractor saw outside the body: their values are metadata, nothing is removed.
    lines = meta.pop("bylines", None) or []
    for rule in PAGE_RULES:
        if rule.kind == "strip":
            lines = [rule.pattern.sub("", line) for line in lines]
        elif rule.kind == "fields":
            for line in lines:
                for name, value in (_match_fields(line, rule) or {}).items():
                    _store(meta, name, value)


def apply_page_rules(page: Extracted) -> Extracted:
    """Run the page rule pack over extracted paragraphs; hits and moved values land on the result."""
    hits = list(page.hits)
    meta = dict(page.meta)
    meta["page_rules"] = PAGE_RULES_VERSION
    titles = [t for t in (page.title, meta.get("html_title"), meta.get("thread_title")) if t]
    paras = _drop_title_lines([p.strip() for p in page.paragraphs if p.strip()], titles, hits)
    for rule in PAGE_RULES:
        kept: list[str] = []
        skip_next = False
        total = len(paras)
        for i, text in enumerate(paras):
            if skip_next:
                skip_next = False
                if rule.also_next and rule.also_next.fullmatch(text):
                    hits.append(BoilerplateHit(rule.id, text))
                    continue
            if not _in_scope(rule, i, total, text):
                kept.append(text)
                continue
            if rule.kind == "fields":
                found = _match_fields(text, rule)
                if found is None:
                    kept.append(text)
                    continue
                hits.append(BoilerplateHit(rule.id, text))
                for name, value in found.items():
                    _store(meta, name, value)
            elif rule.kind == "drop_line":
                m = rule.pattern.fullmatch(text)
                if not m:
                    kept.append(text)
                    continue
                hits.append(BoilerplateHit(rule.id, text))
                _store(meta, rule.meta_field, m.groupdict().get("value"))
                skip_next = rule.also_next is not None
            elif rule.kind == "strip":
                new = rule.pattern.sub("", text)
                if new == text:
                    kept.append(text)
                    continue
                for m in rule.pattern.finditer(text):
                    hits.append(BoilerplateHit(rule.id, m.group(0)))
                if rule.flag:
                    meta[rule.flag] = True
                if new.strip():
                    kept.append(new.strip())
        paras = kept
    _read_bylines(meta)
    # The extractor's guesses only fill what the page's own by-lines and footers left empty.
    if "author" not in meta and meta.get("author_guess"):
        meta["author"] = meta["author_guess"]
    if "published_at" not in meta and meta.get("published_guess"):
        meta["published_at"] = meta["published_guess"]
    return replace(page, paragraphs=paras, meta=meta, hits=hits)
