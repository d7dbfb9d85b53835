"""Tieba, Flarum, Homeland, paopao, BBScloud, Q&A and phpwind pages: the starter's post only."""
import pytest

from ingest.clean.page_rules import apply_page_rules
from ingest.extract import extract_html

POST = "各位好，想请教一下：社区议事会的会议纪要一般按什么格式写？谢谢大家。"
REPLY = "这个我知道，一般包括时间地点参会人员和议定事项。"

PAGES = {
    "tieba": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写_示例吧_百度贴吧</title></head><body>
<h3 class="core_title_txt">会议纪要怎么写</h3>
<div id="j_p_postlist" class="p_postlist">
<div class="l_post j_l_post"><div class="d_author"><a class="p_author_name">提问的人</a></div>
<div class="d_post_content_main d_post_content_firstfloor"><div class="p_content"><cc>
<div id="post_content_1001" class="d_post_content j_d_post_content">{POST}</div></cc></div>
<div class="post-tail-wrap"><span class="tail-info">1楼</span><span class="tail-info">2024-05-01 10:00</span></div></div></div>
<div class="l_post j_l_post"><div class="d_post_content_main"><div class="p_content"><cc>
<div id="post_content_1002" class="d_post_content j_d_post_content">{REPLY}</div></cc></div></div></div>
</div><div class="tbui_aside">贴吧热议榜</div></body></html>""",
    "flarum": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 - 示例社区</title></head><body>
<div class="DiscussionPage-stream"><div class="PostStream">
<div class="PostStream-item"><article class="CommentPost Post Post--by-start-user">
<header><h3 class="PostUser-name"><span class="username">提问的人</span></h3><time datetime="2024-05-01T10:00:00+08:00">5月1日</time></header>
<div class="Post-body"><p>{POST}</p></div>
<footer class="Post-footer"><ul><li class="item-bestAnswerPost"><div class="CommentPost"><div class="Post-body"><p>{REPLY}</p></div></div></li></ul></footer>
</article></div>
<div class="PostStream-item"><article class="CommentPost Post"><div class="Post-body"><p>{REPLY}</p></div></article></div>
</div></div></body></html>""",
    "homeland": f"""<html><head><meta charset="utf-8"><meta name="generator" content="Homeland"><title>会议纪要怎么写 · 示例社区</title></head><body>
<div class="topic-detail card"><div class="card-header"><h1>会议纪要怎么写</h1><a class="user-name">提问的人</a></div>
<div class="card-body markdown"><p>{POST}</p></div></div>
<div id="replies"><div class="reply"><div class="infos"><div class="markdown"><p>{REPLY}</p></div></div></div></div></body></html>""",
    "paopao": f"""<html><head><meta charset="utf-8"><title>泡泡</title></head><body><div class="detail-wrap">
<div class="detail-item"><div class="n-thing"><div class="n-thing-main">
<div class="n-thing-header"><a class="username-link">提问的人</a></div>
<div class="n-thing-main__content"><div><span class="post-text">{POST}</span></div></div>
<div class="n-thing-main__footer"><div class="link-wrap"><div class="link-item"><span class="link-txt">https://example.org/guide</span></div></div>
<div class="timestamp"> 发布于 2024-05-01 10:00 </div></div></div></div></div>
<div class="comment-item"><span class="comment-text">{REPLY}</span></div></div></body></html>""",
    "bbscloud": f"""<html><head><meta charset="utf-8"><title>社区</title></head><body>
<div class="detail-warp"><div class="bbs-author"><span>提问的人</span><span>2024.05.01 10:00发布于社区管理</span></div>
<div class="rich-text-content-wrap bbs-post-content"><p>{POST}</p></div></div>
<div class="comment-list-item-comp"><div class="rich-text-content-wrap comment-comment"><p>{REPLY}</p></div></div></body></html>""",
    "zhidao": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写_百度知道</title></head><body>
<span class="ask-title">会议纪要怎么写？</span>
<div id="best-answer-1" class="wgt-best"><div id="best-content-1" class="best-text">展开全部<p>{POST}</p></div></div>
<div id="answer-2"><div id="answer-content-2" class="answer-text"><p>{REPLY}</p></div></div>
<div class="knowledge-answer">本回答由示例公司提供</div></body></html>""",
    "phpwind": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 - 示例论坛 - Powered by phpwind</title></head><body>
<h1 id="subject_tpc">会议纪要怎么写</h1>
<table><tr><td><a href="u.php?uid=5">提问的人</a><span title="2024-05-01 10:00">1楼</span>
<div class="tpc_content"><div class="f14" id="read_tpc">{POST}<div class="blockquote">引用 某人：以前的帖子</div></div></div></td></tr></table>
<table><tr><td><div class="tpc_content"><div class="f14" id="read_2">{REPLY}</div></div></td></tr></table></body></html>""",
    "discourse": f"""<html><head><meta charset="utf-8"><meta name="generator" content="Discourse 3.2"><title>会议纪要怎么写 - 示例社区</title></head><body>
<h1>会议纪要怎么写</h1>
<div id="post_1" class="topic-body crawler-post"><span itemprop="name">提问的人</span><time datetime="2024-05-01T10:00:00Z">2024年5月1日</time>
<div class="post" itemprop="text"><aside class="quote"><blockquote>以前的帖子</blockquote></aside><p>{POST}</p></div></div>
<div id="post_2" class="topic-body crawler-post"><div class="post" itemprop="text"><p>{REPLY}</p></div></div></body></html>""",
    "xenforo": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 | 示例论坛</title></head><body>
<h1 class="p-title-value">会议纪要怎么写</h1>
<article class="message message--post" data-author="提问的人"><div class="message-userContent"><article class="message-body">
<div class="bbWrapper"><blockquote class="bbCodeBlock bbCodeBlock--quote">以前的帖子</blockquote>{POST}</div></article></div>
<time datetime="2024-05-01T10:00:00+0800">5月1日</time></article>
<article class="message message--post" data-author="回答的人"><article class="message-body"><div class="bbWrapper">{REPLY}</div></article></article></body></html>""",
    "vbulletin": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 - 示例论坛</title></head><body>
<h1>会议纪要怎么写</h1>
<table id="post101"><tr><td><a class="bigusername">提问的人</a></td><td><div id="post_message_101">
<div class="bbcode_container">引用：以前的帖子</div>{POST}</div></td></tr></table>
<table id="post102"><tr><td><div id="post_message_102">{REPLY}</div></td></tr></table></body></html>""",
    "douban_group": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写</title></head><body><h1>会议纪要怎么写</h1>
<div class="topic-doc"><h3><span class="from">来自: <a href="#">提问的人</a></span><span class="create-time">2024-05-01 10:00:00</span></h3>
<div class="topic-content"><div class="rich-content topic-richtext"><p>{POST}</p></div></div></div>
<ul id="comments"><li class="comment-item"><div class="reply-doc"><p class="reply-content">{REPLY}</p></div></li></ul></body></html>""",
    "tianya": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写_天涯社区</title></head><body>
<h1><span class="s_title">会议纪要怎么写</span></h1>
<div class="atl-main"><div class="atl-item host-item"><div class="atl-info"><a uname="提问的人">提问的人</a><span>时间：2024-05-01 10:00:00</span></div>
<div class="bbs-content clearfix">{POST}</div></div>
<div class="atl-item"><div class="bbs-content">{REPLY}</div></div></div></body></html>""",
    "phpbb": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 - 示例论坛</title></head><body>
<h2 class="topic-title"><a>会议纪要怎么写</a></h2>
<div id="p1" class="post has-profile bg2"><div class="postbody"><p class="author"><a class="username">提问的人</a> <time datetime="2024-05-01T02:00:00+00:00">2024年5月1日</time></p>
<div class="content"><blockquote><cite>某人 写道:</cite>以前的帖子</blockquote>{POST}</div><div class="signature">签名档</div></div></div>
<div id="p2" class="post has-profile bg1"><div class="postbody"><div class="content">{REPLY}</div></div></div></body></html>""",
    "nodebb": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 | 示例社区</title></head><body>
<h1 component="topic/title">会议纪要怎么写</h1><ul component="topic">
<li component="post" data-index="0" data-username="提问的人"><div component="post/content"><blockquote>以前的帖子</blockquote><p>{POST}</p></div></li>
<li component="post" data-index="1" data-username="回答的人"><div component="post/content"><p>{REPLY}</p></div></li></ul></body></html>""",
    "v2ex": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 - V2EX</title></head><body><div id="Main">
<div class="box"><div class="header"><h1>会议纪要怎么写</h1><small class="gray"><a href="/member/x">提问的人</a> · <span title="2024-05-01 10:00:00 +08:00">1 天前</span></small></div>
<div class="cell"><div class="topic_content">{POST}</div></div>
<div class="subtle"><span class="fade">第 1 条附言</span><div class="topic_content">补充：最好附上模板。</div></div></div>
<div class="box"><div class="cell"><div class="reply_content">{REPLY}</div></div></div></div></body></html>""",
    "nga": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 NGA玩家社区</title></head><body>
<h3 id="postsubject0">会议纪要怎么写</h3><a id="postauthor0">提问的人</a><span id="postdate0">2024-05-01 10:00</span>
<p id="postcontent0" class="postcontent">{POST}</p>
<a id="postauthor1">回答的人</a><span id="postcontent1" class="postcontent">{REPLY}</span></body></html>""",
    "zhihu": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写？ - 知乎</title></head><body>
<div class="QuestionPage"><h1 class="QuestionHeader-title">会议纪要怎么写？</h1>
<div class="QuestionHeader-detail"><span class="RichText">问题补充：以前的帖子</span></div>
<div class="Question-main"><div class="List"><div class="List-item"><div class="ContentItem AnswerItem">
<div class="AuthorInfo"><meta itemprop="name" content="提问的人"></div>
<div class="RichContent"><div class="RichContent-inner"><span class="RichText"><p>{POST}</p></span></div>
<div class="ContentItem-time">发布于 2024-05-01 10:00</div></div></div></div>
<div class="List-item"><div class="ContentItem AnswerItem"><div class="RichContent-inner"><p>{REPLY}</p></div></div></div>
</div></div></div></body></html>""",
    "stackexchange": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 - Stack Overflow</title></head><body>
<div id="question-header"><h1>会议纪要怎么写</h1></div>
<div id="question" class="question"><div class="s-prose js-post-body"><p>{POST}</p></div>
<div class="user-details"><a href="/users/1">提问的人</a></div><time datetime="2024-05-01T10:00:00">May 1</time></div>
<div id="answers"><div class="answer"><div class="s-prose js-post-body"><p>{REPLY}</p></div></div></div></body></html>""",
    "github": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 · Issue #1 · example/repo</title></head><body>
<h1><bdi class="js-issue-title">会议纪要怎么写</bdi></h1><div class="js-discussion">
<div class="timeline-comment"><a class="author">提问的人</a><relative-time datetime="2024-05-01T10:00:00Z"></relative-time>
<table><tr><td class="d-block comment-body markdown-body"><p>{POST}</p></td></tr></table></div>
<div class="timeline-comment"><table><tr><td class="comment-body"><p>{REPLY}</p></td></tr></table></div></div></body></html>""",
    "reddit": f"""<html><head><meta charset="utf-8"><title>会议纪要怎么写 : r/example</title></head><body>
<shreddit-post author="提问的人" post-title="会议纪要怎么写" created-timestamp="2024-05-01T10:00:00+0000">
<div slot="text-body"><p>{POST}</p></div></shreddit-post>
<shreddit-comment-tree><shreddit-comment><div slot="comment"><p>{REPLY}</p></div></shreddit-comment></shreddit-comment-tree>
</body></html>""",
}


@pytest.mark.parametrize("engine", sorted(PAGES))
def test_first_post_only(engine):
    page = apply_page_rules(extract_html(PAGES[engine]))
    text = "".join(page.paragraphs)
    assert POST in text
    assert REPLY not in text
    assert page.extractor == engine


def test_paopao_keeps_attached_link():
    page = extract_html(PAGES["paopao"])
    assert "https://example.org/guide" in page.paragraphs


def test_qa_drops_expand_label_and_ad_answer():
    page = apply_page_rules(extract_html(PAGES["zhidao"]))
    assert page.paragraphs == [POST]


def test_phpwind_drops_quote():
    page = extract_html(PAGES["phpwind"])
    assert "以前的帖子" not in "".join(page.paragraphs)
    assert page.meta["thread_title"] == "会议纪要怎么写"


@pytest.mark.parametrize("engine", ["discourse", "xenforo", "vbulletin", "douban_group", "tianya", "tieba",
                                    "phpbb", "nodebb", "v2ex", "nga", "zhihu", "stackexchange", "github",
                                    "reddit"])
def test_poster_and_quotes(engine):
    page = extract_html(PAGES[engine])
    assert page.meta["poster"] == "提问的人"
    assert "以前的帖子" not in "".join(page.paragraphs)


def test_flarum_meta():
    page = extract_html(PAGES["flarum"])
    assert page.meta["poster"] == "提问的人"
    assert page.meta["published_at"].year == 2024


def test_v2ex_keeps_the_starters_appendix():
    page = extract_html(PAGES["v2ex"])
    assert "补充：最好附上模板。" in page.paragraphs


def test_every_engine_has_a_fixture_page():
    from ingest.extract import ENGINES

    assert sorted(e.name for e in ENGINES) == sorted(PAGES)


def test_engines_do_not_claim_an_article_page():
    from fixtures.pages import news_article

    from ingest.extract import ENGINES
    from ingest.extract.dom import parse_html

    root = parse_html(news_article())
    assert [e.name for e in ENGINES if e.matches(root)] == []


def test_a_failing_engine_falls_back_to_the_article_path(monkeypatch):
    from ingest.extract import first_post

    def boom(self, root):
        raise ValueError("unexpected markup")

    monkeypatch.setattr(first_post.FirstPostEngine, "extract", boom)
    page = extract_html(PAGES["tieba"])
    assert page.extractor == "article"
    assert page.meta["engine_failures"][0].startswith("tieba: ValueError")
