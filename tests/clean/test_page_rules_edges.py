"""Credits, print editions, share/copyright prompts and toolbars at the edges of a page (issue 16)."""
from datetime import datetime

import pytest

from ingest.clean import page_rules
from ingest.clean.page_rules import apply_page_rules
from ingest.model import Extracted
from page_rule_cases import BODY, assert_tail_line_removed, tail


_tail = tail


def _head(line: str, body=BODY):
    return apply_page_rules(Extracted(paragraphs=[line, *body]))


TAIL_CASES = [
    # by-lines and production credits: bars, 丨, spaces inside the key, several credits on a line
    ("page.meta_fields", "责任编辑 | 林晓", {"editor": "林晓"}),
    ("page.meta_fields", "编 辑：周平", {"editor": "周平"}),
    ("page.meta_fields", "责　编：周平", {"editor": "周平"}),
    ("page.meta_fields", "审核丨陈默", {"editor": "陈默"}),  # a reviewer stands in for a missing editor
    ("page.meta_fields", "校对｜吴天", {"editor": "吴天"}),
    ("page.meta_fields", "监制：郑远", {"editor": "郑远"}),
    ("page.meta_fields", "作者丨何一鸣", {"author": "何一鸣"}),
    ("page.meta_fields", "▌来源：江南日报", {"source_name": "江南日报"}),
    ("page.meta_fields", "来源：江南日报 记者 王涛", {"source_name": "江南日报", "author": "王涛"}),
    ("page.meta_fields", "来源：江南日报记者 王涛 李可", {"source_name": "江南日报", "author": "王涛 李可"}),
    ("page.credit_fields", "排版 | 许晴", {}),
    ("page.credit_fields", "联系电话：0571-12345678", {}),
    ("page.credit_fields", "编辑：周平　排版：许晴　审核：陈默", {"editor": "周平"}),
    ("page.credit_fields", "策划 刘一　统筹 陈二　美编 张三", {}),
    ("page.credit_fields", "来源 江南日报 记者 王涛", {"source_name": "江南日报", "author": "王涛"}),
    ("page.credit_fields", "投稿邮箱：tougao@jiangnan.example.cn", {}),
    # print-edition citations, spacing varying inside the brackets
    ("page.print_edition", "（《江南日报》2024年05月20日 05 版）",
     {"print_edition": "《江南日报》2024-05-20 第5版", "source_name": "江南日报"}),
    ("page.print_edition", "( 《江南日报》 2024 年 5 月 20 日  第05版 )", {"print_edition": "《江南日报》2024-05-20 第5版"}),
    ("page.print_edition", "——摘自《江南晚报》2023年12月1日A3版", {"print_edition": "《江南晚报》2023-12-01 第A3版"}),
    ("page.print_edition", "原载《江南日报》第 7 版", {"print_edition": "《江南日报》 第7版"}),
    # source lines, share prompts, reading recommendations, copyright and platform disclaimers
    ("page.source_sentence", "（文章转载自江南观察）", {"source_name": "江南观察"}),
    ("page.share_prompt", "觉得有用，转发给身边的朋友吧", {}),
    ("page.share_prompt", "欢迎分享到朋友圈", {}),
    ("page.reprint_notice", "本文为江南观察原创，转载请注明出处。", {}),
    ("page.reprint_notice", "未经许可，严禁转载", {}),
    ("page.reprint_notice", "图片来自网络，如有侵权请联系删除", {}),
    ("page.reprint_notice", "本文版权归江南观察所有", {}),
    ("page.copyright", "© 江南观察 2024", {}),
    ("page.platform_disclaimer", "文章内容不代表本站观点。", {}),
    ("page.wechat_follow", "欢迎关注江南观察！", {}),
    ("page.engagement_prompt", "点个“在看”，你最好看", {}),
    ("page.social_actions", "阅读 1024", {}),
    ("page.end_mark", "— END —", {}),
]


@pytest.mark.parametrize("rule_id,line,meta", TAIL_CASES)
def test_tail_line_is_removed_recorded_and_moved(rule_id, line, meta):
    assert_tail_line_removed(rule_id, line, meta)


HEAD_CASES = [
    ("page.dateline", "2024-05-20 09:30 星期一", {"published_at": datetime(2024, 5, 20, 9, 30)}),
    ("page.dateline", "原创 2024年5月20日 09:30 · 江南观察", {"published_at": datetime(2024, 5, 20, 9, 30)}),
    ("page.toolbar", "A+ A- 打印本页", {}),
    ("page.toolbar", "字体大小：大 | 中 | 小　　打印　关闭", {}),
    ("page.toolbar", "语音播报", {}),
    ("page.print_edition", "江南日报 2024年05月20日 第 A05 版 要闻", {"print_edition": "《江南日报》2024-05-20 第A5版"}),
    ("page.meta_fields", "发布时间 ： 2024-05-20　来源 ｜ 江南发布", {"source_name": "江南发布",
                                                            "published_at": datetime(2024, 5, 20)}),
]


@pytest.mark.parametrize("rule_id,line,meta", HEAD_CASES)
def test_head_line_is_removed_recorded_and_moved(rule_id, line, meta):
    out = _head(line)
    assert out.paragraphs == BODY
    assert [h.rule_id for h in out.hits] == [rule_id]
    for key, value in meta.items():
        assert out.meta[key] == value


def test_inline_edition_citation_is_cut_from_the_last_paragraph():
    last = BODY[-1] + "（《江南日报》2024年05月20日 05 版）"
    out = apply_page_rules(Extracted(paragraphs=[*BODY[:-1], last]))
    assert out.paragraphs == BODY
    assert [h.rule_id for h in out.hits] == ["page.print_edition_inline"]
    assert out.meta["print_edition"] == "《江南日报》2024-05-20 第5版"
    assert out.meta["published_fallback"] == datetime(2024, 5, 20)


def test_recommendation_heading_takes_its_teaser_titles_and_zones_move():
    # Ten teaser titles push the credit line out of the tail zone; once the list is gone it is in.
    titles = [f"江南镇第{n}期环境整治观察" for n in "一二三四五六七八九十"]
    paras = [*BODY, "编辑丨周平", "▼往期推荐▼", *titles, "点击“在看”，让更多人看到"]
    out = apply_page_rules(Extracted(paragraphs=paras))
    assert out.paragraphs == BODY
    assert out.meta["editor"] == "周平"
    rules = [h.rule_id for h in out.hits]
    # the prompt after the list goes with it (a short line without a full stop)
    assert rules.count("page.related_list") == 12 and "page.meta_fields" in rules


def test_credit_keys_in_the_middle_of_the_body_stay():
    # A production key only counts at the edges; sentences that mention 编辑/转发/侵权 stay anywhere.
    long_body = [f"{BODY[0]}{BODY[1]}（第{n}部分）" for n in range(12)]
    middle = ["排版：许晴", "联系电话：0571-12345678"]
    paras = long_body[:6] + middle + long_body[6:]
    assert apply_page_rules(Extracted(paragraphs=paras)).paragraphs == paras
    sentences = ["编辑部的同志们辛苦了，感谢大家一年来的努力工作。",
                 "我们要把好的经验分享给更多的人。",
                 "未经批准，任何单位不得擅自占用耕地。",
                 "要加大知识产权保护力度，严厉打击侵权假冒行为。"]
    for line in sentences:
        assert _tail(line).paragraphs == [*BODY, line], line


def test_reporter_in_a_source_value_only_splits_on_the_word_reporter():
    out = _tail("来源：江南日报社")
    assert out.meta["source_name"] == "江南日报社" and "author" not in out.meta


def test_unknown_key_glued_in_a_value_is_not_taken_as_the_value():
    # `编辑：甲 制版：乙` with a key the pack lacks: the line is not split wrongly (and stays).
    out = _tail("编辑：周平 制版：许晴")
    assert out.paragraphs == [*BODY, "编辑：周平 制版：许晴"]
    assert "editor" not in out.meta


@pytest.mark.parametrize("lines,head,tail", [
    (["短"] * 12, 6, 4),                          # short lines: the char budget widens the zones
    (["长" * 200] * 12, 2, 2),                    # long paragraphs: the line counts hold
    (["长" * 200] * 3, 2, 2),                     # a short page: each zone covers at most half
    (["长" * 200], 1, 1),
])
def test_zones_by_lines_and_characters(lines, head, tail, monkeypatch):
    monkeypatch.setattr(page_rules, "HEAD_ZONE", page_rules.Zone(2, 6))
    monkeypatch.setattr(page_rules, "TAIL_ZONE", page_rules.Zone(2, 4))
    end, start = page_rules._zones(lines)
    assert end == head and len(lines) - start == tail
