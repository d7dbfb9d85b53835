"""Matching form: the folded, boilerplate-free string near-duplicate detection compares (never shown)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Why these steps: reposts differ from the original by script (OpenCC s2t/s2hk/s2tw), by
# full/half-width punctuation, by layout (wraps, merged paragraphs, indentation), by masked
# names (`**书记`, `XX市`, `x学院`) and by site chrome that the cleaning step may have missed.
# The matching form removes all of those differences so that shingles compare content only.

# Only full-width letters and digits need folding: punctuation is dropped from the form anyway,
# and str.translate is slow on CJK text, so it runs only when such a character occurs.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B)}
_HAS_FULLWIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FULLWIDTH_LETTERS = np.array([bool(_HAS_FULLWIDTH.match(chr(c))) for c in range(0xFF10, 0xFF5B)])
# Keep letters, digits and CJK ideographs; punctuation and whitespace carry no identity.
_NON_CONTENT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MASK = re.compile(
    r"\*+"  # **书记, *户
    r"|(?<![A-Za-z])[xX×]{1,3}(?![A-Za-z])"  # XX市, x学院, 党的XX大 (not ASCII words such as 'box')
    r"|[○〇]{2,}"  # ○○县
)
_MAYBE_MASK = re.compile(r"[*xX×○〇]")  # a plain character class: cheap test before the lookarounds

# ---- lines the cleaning step usually removes; repeated here so leftovers cannot merge texts ----
# (two patterns: mixed with the anchored ones, the search tried every alternative at every
# character; alone, each alternative starts with a literal and the engine skips to those)
_FORUM_LINE = re.compile(r"发表于\s*\d{2,4}[-/.年]|本帖最后由.{0,40}编辑|只看该作者|倒序浏览|阅读模式")
_FORUM_LINE_START = re.compile(r"查看完整版本|页\s*[:：]\s*\[?\d|楼主\s*[:：]")
_BUTTONS = re.compile(r"^(?:[\s|｜/]*(?:回复|引用|举报|顶|踩|快速回复|返回版块|返回列表|发表新帖|分享|收藏|点赞|评论))+[\s|｜/]*$")
_BYLINE = re.compile(
    r"^[\[【（(]?\s*(?:来源|稿源|稿件来源|新闻来源|信息来源|作者|编辑|责任编辑|责编|终审|审核|审校|校对|"
    r"发布时间|发布日期|原标题|记者|通讯员|供稿|摄影|图片来源|文|图)\s*[:：]"
)
_DISCLAIMER_WORDS = ("版权", "侵权", "侵删", "免责", "转载", "未经许可", "不代表本", "仅供参考", "违者必究",
                     "联系删除", "原作者所有", "转自网络", "删除处理", "删帖", "封号", "文明发言", "法律法规")
_DISCLAIMER_START = re.compile(r"^[\[【（(]?\s*(?:版权|免责|声明|郑重声明|特别声明|论坛须知|发帖须知|版规|站务公告)")
_CALL_TO_ACTION = re.compile(r"客户端|二维码|扫码|关注我们|点个.?赞|在看|点击关注|下载app|阅读原文|体验更佳")
_LIST_HEADER = re.compile(
    r"^(?:猜你喜欢|精选推荐|相关推荐|推荐阅读|相关阅读|延伸阅读|热门推荐|热门文章|热点推荐|相关文章|往期回顾|往期推荐|"
    r"更多精彩|今日推荐|同版块热帖|本版热帖|热门帖子|\d+小时热点|热点新闻|最新文章|大家都在看)"
)
_BULLET = re.compile(r"^[▪•●◆■►▶☆★◇□○]|^·\s")
_SEPARATOR = re.compile(r"^[-=_*~—─·.。]{3,}$")
_EXCERPT_MARK = re.compile(r"^[（(\[【]?(?:未完待续|有删节|全文完|待续|完)[）)\]】]?$|^[.…。]+$")
_NAV_ITEM_MAX = 8


# Most lines hold no disclaimer word and no bar: one regex search (its first characters are a
# set the engine skips to) or two `in` tests rule them out before the counting and splitting.
_ANY_DISCLAIMER_WORD = re.compile("|".join(map(re.escape, _DISCLAIMER_WORDS)))
_NAV_SPLIT = re.compile(r"[|｜]")


def _is_nav_bar(line: str) -> bool:
    if "|" not in line and "｜" not in line:
        return False
    parts = [p.strip() for p in _NAV_SPLIT.split(line)]
    return len(parts) >= 3 and all(len(p) <= _NAV_ITEM_MAX for p in parts)


def _is_disclaimer(line: str) -> bool:
    if _ANY_DISCLAIMER_WORD.search(line) is None:
        return False
    hits = sum(1 for w in _DISCLAIMER_WORDS if w in line)
    return hits >= 2 or (hits >= 1 and bool(_DISCLAIMER_START.match(line)))


def strip_chrome(lines: list[str]) -> tuple[list[str], int]:
    """Drop forum/news/site chrome lines; returns kept (stripped, non-empty) lines and how many were dropped."""
    flags = chrome_flags(lines)
    kept = [line.strip() for line, bad in zip(lines, flags) if not bad and line.strip()]
    return kept, sum(flags)


def chrome_flags(lines: list[str]) -> list[bool]:
    """One flag per line: True for forum/news/site chrome (blank lines are False)."""
    flags = [False] * len(lines)
    kept: list[str] = []
    in_list = False
    after_separator = 0
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            in_list = False
            continue
        short = len(line) <= 60
        drop = False
        if len(line) > 400:
            pass  # chrome lines are short; most paragraphs of a speech skip every pattern below
        elif len(line) > 120:
            drop = bool(_BULLET.match(line)) or _is_disclaimer(line)
        elif in_list and short:
            drop = True
        elif _LIST_HEADER.match(line) and len(line) <= 20:
            # a recommendation list runs to the end of the page; near the top it is an ad line
            drop, in_list = True, i * 2 >= len(lines)
        elif _BULLET.match(line) or _SEPARATOR.match(line) or _EXCERPT_MARK.match(line):
            drop = True
            if _SEPARATOR.match(line) and len(line) >= 6:
                after_separator = 2  # a Discuz signature follows the dashes
        elif after_separator and short:
            drop = True
        elif (_FORUM_LINE.search(line) or _FORUM_LINE_START.match(line) or _BUTTONS.match(line)
              or _is_nav_bar(line)):
            drop = True
            # a poster name alone on the line before the 发表于 line belongs to the header
            if i == 1 and len(kept) == 1 and len(kept[0]) <= 20:
                kept.pop()
                flags[0] = True
        elif _BYLINE.match(line) or _CALL_TO_ACTION.search(line) or _is_disclaimer(line):
            drop = True
        if after_separator and not _SEPARATOR.match(line):
            after_separator -= 1
        if not drop:
            in_list = False
        if drop:
            flags[i] = True
        else:
            kept.append(line)
    return flags


@lru_cache(maxsize=1)
def _traditional_only_chars() -> frozenset[str]:
    """Ideographs that OpenCC itself turns into a different character when simplifying."""
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    folded = _converters()[0].convert("\n".join(chars)).split("\n")  # character level: hk2s
    return frozenset(c for c, f in zip(chars, folded) if f != c)


@lru_cache(maxsize=1)
def _converters():
    from opencc import OpenCC

    # hk2s knows the Hong Kong forms (説, 衞), tw2s the Taiwan phrase forms (沿著 -> 沿着, 著力 -> 着力)
    return OpenCC("hk2s"), OpenCC("tw2s")


class _Chain:
    def convert(self, text: str) -> str:
        hk, tw = _converters()
        return tw.convert(hk.convert(text))


@lru_cache(maxsize=1)
def _converter() -> _Chain:
    return _Chain()


@lru_cache(maxsize=1)
def _traditional_pattern() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(_traditional_only_chars())) + "]")


@lru_cache(maxsize=1)
def _traditional_table() -> np.ndarray:
    """Code point -> traditional-only (_traditional_pattern's class): counting is one lookup."""
    table = np.zeros(0x110000, dtype=bool)
    table[[ord(c) for c in _traditional_only_chars()]] = True
    return table


def _has_fullwidth_letter(cps: np.ndarray) -> bool:
    """_HAS_FULLWIDTH.search on code points already at hand (the regex takes ~10 ns a character)."""
    near = cps - np.uint32(0xFF10)  # below U+FF10 this wraps to large values
    near = near[near < len(_FULLWIDTH_LETTERS)]
    return bool(len(near)) and bool(_FULLWIDTH_LETTERS[near].any())


def is_traditional(text: str) -> bool:
    """True when the text contains a traditional-only character (a C-speed regex search)."""
    return _traditional_pattern().search(text) is not None


def to_simplified(text: str) -> str:
    return _converter().convert(text)


@dataclass(slots=True)
class MatchingForm:
    """The folded text plus facts learnt while folding it."""

    text: str  # no whitespace, no punctuation, simplified, lower-case, masks removed
    lines: list[str]  # the same content split at the kept lines (paragraphs), for coverage
    was_traditional: bool
    has_masking: bool
    dropped_lines: int
    title_lines: int = 0  # 1 when the first line looks like a title (not a paragraph of the body)


def fold_line(line: str) -> tuple[str, bool]:
    """Width/punctuation/mask folding of one (already simplified) line."""
    if _HAS_FULLWIDTH.search(line):
        line = line.translate(_FULLWIDTH)
    masked = _MAYBE_MASK.search(line) is not None and _MASK.search(line) is not None
    if masked:
        line = _MASK.sub("", line)
    return _NON_CONTENT.sub("", line.lower()), masked


# fold_lines joins its lines with this separator, which the folding keeps, and splits them again.
_SEP = "\x00"


@lru_cache(maxsize=1)
def _fold_table():
    """Code point -> folded code point (0: dropped) for fold_line's lower-case + keep-content step.

    The same mapping as `_NON_CONTENT.sub("", line.lower())` for every character whose lower
    case is one character; U+0130 (İ, which lowers to 'i' + a combining dot) folds to 'i'.
    """
    table = np.zeros(0x110000, dtype=np.uint32)
    for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
        table[lo : hi + 1] = np.arange(lo, hi + 1, dtype=np.uint32)
    ascii_kept = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")
    for c in range(0x10000):  # lower() only maps BMP characters onto 0-9a-z
        low = chr(c).lower()
        if low[0] in ascii_kept and all(ch not in ascii_kept and _NON_CONTENT.fullmatch(ch) for ch in low[1:]):
            table[c] = ord(low[0])
    table[0] = 0xFFFFFFFF  # the separator survives (as a marker, restored below)
    return table


def fold_lines(lines: list[str]) -> tuple[list[str], bool]:
    """fold_line over many lines at once: the per-line regex calls, not the matching, were the
    cost, so lower-casing and dropping non-content characters is one numpy table lookup over
    the join; returns the folded lines and whether any was masked."""
    if not lines:
        return [], False
    text = _SEP.join(lines)
    if text.count(_SEP) != len(lines) - 1:  # a NUL inside a line: fold one by one
        folded = [fold_line(line) for line in lines]
        return [f for f, _ in folded], any(m for _, m in folded)
    if _HAS_FULLWIDTH.search(text):
        text = text.translate(_FULLWIDTH)
    masked = False
    if _MAYBE_MASK.search(text) is not None:
        # the mask pattern scans slowly (lookarounds): run it only on lines holding a candidate
        parts = text.split(_SEP)
        for i, line in enumerate(parts):
            if _MAYBE_MASK.search(line) is not None and _MASK.search(line) is not None:
                parts[i] = _MASK.sub("", line)
                masked = True
        if masked:
            text = _SEP.join(parts)
    cps = _fold_table()[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
    cps = cps[cps != 0]
    cps[cps == 0xFFFFFFFF] = 0
    return cps.tobytes().decode("utf-32-le").split(_SEP), masked


@dataclass(slots=True)
class Folded:
    """The lines of a Prepared folded once (chrome lines to nothing), for the matching form and the passages.

    `text` holds every folded character in order and `at[k]` how many of them come from before
    offset k of the simple lines joined by "\n": the span [s, e) of that join folds to
    text[at[s] : at[e]].
    """

    text: str
    at: np.ndarray  # int32, one more than the joined lines have characters
    masked: bool
    lines: list[tuple[int, int]]  # per line: where its fold starts and ends in `text`


@dataclass(slots=True)
class Prepared:
    """A text split into lines, with a simplified, width-folded copy and chrome flags per line."""

    lines: list[str]  # the original lines (text.split("\n")): offsets refer to these
    simple: list[str]  # the same lines in simplified script, full-width letters/digits folded
    flags: list[bool]  # True: chrome line
    trad_chars: int
    codes: np.ndarray | None = None  # the text's code points (uint32), when prepare had them
    folded: Folded | None = None  # folded_lines(self), made on first use


def folded_lines(p: Prepared) -> Folded:
    """fold_line over every non-chrome line of `p` at once, keeping where each character went.

    The matching form and the sentence keys used to fold the same characters twice, once as
    lines and once as sentences; a sentence folds to the slice of its line's fold because its
    edges are whitespace, sentence ends or line ends, which the mask pattern treats alike.
    """
    if p.folded is not None:
        return p.folded
    # "\n" cannot occur inside a line and folds to nothing, so unlike fold_lines no line
    # needs folding on its own
    joined = "\n".join(p.simple)
    if p.simple is p.lines and p.codes is not None:
        cps = p.codes  # the text itself, in which prepare found no full-width letter
    else:
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        if _has_fullwidth_letter(cps):
            joined = joined.translate(_FULLWIDTH)
            cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    cps = _fold_table()[cps]
    spans = np.fromiter(map(len, p.simple), dtype=np.int64, count=len(p.simple)) + 1  # a line and its "\n"
    ends = np.cumsum(spans) - 1  # where each line's "\n" is (the last one's: the end)
    chrome = np.array(p.flags, dtype=bool)
    masked = False
    # The mask pattern scans slowly (lookarounds at every character), but its matches start
    # at a candidate character: trying it there, left to right and skipping what a match
    # took, finds what finditer over each line finds (the "\n" before a line is no letter).
    hits = [m.start() for m in _MAYBE_MASK.finditer(joined)]
    if hits:
        line = np.searchsorted(ends, hits, side="right")
        done = 0
        for pos, line_end, bad in zip(hits, ends[line].tolist(), chrome[line].tolist()):
            if pos >= done and not bad:
                m = _MASK.match(joined, pos, line_end)
                if m is not None:
                    done = m.end()
                    cps[pos:done] = 0
                    masked = True
    kept = (cps != 0) & (cps != 0xFFFFFFFF)  # 0xFFFFFFFF: a NUL, which is no content either
    if chrome.any():
        kept &= np.repeat(~chrome, spans)[: len(cps)]
    at = np.zeros(len(cps) + 1, dtype=np.int32)  # int32: cumsum's cheapest, and texts are shorter
    np.cumsum(kept, out=at[1:])
    lines = list(zip(at[ends - spans + 1].tolist(), at[ends].tolist()))
    p.folded = Folded(cps[kept].tobytes().decode("utf-32-le"), at, masked, lines)
    return p.folded


def prepare(text: str) -> Prepared:
    """Shared first step of the matching form and of the sentence keys (OpenCC runs once)."""
    lines = text.split("\n")
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    trad = int(np.count_nonzero(_traditional_table()[cps]))
    simple = lines
    if trad:
        converted = to_simplified(text).split("\n")
        simple = converted if len(converted) == len(lines) else [to_simplified(line) for line in lines]
    if _has_fullwidth_letter(cps):
        simple = [line.translate(_FULLWIDTH) for line in simple]
    return Prepared(lines, simple, chrome_flags(simple), trad, cps)


def matching_form(text: str, title: str | None = None, prepared: Prepared | None = None) -> MatchingForm:
    """Build the matching form of a document; the title, when given, is matched as a first line."""
    p = prepared or prepare(f"{title}\n{text}" if title else text)
    f = folded_lines(p)
    kept = [i for i, (line, bad) in enumerate(zip(p.simple, p.flags)) if not bad and line.strip()]
    titled = int(len(kept) >= 3 and looks_like_title(p.simple[kept[0]]))
    # chrome and blank lines fold to nothing: the kept lines' folds joined are f.text
    parts = [f.text[a:b] for a, b in f.lines if b > a]
    if titled and f.lines[kept[0]][0] == f.lines[kept[0]][1]:
        titled = 0  # the title folded to nothing
    # "traditional" means the body was written in it, not a few traditional titles in a list
    chars = sum(len(line) for line in p.lines)
    return MatchingForm(f.text, parts, p.trad_chars * 10 > chars, f.masked, sum(p.flags), titled)


_TITLE_MAX = 40


def looks_like_title(line: str) -> bool:
    """A short first line that does not open a sentence (`同志们：`) or run on is a title.

    Titles are left in the matching text but not counted as paragraphs: reposts change them,
    and "how much of the speech" means how much of its body.
    """
    line = line.strip()
    return 0 < len(line) <= _TITLE_MAX and line[-1] not in "：:，,；;、"
