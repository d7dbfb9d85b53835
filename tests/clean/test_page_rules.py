"""The page rule pack: every rule fires on its pattern, leaves body text alone, and is versioned."""
import pytest

from ingest.clean import page_rules
from ingest.clean.page_rules import PAGE_RULES, PAGE_RULES_VERSION, apply_page_rules
from ingest.model import Extracted

BODY = "会议强调，要坚持以人民为中心的发展思想，扎实推进各项民生工程，确保取得实效。"

CASES = [
    ("page.meta_fields", "责任编辑：张三", {"editor": "张三"}),
    ("page.meta_fields", "[责任编辑：张三]", {"editor": "张三"}),
    ("page.meta_fields", "（编辑：李四）", {"editor": "李四"}),
    ("page.meta_fields", "来源：某某日报　编辑：王五　终审：赵六", {"source_name": "某某日报", "editor": "王五"}),
    ("page.meta_fields", "稿源：某某网 作者：钱七 责编：孙八", {"source_name": "某某网", "author": "钱七"}),
    ("page.meta_fields", "来源 | 某某客户端", {"source_name": "某某客户端"}),
    ("page.meta_fields", "2024-05-15 08:58:52来源：某某网", {"source_name": "某某网"}),
    ("page.meta_fields", "2024年06月05日08:21 | 来源：某某网－某地频道", {"source_name": "某某网－某地频道"}),
    ("page.platform_disclaimer", "本文为某号作者或机构在某平台上传并发布，仅代表该作者或机构观点。", {}),
    ("page.platform_disclaimer", "某网声明：此消息系转载自合作媒体，登载此文出于传递更多信息之目的，并不意味着赞同其观点。", {}),
    ("page.back_to_portal", "返回某网，查看更多", {}),
    ("page.source_sentence", "本文来源于某某商报 2024-05-20 09:47:48", {"source_name": "某某商报"}),
    ("page.original_title", "原标题：某地召开某会议", {"original_title": "某地召开某会议"}),
    ("page.photo_credit", "工人们在车间里忙碌。 新华社记者 吴十 摄", {}),
    ("page.photo_agency_credit", "新华社发", {}),
    ("page.photo_credit", "新华社发（郑一摄）", {}),
    ("page.image_source", "图源：网络", {}),
    ("page.meta_fields", "图片来源：网络", {"photo_source": "网络"}),
    ("page.share_bar", "分享到：微信 微博 QQ空间", {}),
    ("page.prev_next", "上一篇：某地举办某活动", {}),
    ("page.related_list", "相关阅读", {}),
    ("page.platform_disclaimer", "特别声明：以上内容为自媒体平台用户上传并发布，本平台仅提供信息存储服务。", {}),
    ("page.copyright", "Copyright © 2000-2024 某某网 All Rights Reserved.", {}),
    ("page.wechat_follow", "点击上方蓝字关注我们", {}),
    ("page.wechat_follow", "长按识别二维码，关注我们", {}),
    ("page.social_actions", "点赞 在看 分享", {}),
    ("page.ui_label", "展开全部", {}),
    ("page.engagement_prompt", "觉得有用就点个赞吧", {}),
    ("forum.moderator_notice", "本主题由 版主 于 2024-3-2 19:24 设置高亮", {}),
    ("forum.view_counter", "查看: 7349|回复: 12", {}),
    ("forum.pager", "页: [1] 2", {}),
    ("forum.full_version", "查看完整版本: 某某帖子标题", {}),
    ("forum.post_actions", "回复 引用 举报", {}),
    ("page.end_mark", "【END】", {}),
    ("page.lone_counter", "12", {}),
    ("forum.client_tail", "来自Android客户端", {}),
]


HEAD_CASES = [
    ("page.reporter_credit", "某某社记者 周九", {"author": "周九"}),
]


@pytest.mark.parametrize("rule_id,line,meta", HEAD_CASES)
def test_head_rule_removes_line_and_moves_values(rule_id, line, meta):
    out = apply_page_rules(Extracted(paragraphs=[line, BODY, BODY + "二"]))
    assert out.paragraphs == [BODY, BODY + "二"]
    assert [h.rule_id for h in out.hits] == [rule_id]
    for key, value in meta.items():
        assert out.meta[key] == value


@pytest.mark.parametrize("rule_id,line,meta", CASES)
def test_rule_removes_line_and_moves_values(rule_id, line, meta):
    # Tail rules only look at the last lines, so the boilerplate goes after the body.
    out = apply_page_rules(Extracted(paragraphs=[BODY, BODY + "二", line]))
    assert out.paragraphs == [BODY, BODY + "二"]
    assert [h.rule_id for h in out.hits] == [rule_id]
    assert out.hits[0].removed == line
    for key, value in meta.items():
        assert out.meta[key] == value


@pytest.mark.parametrize("rule_id,text,expected", [
    ("forum.edit_status", "本帖最后由 某人 于 2021-4-14 17:01 编辑 " + BODY, BODY),
    ("forum.copy_link", "[复制链接]" + BODY, BODY),
    ("page.correction_buttons", BODY + "【纠错】", BODY),
    ("page.end_mark_inline", BODY + "(完)", BODY),
    ("forum.continues_marker", BODY + "（未完，见下楼）", BODY),
    ("forum.continuation_marker", "接上楼：" + BODY, BODY),
])
def test_strip_rules_cut_inside_a_paragraph(rule_id, text, expected):
    out = apply_page_rules(Extracted(paragraphs=[text]))
    assert out.paragraphs == [expected]
    assert out.hits[0].rule_id == rule_id


def test_leads_and_trailing_credits_inside_body_are_kept():
    paras = ["新华社北京5月9日电（记者 某某）" + BODY, "时间：本周五下午三点，地点：县委礼堂。",
             "时间：2024年5月20日上午9时 地点：县委礼堂三楼会议室",
             BODY + "（评论员 某某）", "编辑部的同志们辛苦了，感谢大家一年来的努力工作。"]
    out = apply_page_rules(Extracted(paragraphs=paras))
    assert out.paragraphs == paras
    assert out.hits == []


def test_title_repeat_is_dropped_and_title_kept_apart():
    out = apply_page_rules(Extracted(paragraphs=["某县召开某会议", BODY], title="某县召开某会议_某某网"))
    assert out.paragraphs == [BODY]
    assert out.title == "某县召开某会议_某某网"
    assert out.hits[0].rule_id == "page.title_repeat"


def test_rule_ids_unique_and_version_tracks_content(tmp_path, monkeypatch):
    ids = [r.id for r in PAGE_RULES]
    assert len(ids) == len(set(ids))
    assert PAGE_RULES_VERSION.startswith("page-v")
    source = (page_rules.resources.files("ingest.data.rules") / "page_rules.yaml").read_text("utf-8")
    changed = tmp_path / "page_rules.yaml"
    changed.write_text(source.replace("max_len: 12", "max_len: 13", 1), "utf-8")
    monkeypatch.setattr(page_rules.resources, "files", lambda pkg: tmp_path)
    version = page_rules._load()[0]
    assert version != PAGE_RULES_VERSION


@pytest.mark.parametrize("rule_id,line", [
    ("page.mobile_qr", "扫一扫在手机打开当前页"),
    ("page.print_close", "打印本页 关闭窗口"),
    ("page.related_list", "相关链接"),
])
def test_gov_page_tools(rule_id, line):
    out = apply_page_rules(Extracted(paragraphs=[BODY, line]))
    assert out.paragraphs == [BODY]
    assert out.hits[0].rule_id == rule_id


def test_related_heading_in_the_middle_drops_only_the_heading():
    long = BODY * 3
    paras = [long, "相关链接", "某地召开某会议", long + "二", long + "三", long + "四", long + "五", long + "六"]
    out = apply_page_rules(Extracted(paragraphs=paras))
    assert out.paragraphs == [p for p in paras if p != "相关链接"]
    assert [h.rule_id for h in out.hits] == ["page.related_heading"]


def test_interview_question_is_not_a_byline():
    paras = [BODY, "记者：请问今年的重点工作是什么？", "答：主要有三个方面。"]
    assert apply_page_rules(Extracted(paragraphs=paras)).paragraphs == paras


def test_quote_header_takes_the_quoted_excerpt_with_it():
    paras = ["某网友 发表于 2024-4-16 10:09", "同志们，今天我们召开 ...", BODY]
    out = apply_page_rules(Extracted(paragraphs=paras))
    assert out.paragraphs == [BODY]
    assert [h.rule_id for h in out.hits] == ["forum.quote_header", "forum.quote_header"]


def test_every_rule_has_a_test():
    from pathlib import Path
    source = "".join(p.read_text("utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    assert [r.id for r in PAGE_RULES if f'"{r.id}"' not in source] == []
