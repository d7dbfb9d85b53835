"""Cleaning v1: each rule on the noise found in the sample texts, with hits and metadata."""
from datetime import datetime

from ingest.clean import clean, has_masking, parse_datetime
from ingest.clean.punctuation import to_fullwidth
from ingest.model import Extracted

BODY = ["同志们：今天我们召开全市组织工作会议。", "发言完毕，谢谢大家！"]


def _clean(lines, title=None):
    return clean(Extracted(paragraphs=list(lines), title=title))


def test_forum_archiver_copy_loses_header_pager_and_footer():
    out = _clean(["秘途杂谈 发表于 2024-7-4 09:18:46", "市委书记在全市组织工作会议上的讲话", *BODY,
                  "页: [1]", "查看完整版本: 市委书记在全市组织工作会议上的讲话"])
    assert out.paragraphs == BODY
    assert out.title == "市委书记在全市组织工作会议上的讲话"
    assert out.meta["poster"] == "秘途杂谈"
    assert out.meta["published_at"] == datetime(2024, 7, 4, 9, 18, 46)
    rules = [h.rule_id for h in out.hits]
    assert {"forum.poster_header", "forum.pager", "forum.full_version_link"} <= set(rules)


def test_edit_notice_is_removed():
    out = _clean(["本帖最后由 老王 于 2024-7-5 10:01 编辑", *BODY])
    assert out.paragraphs == BODY and out.hits[0].rule_id == "forum.edit_notice"


def test_news_footer_moves_into_metadata():
    out = _clean([*BODY, "稿源:荆楚网(湖北日报网)", "作者:毛俊(工委组织部部长)", "责编:王舒娴"])
    assert out.paragraphs == BODY
    assert out.meta["source_name"] == "荆楚网(湖北日报网)"
    assert out.meta["author"] == "毛俊(工委组织部部长)"
    assert out.meta["editor"] == "王舒娴"
    assert [h.rule_id for h in out.hits] == ["news.footer_field"] * 3


def test_combined_footer_line():
    out = _clean([*BODY, "来源：新华网　编辑：张三"])
    assert out.paragraphs == BODY and out.meta["source_name"] == "新华网" and out.meta["editor"] == "张三"


def test_footer_words_inside_the_body_are_kept():
    lines = ["第一段。", "来源：群众的评价是第一标准。", "第三段。", "第四段。", "第五段。", "第六段。",
             "第七段。", "第八段。", "第九段。", "第十段。"]
    assert _clean(lines).paragraphs == lines


def test_repeated_title_with_stray_digit():
    out = _clean(["市委书记在全市组织工作会议上的讲话1", "市委书记在全市组织工作会议上的讲话", *BODY])
    assert out.title == "市委书记在全市组织工作会议上的讲话"
    assert out.paragraphs == BODY
    assert [(h.rule_id, h.removed) for h in out.hits] == [("title.repeated_line", "市委书记在全市组织工作会议上的讲话1")]


def test_text_without_title_keeps_first_paragraph():
    lines = ["6月28日至29日，全国组织工作会议在京召开。习近平总书记作出重要指示。", "第二段。"]
    out = _clean(lines)
    assert out.title is None and out.paragraphs == lines


def test_ascii_punctuation_between_chinese_becomes_fullwidth():
    out = _clean(['同志们:今天,我们学习"两个确立"(专题)!营收1.99万亿元,时间09:18'])
    assert out.paragraphs == ["同志们：今天，我们学习“两个确立”（专题）！营收1.99万亿元，时间09:18"]


def test_each_ascii_mark_is_turned_alone():
    # the conversions run only where their own character stands: each one alone still converts
    alone = {"会议召开.下午": "会议召开。下午", "学习\"两个确立\"精神": "学习“两个确立”精神",
             "专题(第一期)学习": "专题（第一期）学习", "你好?再见": "你好？再见", "同志们;大家": "同志们；大家",
             "版本1.2.3": "版本1.2.3", "(a) b": "(a) b"}
    assert [to_fullwidth(text) for text in alone] == list(alone.values())


def test_masking_markers_stay_and_set_flag():
    out = _clean(["尊敬的**书记，各位领导：", "*户监管企业在XX大精神指引下，x市发展良好。"])
    assert "**书记" in out.text and "*户" in out.text and "XX大" in out.text and "x市" in out.text
    assert out.has_masking
    assert not has_masking("坚持和发展中国特色社会主义，COVID-19 疫情后 Xi'an 经济恢复。")


def test_title_facts():
    out = _clean(["市国资委在全市组织工作会议上的汇报发言材料", *BODY])
    assert (out.facts.organization, out.facts.event, out.facts.genre) == ("市国资委", "全市组织工作会议", "汇报发言")
    out = _clean(["组织部长在市委理论学习中心组集体学习会上的交流发言(新质生产力专题)", *BODY])
    assert (out.facts.speaker, out.facts.event, out.facts.genre) == ("组织部长", "市委理论学习中心组集体学习会", "交流发言")


def test_parse_datetime_forms():
    assert parse_datetime("2024年7月4日") == datetime(2024, 7, 4)
    assert parse_datetime("发布时间：2023-08-15 10:20") == datetime(2023, 8, 15, 10, 20)
    assert parse_datetime("no date") is None


def test_traditional_forum_header_with_user_on_the_line_above():
    out = _clean(["辦公室小李", "發表於 2022-3-19 07:54:38 | 只看該作者 | 倒序瀏覽", "本帖最後由 辦公室小李 於 2022-3-19 08:00 編輯",
                  "同志們：今天我們召開會議。", "回覆 引用 舉報", "發言完畢，謝謝大家！", "頁: [1]"])
    assert out.paragraphs == ["同志們：今天我們召開會議。", "發言完畢，謝謝大家！"]
    assert out.title is None
    assert out.meta["poster"] == "辦公室小李"
    assert out.meta["published_at"] == datetime(2022, 3, 19, 7, 54, 38)
    assert [h.rule_id for h in out.hits][:2] == ["forum.poster_name", "forum.poster_header"]


def test_a_short_body_line_before_a_later_header_is_not_taken_as_poster():
    out = _clean(["第一段。", "第二段", "发表于 2022-3-19 07:54:38", "第三段。"])
    assert "第二段" in out.paragraphs
