"""Titles: tell a title line from body, and read speaker, organisation, event and genre from it."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Longest first: '汇报发言材料' must read as 汇报发言, not 发言材料.
GENRES = ("汇报发言", "交流发言", "研讨发言", "表态发言", "典型发言", "主持词", "讲话", "发言材料",
          "述职报告", "工作报告", "汇报", "致辞", "党课", "报告", "发言")
_POSTS = ("书记", "副书记", "部长", "市长", "县长", "区长", "镇长", "乡长", "省长", "主任", "局长", "厅长",
          "主席", "校长", "院长", "行长", "组长", "委员", "秘书长", "处长", "科长", "所长", "总经理",
          "董事长", "负责人", "同志", "代表", "常委", "政委", "司令员", "主任委员", "党组成员")
ORG_SUFFIXES = ("局", "委", "办", "厅", "部", "院", "会", "公司", "集团", "中心", "党委", "党组", "政府",
                 "支部", "系统", "街道", "镇", "乡", "县", "区", "市", "省", "所", "处", "队", "站",
                 "学校", "大学", "医院", "银行", "协会", "联合会", "工委", "管委会")
_WHO_AT_EVENT = re.compile(r"^(?P<who>[^在]{2,30}?)(?:同志)?在(?P<event>.{2,60}?)(?:上|中|期间|开幕式上|闭幕式上)?的(?P<rest>.{1,30})$")
_SENTENCE_END = "。！？!?；;：:，,"
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(slots=True)
class TitleFacts:
    speaker: str | None = None
    organization: str | None = None
    event: str | None = None
    genre: str | None = None


def looks_like_title(line: str) -> bool:
    """A short line with Chinese text that does not end like a sentence or a salutation."""
    line = line.strip()
    return 4 <= len(line) <= 60 and bool(_CJK.search(line)) and line[-1] not in _SENTENCE_END and "。" not in line


def strip_stray_suffix(line: str) -> str:
    """'…的讲话1' → '…的讲话': a digit left over from a numbered list or file name."""
    return re.sub(r"(?<=[\u4e00-\u9fff）)])\s*\d{1,2}$", "", line.strip())


def _genre_of(text: str) -> str | None:
    for genre in GENRES:
        if genre in text:
            return "发言材料" if genre == "发言" else genre
    return None


def parse_title(title: str | None) -> TitleFacts:
    """'市委书记在全市组织工作会议上的讲话' → speaker 市委书记, event 全市组织工作会议, genre 讲话."""
    facts = TitleFacts()
    if not title:
        return facts
    core = re.sub(r"[（(][^）)]*[）)]$", "", title.strip())
    facts.genre = _genre_of(core)
    m = _WHO_AT_EVENT.match(core)
    if not m:
        return facts
    who = m.group("who").strip()
    facts.event = m.group("event").strip() or None
    if who.endswith(_POSTS):
        facts.speaker = who
    elif who.endswith(ORG_SUFFIXES):
        facts.organization = who
    else:
        facts.speaker = who
    return facts
