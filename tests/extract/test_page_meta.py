"""Page facts: headlines without site suffixes, trafilatura's guesses only as a fallback."""
import pytest

from ingest.clean.page_rules import apply_page_rules
from ingest.extract import extract_html
from ingest.extract.forum_meta import parse_post_time, strip_site_suffix
from ingest.extract.page_meta import clean_name
from fixtures.pages import BODY


@pytest.mark.parametrize("raw,headline", [
    ("某县召开基层治理推进会_地方频道_示例新闻网", "某县召开基层治理推进会"),
    ("某县召开基层治理推进会-示例网", "某县召开基层治理推进会"),
    ("关于基层治理的讲话 - 经验交流 - 示例论坛 - Powered by Discuz!", "关于基层治理的讲话"),
    ("年度总结 - 文稿交流 -  Powered by Discuz! Archiver", "年度总结"),
    ("新华视界｜某县：数字农机助力生产", "新华视界｜某县：数字农机助力生产"),
])
def test_strip_site_suffix(raw, headline):
    assert strip_site_suffix(raw) == headline


def test_parse_post_time_variants():
    assert parse_post_time("发表于 2024-6-3 09:15:20").isoformat() == "2024-06-03T09:15:20"
    assert parse_post_time("2024年5月1日 10点30分").isoformat() == "2024-05-01T10:30:00"
    assert parse_post_time("昨天") is None


@pytest.mark.parametrize("value,ok", [("王小明", True), ("管理员 关注 来自甘肃", False), ("时间：", False),
                                      ("责任编辑：某", False), ("x" * 30, False)])
def test_clean_name(value, ok):
    assert (clean_name(value) is not None) is ok


def test_byline_beats_metadata_guess():
    html = f"""<html><head><meta charset="utf-8"><meta name="author" content="网站编辑部 关注">
<title>某县召开会议_示例网</title></head><body><div class="content"><h1>某县召开会议</h1>
<div class="byline">作者：李四　来源：示例日报</div>
<p>{BODY[0]}</p><p>{BODY[1]}</p><p>{BODY[2]}</p></div></body></html>"""
    page = apply_page_rules(extract_html(html))
    assert page.title == "某县召开会议"
    assert page.meta["author"] == "李四"
    assert page.meta["source_name"] == "示例日报"
    assert page.paragraphs == BODY
