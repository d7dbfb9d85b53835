"""The gold-free leak detector: flags chrome-like lines at the edges, stays silent on body text."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.evaluation.commands import eval_group
from ingest.evaluation.extraction import evaluate_extraction
from ingest.evaluation.leftovers import classify_line, find_leftovers
from ingest.evaluation.pipeline_eval import pipeline_page_text, trafilatura_page_text

FIXTURES = Path(__file__).parents[1] / "fixtures" / "extraction"
BODY = ["春耕时节，田间地头一派繁忙景象，农技人员深入一线指导农户科学施肥、合理用药。",
        "今年全县计划播种粮食作物五十万亩，目前已完成六成，种子化肥等农资供应充足。",
        "县农业农村局表示，将继续做好技术服务，确保不误农时、应种尽种。"]


@pytest.mark.parametrize("line,kind", [
    ("编辑丨何川", "credit"), ("美 编：小舟", "credit"), ("本报记者 何川", "credit"),
    ("原文链接：https://example.cn/a/1", "credit"), ("联系我们：0000-1234567", "credit"),
    ("热线 0000-1234567", "contact"), ("tougao@example.cn", "contact"),
    ("（《某某晚报》2023年1月2日 第3版）", "edition"),
    ("2024-01-02 08:00 星期二", "date"), ("2024年1月2日 发布于某某客户端", "date"),
    ("转载务必注明来源，否则追究责任。", "copyright"), ("图文来源网络，如涉侵权请告知。", "copyright"),
    ("喜欢就关注我们吧", "share"), ("看完记得转发", "share"),
    ("热门文章", "recommend"), ("【推荐】某某课程限时优惠", "recommend"),
    ("字号 大 中 小", "toolbar"), ("下一篇：某某会议召开", "pager"), ("查看全部12条评论", "comments"),
    ("阅读 3021", "counter"), ("原标题：某某会议召开", "original-title"), ("——完——", "end"),
    ("某某发表于 2024-1-2 10:00", "date"), ("只看该作者", "forum"),
    ("转载自公众号“某某”", "source"), ("摘自某某晚报", "source"), ("（原载《某某文摘》2023年第5期）", "edition"),
    ("責任編輯：某某", "credit"), ("來源丨某某時報", "credit"), ("本文版权归某某所有，转载请联系。", "copyright"),
])
def test_chrome_lines_are_classified(line, kind):
    assert classify_line(line) == kind


@pytest.mark.parametrize("line", [
    *BODY,
    "我们要把好的经验分享给更多的人。",
    "编辑部的同志们辛苦了，感谢大家一年来的努力工作。",
    "要加大知识产权保护力度，严厉打击侵权假冒行为。",
    "同志们：",
    "一、提高政治站位，切实增强责任感",
    "记者：这项工作最大的难点是什么？",
    "2023年，全县粮食总产量再创新高。",
    "版权归作者所有的约定写进了征稿启事，文化馆只在汇编出版时统一取得授权。",
    "版权意识也在增强：所有素材均已取得授权，确保作品合法合规。",
    "选自全市优秀案例汇编，供大家学习参考",
])
def test_body_lines_are_not_flagged(line):
    assert classify_line(line) is None


def test_only_the_edges_are_looked_at():
    lines = BODY * 5
    middle = [*lines[:7], "编辑丨何川", *lines[7:]]
    assert find_leftovers("\n".join(middle)) == []
    found = find_leftovers("\n".join([*lines, "编辑丨何川"]))
    assert [(f.kind, f.where) for f in found] == [("credit", "tail")]


def test_silent_on_every_expected_text_of_the_fixtures():
    for path in FIXTURES.glob("*.expected.txt"):
        assert find_leftovers(path.read_text("utf-8")) == [], path.name


def test_fixture_pages_clean_with_the_pipeline_and_leaky_with_trafilatura_alone():
    ours = evaluate_extraction(FIXTURES, pipeline_page_text)
    assert len(ours.pages) >= 8
    for page in ours.pages:
        assert page.forbidden_hits == [] and page.required_missed == [], page.name
        assert page.score.f1 >= 0.99 and page.leftovers == [], page.name
    # The detector knows nothing of the labels: on trafilatura's output it finds the leaks itself.
    base = evaluate_extraction(FIXTURES, trafilatura_page_text)
    leaky = {p.name for p in base.pages if p.forbidden_hits}
    flagged = {p.name for p in base.pages if p.leftovers}
    assert len(flagged & leaky) >= len(leaky) - 1


def _page(*extra: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in [*BODY, *extra])
    return (f"<html><head><meta charset='utf-8'><title>春耕生产有序推进_示例网</title></head><body>"
            f"<div class='article'><h1>春耕生产有序推进</h1><div class='content'>{paras}</div></div></body></html>")


def test_eval_shows_a_leak_of_a_kind_the_rules_do_not_know(tmp_path):
    # `原文链接：…` is no rule's business yet: it stays in the text, and the detector reports it.
    root = tmp_path / "set"
    root.mkdir()
    (root / "p.html").write_text(_page("原文链接：https://example.cn/a/1"), "utf-8")
    (root / "p.expected.txt").write_text("\n".join(BODY), "utf-8")
    (root / "q.html").write_text(_page("编辑丨何川"), "utf-8")  # a page with no gold at all
    out_json = tmp_path / "r.json"
    result = CliRunner().invoke(eval_group, ["extraction", str(root), "--no-baseline", "--verbose",
                                             "--json", str(out_json)])
    assert result.exit_code == 0, result.output
    assert "原文链接" in pipeline_page_text(root / "p.html")
    assert "leftover tail credit   : 原文链接：https://example.cn/a/1" in result.output
    assert "leftover-like pages=1/2 (lines=1)" in result.output
    assert "unlabelled pages=1" in result.output
    import json
    report = json.loads(out_json.read_text("utf-8"))[0]
    assert report["leftover_pages"] == 1
    assert report["pages"][0]["leftovers"][0]["kind"] == "credit"
    assert report["unlabelled"] == [{"name": "q", "chars": sum(map(len, BODY)), "leftovers": [], "error": None}]


@pytest.mark.parametrize("line", [
    "一、2023年工作回顾", "（二）近期工作回顾", "3. 相关工作推荐", "第一部分 往期工作回顾",
])
def test_numbered_section_headings_are_not_recommendation_lines(line):
    assert classify_line(line) is None


@pytest.mark.parametrize("line,kind", [
    ("# 乡村振兴　# 人居环境", "tags"), ("#基层治理# #网格化#", "tags"),
    ("（江南县水利局　供稿）", "source"),
    ("（本文来自某某新闻，更多资讯请下载“某某”APP）", "app"),
    ("本文已被收录到“某某”专题", "platform"),
])
def test_new_chrome_kinds_are_flagged(line, kind):
    assert classify_line(line) == kind


def test_tags_are_flagged_at_the_foot_not_where_a_post_opens_with_them():
    assert find_leftovers("#随手拍#") == []
    assert find_leftovers("\n".join(["#读书", *BODY])) == []
    found = find_leftovers("\n".join([*BODY, "#读书 #乡村振兴"]))
    assert [(f.kind, f.where) for f in found] == [("tags", "tail")]
