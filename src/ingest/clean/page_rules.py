"""Boilerplate rule pack for text extracted from HTML pages: rules are data, every hit is recorded."""
from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from importlib import resources

import yaml

from ingest.extract.forum_meta import parse_post_time
from ingest.model import BoilerplateHit, Extracted

_RULES_FILE = "page_rules.yaml"
_DATE = re.compile(r"\d{2,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?::\d{2})?)?")
_BRACKETS = "[]【】()（）〔〕"
# Decorations that open a credit line (`▌编辑：…`, `— 来源：… —`) and say nothing themselves.
_DECOR = " \u3000\t·•●■□▌▍▎|｜-—–_*★☆▼▲▶►◆◇>》"
# Field separators: colons of both widths, the bars people use instead (| ｜ 丨 │), slashes.
_SEP = r"[:：︰∶|｜丨│┃/／]"


@dataclass(frozen=True)
class Zone:
    """The first (head) or last (tail) lines of a page: `lines` paragraphs, or more while the text
    they skip is shorter than `chars` (ten short credit lines are as close to the edge as two)."""

    lines: int
    chars: int


@dataclass(frozen=True)
class PageRule:
    """One rule: an id, what it matches, and what happens to the match."""

    id: str
    kind: str  # drop_line | strip | fields
    pattern: re.Pattern | None = None
    meta_field: str | None = None
    where: str = "any"  # any | head | tail | foot (tail past the head) | edges (head or tail)
    max_len: int | None = None
    flag: str | None = None
    also_next: re.Pattern | None = None
    also_following: re.Pattern | None = None  # drop_line: later lines of the same block (a teaser list)
    gate: re.Pattern | None = None  # cheap search a line must pass before `pattern` is tried
    keys: tuple[tuple[str, str], ...] = ()
    splitter: re.Pattern | None = None  # for `fields` rules: finds the `key：` marks
    read_as: str | None = None  # strip: the cut text is read by this `fields` rule (`（责任编辑：某）`)


def _spaced(key: str) -> str:
    # `编 辑`, `责　编`: pages space the characters of a short key out to align a column.
    return "[ \u3000]?".join(map(re.escape, key)) if len(key) > 1 else re.escape(key)


def _fields_regex(keys: dict, loose: list[str], prefixed: list[str] = ()) -> re.Pattern:
    """Marks `key：`, `key | `, `key丨`; a key of `loose` may also be followed by spaces alone
    (`记者 王涛`), one of `prefixed` may follow a few Han characters (`学校地址：`). Single-character
    keys (`文`, `图`) need a real separator."""
    strict = "|".join(_spaced(k) for k in sorted(keys, key=len, reverse=True))
    if prefixed:
        strict += "|" + r"[\u4e00-\u9fff]{1,4}?(?:" + "|".join(map(re.escape, prefixed)) + ")"
    spaced = "|".join(_spaced(k) for k in sorted(loose, key=len, reverse=True) if len(k) > 1)
    pattern = rf"(?P<key>{strict})\s*{_SEP}\s*"
    if spaced:
        pattern += rf"|(?P<loose>{spaced})[ \u3000]+(?=[^\s{_SEP[1:-1]}])"
    return re.compile(pattern)


def _zone(data: dict | None, lines: int, chars: int) -> Zone:
    data = data or {}
    return Zone(int(data.get("lines", lines)), int(data.get("chars", chars)))


def _load() -> tuple[str, tuple[PageRule, ...], Zone, Zone]:
    raw = resources.files("ingest.data.rules").joinpath(_RULES_FILE).read_bytes()
    data = yaml.safe_load(raw)
    zones = data.get("zones") or {}
    rules = []
    keys_of: dict[str, dict] = {}
    for item in data["rules"]:
        rx = {k: re.compile(item[k]) if item.get(k) else None for k in ("pattern", "also_next", "also_following", "gate")}
        if item["kind"] == "fields":
            item["keys"] = {**keys_of.get(item.get("extends"), {}), **(item.get("keys") or {})}
            keys_of[item["id"]] = item["keys"]
        rules.append(PageRule(
            id=item["id"], kind=item["kind"], pattern=rx["pattern"],
            meta_field=item.get("field"), where=item.get("where", "any"), max_len=item.get("max_len"),
            flag=item.get("flag"), also_next=rx["also_next"], also_following=rx["also_following"],
            gate=rx["gate"], keys=tuple((item.get("keys") or {}).items()),
            splitter=_fields_regex(item["keys"], item.get("loose_keys") or [], item.get("prefixed_keys") or [])
            if item.get("keys") else None,
            read_as=item.get("read_as"),
        ))
    version = f"page-v{data['version']}+{hashlib.sha256(raw).hexdigest()[:8]}"
    return version, tuple(rules), _zone(zones.get("head"), 3, 0), _zone(zones.get("tail"), 4, 0)


PAGE_RULES_VERSION, PAGE_RULES, HEAD_ZONE, TAIL_ZONE = _load()


def _key_name(rule: PageRule, mark: re.Match) -> str:
    key = re.sub(r"[ \u3000]", "", mark.group("key") or mark.groupdict().get("loose"))
    names = dict(rule.keys)
    while key not in names:
        key = key[1:]  # `学校地址` -> `校地址` -> `地址`: a prefixed key
    return names[key]


def _strip_value(raw: str) -> str:
    """A value without the decorations and brackets around it; a bracket the value opens itself
    keeps its closing one (`荆楚网(湖北日报网)`)."""
    value = raw.strip(_DECOR + ",，;；" + _BRACKETS)
    after = raw[raw.find(value) + len(value):].lstrip() if value else ""
    for opening, closing in (("(", ")"), ("（", "）"), ("[", "]"), ("【", "】"), ("〔", "〕")):
        if value.count(opening) > value.count(closing) and after.startswith(closing):
            value += closing
    return value


def _match_fields(text: str, rule: PageRule) -> dict | None:
    """`来源：X　编辑：Y` -> {source_name: X, editor: Y} when the line holds nothing else."""
    # Closing brackets at the end are the last value's business (`来源：荆楚网(湖北日报网)`).
    line = text.strip().strip(_DECOR).lstrip(_BRACKETS).strip()
    date = _DATE.match(line)
    lead_date = date.group(0) if date else None
    if date:
        line = line[date.end():].strip(_DECOR)
    if rule.splitter.match(line) is None:  # most lines: no key where a by-line starts
        return None
    marks = list(rule.splitter.finditer(line))
    if not marks or marks[0].start() != 0:
        return None
    found: dict = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
        value = _strip_value(line[m.end():end])
        name = _key_name(rule, m)
        if name == "published":
            date = _DATE.search(value)
            # `时间：本周五下午` or `时间：5月20日上午 地点：礼堂` is a notice in the body, not a dateline.
            if not date or len(value) - len(date.group(0)) > 8:
                return None
        if len(value) > 40 or (not value and m.groupdict().get("loose")):
            return None
        if name != "published" and re.search(r"[，。？！?!；;：]|:(?!\d)", value):
            return None  # `记者：请问…？` is an interview question; `编辑：甲 排版：乙` a key we lack
        value = " ".join(w for w in value.split() if w not in _WIDGET_WORDS)
        found.setdefault(name, value)
    if lead_date:
        found.setdefault("published", lead_date)
    return found


_last_zones = threading.local()  # per thread: web batches may be cleaned in several at once


def _zones(paras: list[str]) -> tuple[int, int]:
    """(end of the head zone, start of the tail zone) as paragraph indexes. The head zone covers at
    most half of a short page, so a closing signature is never taken for a top-of-page line."""
    # Every rule asks again for the same list (a rule that changes nothing returns it as it was,
    # and no list of paragraphs is changed in place): the last answer is kept for it.
    last = getattr(_last_zones, "value", None)
    if last is not None and last[0] is paras:
        return last[1]
    zones = _walk_zones(paras)
    _last_zones.value = (paras, zones)
    return zones


def _walk_zones(paras: list[str]) -> tuple[int, int]:
    n = len(paras)
    half = (n + 1) // 2
    head, used = 0, 0
    while head < n and (head < HEAD_ZONE.lines or used < HEAD_ZONE.chars):
        used += len(paras[head])
        head += 1
    head = min(head, half)
    tail, used = n, 0
    while tail > 0 and (n - tail < TAIL_ZONE.lines or used < TAIL_ZONE.chars):
        tail -= 1
        used += len(paras[tail])
    return head, tail


def _spans(rule: PageRule, paras: list[str]) -> list[tuple[int, int]]:
    """The index ranges a rule looks at: a zoned rule never walks the middle of a long page."""
    n = len(paras)
    if rule.where == "any":
        return [(0, n)]
    head, tail = _zones(paras)
    if rule.where == "head":
        return [(0, head)]
    if rule.where == "tail":
        return [(tail, n)]
    if rule.where == "foot":
        return [(max(head, tail), n)]
    return [(0, head), (max(head, tail), n)] if head < tail else [(0, n)]


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
    head_end = _zones(paras)[0]
    for i, text in enumerate(paras):
        head = _norm(text) if i < head_end else ""
        if head and any(head == v or (head.startswith(v) and len(head) - len(v) <= 6)
                                       for v in variants):
            hits.append(BoilerplateHit("page.title_repeat", text))
            continue
        kept.append(text)
    return kept


_NOT_STORED = {"counter", "ui", "contact", "credit"}  # view counts, font-size buttons, hotlines: recognised, not kept
# Buttons that sit on the same line as a by-line (`来源：某报 举报`).
_WIDGET_WORDS = {"举报", "分享", "收藏", "关注", "打印", "纠错", "字号", "评论", "点赞", "大", "中", "小"}
# `来源：某报记者 王涛` / `某报 记者 王涛`: a source line that also credits the reporter.
_SOURCE_WITH_REPORTER = re.compile(
    r"^(?P<source>.+?)\s*(?:本报|本報|本台|本网|本網|特约|见习|实习|融媒体)?(?:记者|記者|通讯员|通訊員)\s*(?P<author>[\u4e00-\u9fa5·][\u4e00-\u9fa5· 、]{1,20})$")
_EDITION = re.compile(
    r"(?:《(?P<paper>[^》]{2,20})》|(?P<bare>[\u4e00-\u9fa5]{2,12}[报刊]))\s*(?:[（(]\s*(?=\d{4}))?"
    r"(?P<date>\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)?\s*[（(]?\s*"
    r"(?:(?:第\s*)?(?P<page>[A-Za-z]?\s*\d{1,3})\s*版|(?P<year>\d{4})?\s*年?\s*[（(]?\s*(?:总\s*)?第\s*(?P<issue>\d{1,4})\s*期)?")


def _edition(text: str) -> dict:
    """`（《某某日报》2024年05月20日 05 版）` -> paper, date and page, spacing normalised."""
    m = _EDITION.search(text)
    if not m:
        return {}
    paper = (m["paper"] or m["bare"]).strip()
    out = {"source_name": paper}
    label = f"《{paper}》"
    when = parse_post_time(re.sub(r"\s+", "", m["date"] or ""))
    if when:
        out["published_fallback"] = when
        label += f"{when:%Y-%m-%d}"
    if m["page"]:
        page_no = re.sub(r"^([A-Za-z]?)0*(?=\d)", r"\1", m["page"].replace(" ", ""))
        label += f" 第{page_no}版"
    elif m["issue"]:
        # A magazine: `《某某》2024年第10期` (the issue, with its year when the page gives one).
        label += f"{m['year']}年第{int(m['issue'])}期" if m["year"] else f"第{int(m['issue'])}期"
    out["print_edition"] = label
    return out


def _store(meta: dict, name: str | None, value) -> None:
    if not name or not value or name in _NOT_STORED:
        return
    if name == "print_edition":
        facts = _edition(value)
        if facts:
            meta.setdefault("print_edition", facts.pop("print_edition"))
            for key, fact in facts.items():
                _store(meta, key, fact)
        return
    if name in ("published_fallback", "editor_fallback"):
        # Facts that only stand in when the page says nothing better (a print date, a reviewer).
        meta.setdefault(name, value.strip() if isinstance(value, str) else value)
        return
    if name == "published":
        when = parse_post_time(re.sub(r"\s+", "", value))
        old = meta.get("published_at")
        # A dateline with a clock time beats a bare date from the page's metadata.
        if when and (old is None or (old.hour == old.minute == 0 and (when.hour or when.minute))):
            meta["published_at"] = when
        return
    value = value.strip()
    if name == "source_name":
        both = _SOURCE_WITH_REPORTER.match(value)
        if both:
            _store(meta, "author", both["author"])
            value = both["source"].strip()
    if name == "author":
        value = re.sub(r"^(?:本报|本報|本台|本网|本網|特约|见习|实习)?(?:记者|記者|通讯员|通訊員)\s*", "", value)
    if value:
        meta.setdefault(name, value)


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


def _value(m: re.Match) -> str | None:
    """The `value` group, or the first of `value2`, `value3` … that took part (one per alternative)."""
    groups = m.groupdict()
    return next((groups[k] for k in sorted(groups) if k.startswith("value") and groups[k]), None)


def _apply_rule(rule: PageRule, paras: list[str], hits: list[BoilerplateHit], meta: dict) -> list[str]:
    """The paragraphs after one rule; the same list object when the rule changed nothing (every
    change is a hit), so the next rule's zones are not walked again."""
    before = len(hits)
    kept: list[str] = []
    pos = 0
    for start, end in _spans(rule, paras):
        kept.extend(paras[pos:start])
        kept.extend(_apply_span(rule, paras[start:end], hits, meta))
        pos = end
    if len(hits) == before:
        return paras
    kept.extend(paras[pos:])
    return kept


def _apply_span(rule: PageRule, paras: list[str], hits: list[BoilerplateHit], meta: dict) -> list[str]:
    kept: list[str] = []
    follow: re.Pattern | None = None  # the teaser list under a heading this rule dropped
    for text in paras:
        if follow is not None:
            if follow.fullmatch(text):
                hits.append(BoilerplateHit(rule.id, text))
                if rule.also_next is not None:
                    follow = None
                continue
            follow = None
        if (rule.max_len is not None and len(text) > rule.max_len) or (
                rule.gate is not None and not rule.gate.search(text)):
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
            _store(meta, rule.meta_field, text if rule.meta_field == "print_edition" else _value(m))
            follow = rule.also_next or rule.also_following
        elif rule.kind == "strip":
            new = rule.pattern.sub("", text)
            if new == text:
                kept.append(text)
                continue
            for m in rule.pattern.finditer(text):
                hits.append(BoilerplateHit(rule.id, m.group(0)))
                if rule.meta_field:
                    _store(meta, rule.meta_field, m.group(0))
                if rule.read_as:
                    for name, value in (_match_fields(m.group(0), _RULE_BY_ID[rule.read_as]) or {}).items():
                        _store(meta, name, value)
            if rule.flag:
                meta[rule.flag] = True
            if new.strip():
                kept.append(new.strip())
    return kept


_ZONED = tuple(rule for rule in PAGE_RULES if rule.where != "any")
_RULE_BY_ID = {rule.id: rule for rule in PAGE_RULES}


# A plain text (.txt) is a speech as someone saved it, often copied from a WeChat post or a news
# page with its credits, edition citation and reprint notice: it gets the pack's zone rules and
# the by-line fields, at its first and last lines only. Its middle is never touched.
EDGE_RULES = tuple(
    replace(rule, where="edges") if rule.kind == "fields" and rule.where == "any" else rule
    for rule in PAGE_RULES if rule.where != "any" or rule.kind == "fields")


def apply_edge_rules(lines: list[str], hits: list[BoilerplateHit], meta: dict) -> list[str]:
    """The zone rules of the pack over a plain text's first and last lines; hits and moved values
    are added to `hits` and `meta`. A text the rules would empty is left as it was."""
    found: list[BoilerplateHit] = []
    moved = dict(meta)
    paras = [p.strip() for p in lines if p.strip()]
    for _ in range(3):  # removing one layer of chrome at an end brings the next into the zone
        before = len(found)
        for rule in EDGE_RULES:
            if rule.also_following is not None and paras:
                # The first line is the text's title (`今日推荐` over a repost), never a list heading
                # taking the hard-wrapped lines under it along.
                paras = [paras[0], *_apply_rule(rule, paras[1:], found, moved)]
            else:
                paras = _apply_rule(rule, paras, found, moved)
        if len(found) == before:
            break
    if not paras:  # a text that is one date or one credit line is its own body, not chrome
        return list(lines)
    hits.extend(found)
    meta.update(moved)
    meta["page_rules"] = PAGE_RULES_VERSION
    return paras


def apply_page_rules(page: Extracted) -> Extracted:
    """Run the page rule pack over extracted paragraphs; hits and moved values land on the result."""
    hits = list(page.hits)
    meta = dict(page.meta)
    meta["page_rules"] = PAGE_RULES_VERSION
    titles = [t for t in (page.title, meta.get("html_title"), meta.get("thread_title")) if t]
    paras = _drop_title_lines([p.strip() for p in page.paragraphs if p.strip()], titles, hits)
    for rule in PAGE_RULES:
        paras = _apply_rule(rule, paras, hits, meta)
    # Removing chrome at an edge brings lines that were out of reach into the head or tail zone
    # (a by-line above ten recommended titles): the zoned rules look again until nothing changes.
    for _ in range(3):
        before = len(hits)
        for rule in _ZONED:
            paras = _apply_rule(rule, paras, hits, meta)
        if len(hits) == before:
            break
    _read_bylines(meta)
    # The extractor's guesses only fill what the page's own by-lines and footers left empty.
    if "author" not in meta and meta.get("author_guess"):
        meta["author"] = meta["author_guess"]
    if "published_at" not in meta and meta.get("published_guess"):
        meta["published_at"] = meta["published_guess"]
        meta["published_from_guess"] = True  # a date the text itself gives may still replace it
    if "editor" not in meta and meta.get("editor_fallback"):
        meta["editor"] = meta["editor_fallback"]
    return replace(page, paragraphs=paras, meta=meta, hits=hits)
