"""News and WeChat pages: body only, title apart, by-line values in metadata, the lead kept."""
from datetime import datetime

from ingest.clean.page_rules import apply_page_rules
from ingest.encoding import decode_bytes
from ingest.extract import extract_html
from fixtures.pages import BODY, gov_notice, news_article, wechat_article, wechat_sections


def test_news_body_title_and_meta():
    page = apply_page_rules(extract_html(news_article()))
    assert page.title == "全县基层治理工作推进会召开"
    assert page.paragraphs[0].startswith("示例社北京6月5日电（记者 李华）")  # the lead is body
    assert page.paragraphs[1:] == BODY[1:]
    assert page.meta["editor"] == "赵六"
    assert page.meta["source_name"] == "示例日报"
    assert page.meta["author"] == "王小明"
    assert page.meta["original_title"] == "县里开会部署基层治理"
    assert page.meta["published_at"] == datetime(2024, 6, 5, 10, 20)


def test_news_boilerplate_gone():
    text = "\n".join(apply_page_rules(extract_html(news_article())).paragraphs)
    for bad in ("责任编辑", "纠错", "原标题", "上一篇", "下一篇", "相关新闻", "分享到", "Copyright", "ICP"):
        assert bad not in text


def test_news_gbk_page():
    # Real GBK sites write characters outside the charset as numeric references.
    data = news_article(charset="gb2312").encode("gbk", "xmlcharrefreplace")
    text, _ = decode_bytes(data, is_html=True)
    page = apply_page_rules(extract_html(text))
    assert page.paragraphs[1:] == BODY[1:]


def test_wechat_inserts_removed_account_is_source():
    page = apply_page_rules(extract_html(wechat_article()))
    assert page.paragraphs == BODY
    assert page.meta["source_name"] == "示例公众号"
    assert {h.rule_id for h in page.hits} == {"page.wechat_follow"}


def test_photo_caption_under_image_is_dropped():
    html = f"""<html><head><meta charset="utf-8"><title>图片新闻</title></head><body><div class="article">
<p><img src="a.jpg"></p><p>6月1日，在某县一处农田里，农机手驾驶收割机收割小麦。</p>
<p>{BODY[0]}</p><p>{BODY[1]}</p><p>{BODY[2]}</p><p>新华社发（张三摄）</p></div></body></html>"""
    page = apply_page_rules(extract_html(html))
    assert page.paragraphs == BODY


def test_labelled_inline_ad_is_dropped():
    html = f"""<html><head><meta charset="utf-8"><title>t</title></head><body><div class="content">
<p>{BODY[0]}</p><a class="x"><span>广告</span><span>特价课程，限时报名，名师一对一辅导</span></a>
<p>{BODY[1]}</p><p>{BODY[2]}</p></div></body></html>"""
    page = apply_page_rules(extract_html(html))
    assert page.paragraphs == BODY


def test_wechat_sections_are_paragraphs():
    page = apply_page_rules(extract_html(wechat_sections()))
    assert page.paragraphs == BODY
    assert page.extractor == "article.wechat"
    assert page.meta["published_at"] == datetime(2024, 6, 1, 8, 0)


def test_gov_notice_keeps_signature_drops_tools():
    page = apply_page_rules(extract_html(gov_notice()))
    assert page.paragraphs == BODY + ["某县人民政府", "2024年3月1日"]
    assert page.meta["source_name"] == "县政府办公室"


# Test from the foundation (main): a plain speech page.
PAGE = """<html><head><title>市委书记在全市组织工作会议上的讲话</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/news">新闻</a></div>
<article><h1>市委书记在全市组织工作会议上的讲话</h1>
<p>同志们：今天我们召开全市组织工作会议，主要任务是学习贯彻全国组织工作会议精神。</p>
<p>一、深入学习领会，统一思想认识，切实把思想和行动统一到党中央精神上来。</p></article>
<div class="footer">版权所有 某某网</div></body></html>"""


def test_body_paragraphs_and_title():
    out = extract_html(PAGE)
    assert out.title == "市委书记在全市组织工作会议上的讲话"
    assert any(p.startswith("同志们：今天我们召开") for p in out.paragraphs)
    assert not any("版权所有" in p for p in out.paragraphs)


def test_html_file_without_markup_has_no_body():
    assert extract_html("D" * 4096).paragraphs == []


def test_portal_layouts_body_and_facts():
    import re

    from fixtures.pages import portal_layouts

    for name, html in portal_layouts().items():
        page = apply_page_rules(extract_html(html))
        text = re.sub(r"\s+", "", "".join(page.paragraphs))
        assert text.endswith(BODY[2]), name
        assert re.sub(r"\s+", "", "".join(BODY)) in re.sub(r"（记者张三）|\(记者张三\)|^示例网北京6月5日电", "", text), name
        assert page.title == "某县召开基层治理推进会", name
        assert page.meta["published_at"] == datetime(2024, 6, 5, 8, 21), name
        assert page.meta.get("source_name"), name


def _table_page(cell: str) -> str:
    return ("<html><head><meta charset='utf-8'><title>关于做好防汛准备工作的通知</title></head><body>"
            "<table width='980'><tr><td class='logo'>某县人民政府 门户网站</td></tr>"
            f"<tr><td>{cell}</td></tr></table></body></html>")


def test_a_page_laid_out_in_a_table_keeps_its_paragraphs_apart():
    paras = ["各镇人民政府，县直各单位：",
             "近期我县将进入主汛期，为做好防汛抗旱各项准备工作，确保群众生命财产安全，现将有关事项通知如下。",
             "一、各镇要在五月底前完成河道清障，对病险水库实行限制蓄水，落实巡查责任人。"]
    cell = ("<div class='info'>发布日期：2024-05-06　信息来源：县水利局　浏览次数：128</div>"
            f"<p>{paras[0]}</p><p>{paras[1]}</p><p>{paras[2][:12]}<!--AD_SLOT-->{paras[2][12:]}</p>"
            "<p>某县防汛抗旱指挥部</p><p>2024年5月6日</p>")
    out = extract_html(_table_page(cell)).paragraphs
    start = out.index(paras[0])
    assert out[start:] == [*paras, "某县防汛抗旱指挥部", "2024年5月6日"]  # the text after the comment too
    assert all(p.startswith("发布日期") or "浏览次数" not in p for p in out)


def test_a_data_table_in_an_article_stays_a_table():
    rows = "".join(f"<tr><td>{town}</td><td>{n}万亩</td></tr>" for town, n in (("东镇", 12), ("西镇", 9)))
    body = "".join(f"<p>{p}</p>" for p in BODY)
    page = extract_html("<html><head><meta charset='utf-8'><title>春播进度</title></head><body><article>"
                        f"<h1>春播进度</h1>{body}<table>{rows}</table></article></body></html>")
    assert any("东镇" in p and "12万亩" in p for p in page.paragraphs)  # one row, one line
