"""Article pages through trafilatura: body paragraphs and the page title."""
from ingest.extract import extract_html

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
