"""Discuz! pages: the first post only, chrome removed, paragraphs kept, thread facts recorded."""
from datetime import datetime

import pytest

from ingest.clean.page_rules import apply_page_rules
from ingest.encoding import decode_bytes
from ingest.extract import extract_html
from fixtures.pages import BODY, discuz_archiver, discuz_touch, discuz_viewthread

FORBIDDEN = ["本帖最后由", "路人甲", "引用别人", "限时特惠", "x7Kq2", "本主题由", "签名", "说得好", "回帖的人",
             "[复制链接]", "查看:", "中级会员", "积分", "只看该作者", "Powered by"]


def run(html: str):
    return apply_page_rules(extract_html(html))


def test_viewthread_first_post_only_with_paragraphs():
    page = run(discuz_viewthread())
    assert page.paragraphs == BODY
    text = "\n".join(page.paragraphs)
    assert not [f for f in FORBIDDEN if f in text]
    assert page.extractor == "discuz.viewthread"


def test_viewthread_meta():
    page = run(discuz_viewthread(page=1, pages=2))
    assert page.meta["poster"] == "林间小道"
    assert page.meta["published_at"] == datetime(2024, 6, 3, 9, 15, 20)
    assert page.meta["thread_title"] == "关于基层治理的讲话"
    assert page.meta["thread_id"] == "5501"
    assert page.meta["page_no"] == 1
    assert page.title == "关于基层治理的讲话"


def test_viewthread_hits_are_recorded():
    page = run(discuz_viewthread())
    rules = {h.rule_id for h in page.hits}
    assert {"discuz.edit_status", "discuz.quote", "discuz.ad", "discuz.jammer"} <= rules


def test_viewthread_gbk_bytes():
    data = discuz_viewthread(charset="gbk").encode("gbk")
    text, charset = decode_bytes(data, is_html=True)
    assert charset == "gb18030"
    assert run(text).paragraphs == BODY


def test_archiver_gbk_first_post_and_meta():
    data = discuz_archiver(page=2, pages=2).encode("gbk")
    page = run(decode_bytes(data, is_html=True)[0])
    assert page.paragraphs == BODY
    assert page.extractor == "discuz.archiver"
    assert page.meta["poster"] == "山水之间"
    assert page.meta["thread_id"] == "7702"
    assert page.meta["page_no"] == 2
    assert page.meta["thread_title"] == "年度工作总结讲稿"
    text = "\n".join(page.paragraphs)
    for bad in ("本帖最后由", "路过的网友", "写得很扎实", "页:", "查看完整版本", "Archiver"):
        assert bad not in text


@pytest.mark.parametrize("container,nav_end", [
    ('<div class="wrap">', "</div>"),  # another archiver skin
    ('<div class="wrap">', "</div"),  # a closing tag without its `>` swallows the container
])
def test_archiver_posts_outside_div_content_still_give_the_first_post_only(container, nav_end):
    page = run(discuz_archiver(charset="utf-8", container=container, nav_end=nav_end))
    assert page.paragraphs == BODY
    assert page.extractor == "discuz.archiver"
    assert page.meta["poster"] == "山水之间"
    text = "\n".join(page.paragraphs)
    for bad in ("路过的网友", "写得很扎实", "页:", "Archiver"):
        assert bad not in text


def test_touch_template():
    page = run(discuz_touch())
    assert page.paragraphs == BODY
    assert page.meta["poster"] == "林间小道"


def test_continuation_markers_removed_and_flagged():
    p1 = run(discuz_viewthread(page=1, pages=2, ending="<br />（未完，见下楼）"))
    assert p1.meta.get("continues") is True
    assert "未完" not in "".join(p1.paragraphs)
    p2 = run(discuz_viewthread(page=2, pages=2, opening="接上楼：", body=["第二页的正文内容在这里继续。"]))
    assert p2.meta.get("continuation") is True
    assert p2.paragraphs == ["第二页的正文内容在这里继续。"]


def test_discuz7_div_message_and_printable():
    old = f"""<html><head><meta charset="gbk"><title>旧版帖子 - 示例论坛 - Powered by Discuz!</title></head><body>
<div id="postlist"><div id="post_11"><table id="pid11"><tr><td class="postauthor"><cite><a href="space.php?uid=3">老版主</a></cite></td>
<td class="postcontent"><div class="postinfo"><em id="authorposton11">发表于 2010-5-1 08:00</em></div>
<div class="t_msgfont" id="postmessage_11">{"<br />".join(BODY)}</div></td></tr></table></div>
<div id="post_12"><table id="pid12"><tr><td class="postauthor"><cite><a>网友</a></cite></td>
<td><div class="t_msgfont" id="postmessage_12">顶一下</div></td></tr></table></div></div></body></html>"""
    page = run(decode_bytes(old.encode("gbk"), is_html=True)[0])
    assert page.paragraphs == BODY
    assert page.meta["poster"] == "老版主"
    printable = f"""<html><head><meta charset="utf-8"><title>关于基层治理的讲话 - 示例论坛 - Powered by Discuz!</title></head><body>
<h1>关于基层治理的讲话</h1><b>作者:</b> 林间小道 &nbsp; <b>时间:</b> 2024-6-3 09:15<br /><br />{"<br />".join(BODY)}
<br /><br /><hr noshade size="2" width="100%" color="#808080" />
<b>作者:</b> 回帖的人 &nbsp; <b>时间:</b> 2024-6-3 11:00<br /><br />说得好<br /><hr /></body></html>"""
    page = run(printable)
    assert page.paragraphs == BODY
    assert page.extractor == "discuz.printable"
    assert page.meta["poster"] == "林间小道"
