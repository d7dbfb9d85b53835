"""Discuz! URLs understood and canonicalised; list pages give threads and paging; thread page counts."""
import pytest

from ingest.sources.discuz import BoardURL, parse_board_url, read_list_page, thread_page_count

ROOT = "http://bbs.example.cn/bbs/"


@pytest.mark.parametrize("url,kind,id_,page,canonical", [
    ("archiver/?fid-2.html", "list", "2", 1, "archiver/?fid-2.html"),
    ("archiver/?fid-2.html&page=3", "list", "2", 3, "archiver/?fid-2.html&page=3"),
    ("archiver/?tid-77.html&page=2", "thread", "77", 2, "archiver/?tid-77.html&page=2"),
    ("archiver/?tid-77-page-2.html", "thread", "77", 2, "archiver/?tid-77-page-2.html"),
    ("forum.php?mod=forumdisplay&fid=2&page=2", "list", "2", 2, "forum.php?mod=forumdisplay&fid=2&page=2"),
    ("forum.php?mod=forumdisplay&fid=2&filter=typeid&typeid=5", "list", "2", 1, "forum.php?mod=forumdisplay&fid=2"),
    ("forum.php?mod=viewthread&tid=77&extra=page%3D1&highlight=%E8%AE%B2#lastpost", "thread", "77", 1,
     "forum.php?mod=viewthread&tid=77"),
    ("forum.php?mod=viewthread&tid=77&extra=page%3D1&page=3", "thread", "77", 3, "forum.php?mod=viewthread&tid=77&page=3"),
    ("forum.php?mod=redirect&tid=77&goto=lastpost#lastpost", "thread", "77", 1, "forum.php?mod=viewthread&tid=77"),
    ("thread-77-2-1.html", "thread", "77", 2, "thread-77-2-1.html"),
    ("forum-2-4.html", "list", "2", 4, "forum-2-4.html"),
    ("viewthread.php?tid=77&extra=page%3D1", "thread", "77", 1, "viewthread.php?tid=77"),
    ("forumdisplay.php?fid=2&page=2", "list", "2", 2, "forumdisplay.php?fid=2&page=2"),
])
def test_board_urls(url, kind, id_, page, canonical):
    b = parse_board_url(ROOT + url)
    assert (b.kind, b.id, b.page, b.root) == (kind, id_, page, ROOT)
    assert b.url == ROOT + canonical


def test_one_thread_is_one_thread():
    urls = ["forum.php?mod=viewthread&tid=9&extra=page%3D2", "forum.php?mod=viewthread&tid=9&highlight=x#lastpost",
            "thread-9-1-1.html", "forum.php?mod=redirect&tid=9&goto=lastpost#lastpost"]
    assert len({parse_board_url(ROOT + u).key for u in urls}) == 1


def test_not_discuz():
    for url in ("http://h/news/a.html", "http://h/forum.php?mod=space&uid=1", "http://h/archiver/x.html"):
        assert parse_board_url(url) is None


def test_list_page_threads_and_paging():
    page = BoardURL(ROOT, "list", "2", 1, "x")
    html = """<html><body>
      <a href="forum.php?mod=viewthread&amp;tid=5&amp;extra=page%3D1">A</a>
      <a href="forum.php?mod=viewthread&amp;tid=5&amp;extra=page%3D1&amp;page=2">2</a>
      <a href="forum.php?mod=redirect&amp;tid=5&amp;goto=lastpost#lastpost">last</a>
      <a href="thread-6-1-1.html">B</a>
      <a href="forum.php?mod=forumdisplay&amp;fid=2&amp;page=2">2</a>
      <a href="forum.php?mod=forumdisplay&amp;fid=2&amp;page=1">1</a>
      <a href="forum.php?mod=forumdisplay&amp;fid=9">other board</a>
      <a href="http://elsewhere.cn/forum.php?mod=viewthread&amp;tid=7">other site</a></body></html>"""
    found = read_list_page(html, page)
    assert [t.url for t in found.threads] == [ROOT + "forum.php?mod=viewthread&tid=5", ROOT + "thread-6-1-1.html"]
    assert [b.page for b in found.lists] == [2]


def test_index_page_yields_boards():
    index = BoardURL(ROOT, "index", "", 1, "archiver")
    html = '<a href="?fid-2.html">A</a><a href="?fid-3.html">B</a><a href="?tid-4.html">t</a>'
    found = read_list_page(html, index)
    assert sorted(b.id for b in found.lists) == ["2", "3"] and [t.id for t in found.threads] == ["4"]


def test_thread_page_count_from_links_and_text():
    page = BoardURL(ROOT, "thread", "5", 1, "x")
    html = ('<div class="pg"><strong>1</strong><a href="forum.php?mod=viewthread&amp;tid=5&amp;page=2">2</a>'
            '<a href="forum.php?mod=viewthread&amp;tid=5&amp;page=7">... 7</a>'
            '<a href="forum.php?mod=viewthread&amp;tid=6&amp;page=30">other thread</a></div>')
    assert thread_page_count(html, page) == 7
    assert thread_page_count('<span title="共 4 页"> / 4 页</span>', page) == 4
    assert thread_page_count("<p>no pager</p>", page) == 1


def test_forumdisplay_rows_only_when_the_page_has_them():
    page = BoardURL(ROOT, "list", "2", 1, "x")
    html = """<div id="hot"><a href="forum.php?mod=viewthread&amp;tid=900">hot thread of another board</a></div>
      <table><tbody id="stickthread_8"><tr><th><a href="forum.php?mod=viewthread&amp;tid=8">sticky</a></th></tr></tbody>
      <tbody id="normalthread_5"><tr><th><a href="forum.php?mod=viewthread&amp;tid=5&amp;extra=page%3D1">A</a></th></tr></tbody>
      </table><div class="pg"><a href="forum.php?mod=forumdisplay&amp;fid=2&amp;page=2">2</a></div>"""
    found = read_list_page(html, page)
    assert [t.id for t in found.threads] == ["8", "5"] and [b.page for b in found.lists] == [2]
