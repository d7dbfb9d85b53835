"""The boilerplate rule pack: each rule is data with an id; bump RULES_VERSION on any change."""
from __future__ import annotations

import re
from dataclasses import dataclass

RULES_VERSION = "2026.11.3"  # .3: closing sign-off (signoff.py)

_FIELD_NAMES = "责任编辑|责编|编辑|稿源|稿件来源|来源|作者|记者|通讯员|审核|终审|校对|初审|复审|发布时间|发布日期|时间"
# Which metadata column a footer field fills.
FOOTER_FIELD_TO_META = {
    "责任编辑": "editor", "责编": "editor", "编辑": "editor",
    "稿源": "source_name", "稿件来源": "source_name", "来源": "source_name",
    "作者": "author", "记者": "author",
    "发布时间": "published_at_text", "发布日期": "published_at_text", "时间": "published_at_text",
}


@dataclass(frozen=True)
class LineRule:
    """A whole line that is boilerplate. `gates` are cheap substring tests run before the regex."""

    rule_id: str
    gates: tuple[str, ...]
    pattern: re.Pattern
    description: str
    # Named groups in the pattern whose values move into metadata.
    captures: tuple[str, ...] = ()


# Simplified and traditional spellings: reposts converted to traditional script keep the chrome.
LINE_RULES: tuple[LineRule, ...] = (
    LineRule(
        "forum.poster_header",
        ("发表于", "發表於"),
        re.compile(
            r"^(?:(?P<poster>\S(?:.{0,38}?\S)?)\s*)?(?:发表于|發表於)[:：]?\s*"
            r"(?P<posted>\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s*(?:\|.*)?$"
        ),
        "forum post header 'USER 发表于 TIME' (the user may stand on the line before)",
        ("poster", "posted"),
    ),
    LineRule(
        "forum.edit_notice",
        ("本帖最后由", "本帖最後由"),
        re.compile(r"^本帖最[后後]由\s*.{1,40}?\s*[于於]\s*\d{4}[-/]\d{1,2}[-/]\d{1,2}[\s\d:]*[编編][辑輯]\s*$"),
        "forum edit notice '本帖最后由 X 于 … 编辑'",
    ),
    LineRule(
        "forum.pager",
        ("页", "頁"),
        re.compile(r"^[页頁]\s*[:：]\s*(?:\[?\d+\]?\s*)+$"),
        "archiver pager '页: [1] 2'",
    ),
    LineRule(
        "forum.full_version_link",
        ("查看完整版本",),
        re.compile(r"^查看完整版本\s*[:：]\s*(?P<thread_title>.*)$"),
        "archiver footer '查看完整版本: TITLE'",
        ("thread_title",),
    ),
    LineRule(
        "forum.reply_bar",
        ("回复", "回覆", "引用", "举报", "舉報"),
        re.compile(r"^(?:回复|回覆|引用|举报|舉報|支持|反对|反對|分享|收藏|只看该作者|只看該作者|使用道具|评分|評分)"
                   r"(?:\s*[|｜]?\s*(?:回复|回覆|引用|举报|舉報|支持|反对|反對|分享|收藏|只看该作者|只看該作者|使用道具|评分|評分))+\s*$"),
        "forum action bar '回复 引用 举报'",
    ),
)
POSTER_NAME_RULE_ID = "forum.poster_name"

# A footer line is made only of 'FIELD：value' segments, e.g. '来源：新华网　编辑：张三'.
FOOTER_SEGMENT = re.compile(
    rf"[\[【（(]?\s*(?P<field>{_FIELD_NAMES})\s*[:：]\s*(?P<value>[^\s\]】）)（(　|｜，。！？；]{{1,40}}(?:\s?[（(][^）)]{{1,60}}[）)])?)\s*[\]】）)]?"
)
FOOTER_RULE_ID = "news.footer_field"
FOOTER_GATES = tuple(_FIELD_NAMES.split("|"))
# Footer fields are only believed near the ends of a document, never in the middle of the body.
FOOTER_HEAD_LINES = 3
FOOTER_TAIL_LINES = 6

REPEATED_TITLE_RULE_ID = "title.repeated_line"
