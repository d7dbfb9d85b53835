"""Rule pack v3: sources without a key, credits glued to the last paragraph, magazine issues,
traditional-script keys, platform notices, site footers, and body sentences that mention copyright."""
import pytest

from ingest.model import Extracted
from page_rule_cases import BODY, assert_tail_line_removed, tail


_tail = tail


TAIL_CASES = [
    # a source named without a `来源：` key
    ("page.source_tail", "转载自微信公众号“江南观察”", {"source_name": "江南观察"}),
    ("page.source_tail", "（转自：江南发布）", {"source_name": "江南发布"}),
    ("page.source_tail", "摘自江南晚报", {"source_name": "江南晚报"}),
    ("page.source_tail", "本文来自江南号", {"source_name": "江南号"}),
    # a magazine cited by issue
    ("page.print_edition", "（原载《江南文摘》2024年第10期）",
     {"print_edition": "《江南文摘》2024年第10期", "source_name": "江南文摘"}),
    ("page.print_edition", "《江南文摘》第 3 期", {"print_edition": "《江南文摘》第3期"}),
    # traditional-script keys, with the separators and the reporter split of the simplified ones
    ("page.meta_fields", "責任編輯：陳小明", {"editor": "陳小明"}),
    ("page.meta_fields", "來源丨江南時報", {"source_name": "江南時報"}),
    ("page.meta_fields", "來源：江南時報 記者 王大文", {"source_name": "江南時報", "author": "王大文"}),
    ("page.credit_fields", "統籌：李四　美編：王五", {}),
    # more credit and contact keys at the edges
    ("page.credit_fields", "供稿：教务处 摄影：刘青", {"photographer": "刘青"}),
    ("page.credit_fields", "地址：江南市人民路1号　邮编：000000", {}),
    ("page.credit_fields", "学校地址：江南市育才路18号 联系电话：0000-22223333", {}),
    ("page.credit_fields", "办公电话：0000-1234567", {}),
    # platform notices of self-media sites, a reading list headed 阅读推荐
    ("page.platform_disclaimer", "本文由作者上传至平台，不代表平台立场", {}),
    ("page.reprint_notice", "本文来自江南号，仅代表作者观点。江南客户端仅提供信息发布平台。", {}),
    ("page.related_list", "阅读推荐", {}),
    # a site footer whose ICP number comes after the owner, the address and the phone
    ("page.copyright", "江南市人民政府办公室主办　地址：江南市人民路1号　电话：0000-1111111 "
                       "网站标识码：0000000009 备案号：某ICP备00000009号", {}),
    ("page.copyright", "主办：江南市人民政府办公室 地址：江南市人民路1号", {}),
]


@pytest.mark.parametrize("rule_id,line,meta", TAIL_CASES)
def test_tail_line_is_removed_recorded_and_moved(rule_id, line, meta):
    assert_tail_line_removed(rule_id, line, meta)


def test_editor_credit_glued_to_the_last_paragraph_is_cut_and_read_as_a_byline():
    out = _tail(body=[*BODY[:-1], BODY[-1] + "（责任编辑：林晓）"])
    assert out.paragraphs == BODY
    assert [(h.rule_id, h.removed) for h in out.hits] == [("page.inline_credit_tail", "（责任编辑：林晓）")]
    assert out.meta["editor"] == "林晓"


@pytest.mark.parametrize("last", [
    BODY[-1] + "（评论员 林晓）",  # a commentator's signature closing the body is body
    "镇里的做法被写进了经验材料（编辑部整理：见附件）",  # not a by-line key followed by a name
    "这些做法值得推广（来源：群众的智慧，基层的创造）",  # a value with sentence punctuation
])
def test_closing_brackets_that_are_not_credits_stay(last):
    out = _tail(body=[*BODY[:-1], last])
    assert out.paragraphs == [*BODY[:-1], last]
    assert out.hits == []


@pytest.mark.parametrize("line", [
    "选自全市优秀案例汇编的二十个故事，供大家学习参考",  # `选自` + not a medium
    "转自基层的一线经验最管用",
    "摘自群众来信的几句话，道出了大家的心声。",
])
def test_sentences_starting_like_a_source_line_stay(line):
    out = _tail(line)
    assert out.paragraphs == [*BODY, line]
    assert out.hits == []


@pytest.mark.parametrize("line", [
    "版权归作者所有的约定写进了征稿启事，文化馆只在汇编出版时统一取得授权。",
    "版权归作者所有的原则也被写进了章程，受到作者欢迎。",
    "要加大知识产权保护力度，严厉打击侵权假冒行为。",
    "该报告仅代表课题组的阶段性研究成果，最终结论还要经过论证。",
])
def test_body_sentences_about_copyright_stay(line):
    out = _tail(line)
    assert out.paragraphs == [*BODY, line]
    assert out.hits == []


def test_copyright_notice_clause_is_still_a_notice():
    out = _tail("本文版权归江南观察所有，转载请联系授权。")
    assert out.paragraphs == BODY
    assert [h.rule_id for h in out.hits] == ["page.reprint_notice"]


def test_teaser_titles_under_a_reading_list_may_ask_a_question():
    titles = ["江南县文化馆开展非遗进校园活动", "周末去哪儿？这份文艺地图请收好"]
    out = _tail("阅读推荐", *titles)
    assert out.paragraphs == BODY
    assert [h.removed for h in out.hits] == ["阅读推荐", *titles]


def test_a_question_closing_the_body_after_a_reading_list_heading_stays():
    out = _tail("阅读推荐", "江南县文化馆开展非遗进校园活动", "你家附近有这样的书店吗？")
    assert out.paragraphs == [*BODY, "你家附近有这样的书店吗？"]


def test_buttons_of_a_gov_page_are_cut():
    out = _tail(body=[*BODY[:-1], BODY[-1] + "【打印此页】【关闭本页】"])
    assert out.paragraphs == BODY
    assert [h.rule_id for h in out.hits] == ["page.correction_buttons", "page.correction_buttons"]


def _clean_text(lines):
    from ingest.clean import clean
    return clean(Extracted(paragraphs=list(lines), extractor="text"))


SPEECH = ["同志们：", "今天我们召开全市组织工作会议，主要任务是贯彻落实全国组织工作会议精神。",
          "希望大家以更加饱满的热情投入工作。", "谢谢大家！"]


def test_a_plain_text_gets_the_zone_rules_at_its_ends():
    out = _clean_text(["2024年5月20日", *SPEECH, "（原载《江南文摘》2024年第10期）", "责任编辑 | 林晓",
                       "转载自微信公众号“江南观察”"])
    assert out.paragraphs == SPEECH
    assert {h.rule_id for h in out.hits} == {"page.dateline", "page.print_edition", "page.meta_fields",
                                            "page.source_tail"}
    assert out.meta["print_edition"] == "《江南文摘》2024年第10期"
    assert out.meta["editor"] == "林晓"
    assert out.meta["published_at"].date().isoformat() == "2024-05-20"


def test_the_middle_of_a_plain_text_is_never_touched():
    long = SPEECH[1] * 3
    middle = ["责任编辑 | 林晓", "转载自微信公众号“江南观察”", "阅读推荐"]
    lines = [long, long + "一", long + "二", long + "三", *middle, long + "四", long + "五", long + "六",
             long + "七", long + "八", long + "九", long + "十"]
    out = _clean_text(lines)
    assert out.paragraphs == lines
    assert out.hits == []


def test_a_plain_text_the_rules_would_empty_stays_as_it_was():
    assert _clean_text(["责任编辑 | 林晓"]).paragraphs == ["责任编辑 | 林晓"]
