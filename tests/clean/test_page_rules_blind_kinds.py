"""Leak kinds found on a blind set of real pages (issue 16): spaced edition citations, review-chain
credits, bracketed site disclaimers, contributed-by lines, app promos, topic tags, arrowed teaser
runs and collection notices. Lines are written here; each rule is tested as a kind."""
import pytest

from ingest.clean.page_rules import apply_page_rules
from ingest.model import Extracted
from page_rule_cases import BODY, assert_tail_line_removed, tail


_tail = tail


TAIL_CASES = [
    # an edition citation with spaces inside the brackets and the title marks, date and page in brackets
    ("page.print_edition", "《 江南日报 》（ 2024年06月11日　 第 7 版）",
     {"print_edition": "《江南日报》2024-06-11 第7版", "source_name": "江南日报"}),
    ("page.print_edition", "《江南晚报》（2024年08月03日　03版）",
     {"print_edition": "《江南晚报》2024-08-03 第3版", "source_name": "江南晚报"}),
    ("page.print_edition", "（《江南日报》（2023年1月9日第B2版））", {"print_edition": "《江南日报》2023-01-09 第B2版"}),
    # the review chain of a city or government portal
    ("page.credit_fields", "本网编辑：林晓　　一审：陈默　二审：吴天　三审：郑远", {"editor": "林晓"}),
    ("page.credit_fields", "本站编辑 | 周平　初审：陈默　复审：吴天　终审：郑远", {"editor": "周平"}),
    ("page.credit_fields", "初审：陈默　复审：吴天　终审：郑远", {"editor": "陈默"}),
    # a site disclaimer headed by a bracketed 声明, or opening with 凡本网注明
    ("page.platform_disclaimer", "【网站声明】凡本网注明“来源：江南网”的作品，版权均属于江南网，"
                                 "任何单位或个人未经本网书面授权不得转载、摘编或以其他方式使用。", {}),
    ("page.platform_disclaimer", "[免责声明] 本站部分图文来自网络，转载目的在于传递信息，如有不妥请联系我们。", {}),
    ("page.platform_disclaimer", "凡本站注明“来源：江南在线”的所有文字、图片和音视频稿件，版权均属江南在线所有。", {}),
    # the office that contributed the story or the pictures
    ("page.contributed_source", "（江南县水利局　供稿）", {"source_name": "江南县水利局"}),
    ("page.contributed_source", "(县委宣传部、县文明办供稿)", {"source_name": "县委宣传部、县文明办"}),
    ("page.contributed_source", "（本文由江南镇人民政府提供）", {"source_name": "江南镇人民政府"}),
    ("page.contributed_source", "江南县融媒体中心供稿", {"source_name": "江南县融媒体中心"}),
    ("page.contributed_photo", "（图片由江南县文旅局提供）", {"photo_source": "江南县文旅局"}),
    ("page.contributed_photo", "（江南镇 供图）", {"photo_source": "江南镇"}),
    # a source followed by an app promo, or the promo alone
    ("page.app_promo", "（本文来自江南潮新闻，更多原创资讯请下载“江南潮”APP）", {"source_name": "江南潮新闻"}),
    ("page.app_promo", "更多精彩内容，请下载江南新闻客户端", {}),
    ("page.app_promo", "下载“江南号”App，查看更多本地新闻", {}),
    # a line made of topic tags
    ("page.topic_tags", "# 乡村振兴　# 人居环境　# 江南镇", {}),
    ("page.topic_tags", "#基层治理# #网格化管理#", {}),
    ("page.topic_tags", "#人居环境整治", {}),
    # a collection notice of the platform
    ("page.collection_notice", "本文已被收录到“乡村振兴”专题", {}),
    ("page.collection_notice", "收录于合集 #基层治理 12个", {}),
]


@pytest.mark.parametrize("rule_id,line,meta", TAIL_CASES)
def test_tail_line_is_removed_recorded_and_moved(rule_id, line, meta):
    assert_tail_line_removed(rule_id, line, meta)


def test_a_magazine_citation_closing_the_last_paragraph_stays_body():
    # dev-set convention: `…。（刊于《某刊》2019年第24期）` at the end of the last paragraph is body
    last = BODY[-1] + "（刊于《江南文摘》2019年第12期）"
    out = _tail(body=[*BODY[:-1], last])
    assert out.paragraphs == [*BODY[:-1], last]
    assert out.hits == []


def test_an_arrowed_teaser_run_under_a_reading_list_heading_goes_whole():
    teasers = ["→ 江南县文化馆开展非遗进校园活动", "→ 周末去哪儿？这份文艺地图你收好了吗？",
               "▶ 全县秋粮收购进度过半，农户：价格公道", "➤ 江南镇：一条老街的新生"]
    out = _tail("推荐阅读", *teasers)
    assert out.paragraphs == BODY
    assert [h.removed for h in out.hits] == ["推荐阅读", *teasers]


def test_the_arrowed_run_stops_at_a_body_line():
    out = _tail("推荐阅读", "→ 江南县文化馆开展非遗进校园活动", "你家附近有这样的书店吗？")
    assert out.paragraphs == [*BODY, "你家附近有这样的书店吗？"]


@pytest.mark.parametrize("line", [
    "群众只需下载“江南办”APP，就能在线办理社保、医保等二十多项业务。",
    "这些故事收录于《江南民间故事集》，成为孩子们的乡土教材。",
    "（数据截至2024年6月底）",
    "（作者系江南大学教授）",
    "（以上数据由县统计局提供）",
    "村里的志愿者#号服务队（第3队）负责清扫河道。",
    "【严正声明】近日有人冒用我镇名义招聘，请广大群众提高警惕，谨防上当受骗。",
    "老党员李大爷说：“我们镇提供的服务越来越贴心了。”",
])
def test_body_lines_like_these_kinds_stay(line):
    out = _tail(line)
    assert out.paragraphs == [*BODY, line]
    assert out.hits == []


def test_a_markdown_heading_in_a_plain_text_is_no_tag_line():
    from ingest.clean import clean
    lines = ["同志们：", "今天我们召开全市组织工作会议。", "# 结束语", "希望大家以更加饱满的热情投入工作。"]
    out = clean(Extracted(paragraphs=list(lines), extractor="text"))
    assert "# 结束语" in out.paragraphs


@pytest.mark.parametrize("post", [
    ["#随手拍#"],
    ["#读书", "最近读完一本讲乡村振兴的书，挺有收获～", "https://example.cn/book"],
])
def test_tags_of_a_short_post_are_the_post(post):
    # dev-set convention: a forum or microblog post's own tags are body; only a page's foot loses them
    out = apply_page_rules(Extracted(paragraphs=list(post)))
    assert out.paragraphs == post
