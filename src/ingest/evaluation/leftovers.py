"""Boilerplate-like lines left at the edges of an extracted text: a gold-free leak detector.

It shares nothing with the cleaning rule pack on purpose (its own cues, coarser and broader), so
it can point at leaks of kinds the rules do not know yet. A flagged line is a lead to look at, not a
verdict: the cues are tuned to stay silent on the dev set's expected texts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

HEAD_LINES, TAIL_LINES = 5, 8

_SENTENCE = re.compile(r"[，。！？；,!?;]")
_DATE = re.compile(r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
                   r"|\d{1,2}[:：]\d{2}|(?:星期|周)[一二三四五六日天]")
# A short key, then a separator: the shape of every credit and by-line, whatever the key says.
_KEYED = re.compile(r"^[\W_]{0,3}(?P<key>[\u4e00-\u9fff][\u4e00-\u9fff \u3000]{0,6}?)\s*[:：|｜丨/／]\s*\S")
_KEY_HINT = re.compile(r"编|審|审|校|责|責|监|監|排|摄|攝|撰|策划|统筹|出品|制作|设计|美|[来來]源|稿源|出[处處]|作者|[记記]者|通[讯訊]员|供稿|"
                       r"文字|图|视频|发布|时间|日期|浏览|阅读|点击|热线|电话|邮箱|联系|链接|网址|采纳|声明")
# `记者 王涛`, `编辑 周平`: a role word and a name, no separator.
_ROLE_NAME = re.compile(r"^\W{0,2}\S{0,8}?(?:记者|通讯员|编辑|责编|摄影|撰稿)\s+[\u4e00-\u9fff·]{2,4}(?:[\s、][\u4e00-\u9fff·]{2,4}){0,3}\W{0,2}$")
# (kind, longest line it applies to, cue)
_CUES: tuple[tuple[str, int, re.Pattern], ...] = (
    ("contact", 60, re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|(?<!\d)0\d{2,3}[-－ ]?\d{7,8}(?!\d)|热线|传真")),
    # A bare 版权/著作权 is a notice only as `版权所有`, `版权声明`, `版权归…所有。` or in a short line:
    # `版权归作者所有的约定写进了征稿启事，…` and `版权意识在增强：…` are sentences about copyright.
    ("copyright", 200, re.compile(r"版权(?:所有|声明)|(?:版权|著作权)[^，。；！？,;]{0,20}所有(?:[，。；！？,;!]|$)|^.{0,24}(?:版权|著作权).{0,6}$|©|Copyright|All Rights|ICP|侵权.{0,6}(?:请|必究|删除|联系|告知)|(?:如有|如涉|若有|若涉).{0,4}侵权|免责|(?:转载|摘编).{0,12}(?:注明|授权|联系|禁止|不得)"
                                  r"|(?:禁止|不得|严禁|谢绝|请勿).{0,8}转载|(?:不代表|不表明).{0,10}(?:观点|立场)|Notice:|仅代表.{0,10}(?:观点|立场|本人)"
                                  r"|仅供参考|上传并发布|声明\s*[:：]|[Cc]ookie")),
    ("forum", 60, re.compile(r"Powered by|Archiver|复制链接|只看该作者|电梯直达|积分规则|查看完整版本|^页\s*[:：]|本帖最后由|本主题由|"
                             r"\S\s*发表于\s*\d|来自\s*\S{0,12}(?:客户端|平台|版)$|\d+\s*楼|楼主|回复于|看帖|登录|注册")),
    ("share", 60, re.compile(r"分享|转发|朋友圈|在看|点个?赞|关注|订阅|二维码|扫码|扫一扫|阅读原文|蓝字|收藏")),
    ("recommend", 16, re.compile(r"推荐|往期|相关|延伸|精彩|热门|猜你|热点|更多|回顾|热议|排行|[还還]想看")),
    ("recommend", 60, re.compile(r"^[【\[](?:推荐|荐读|热点|热门|广告|推广)[】\]]")),
    ("toolbar", 30, re.compile(r"字号|字体|打印|[Aa]\s*[+＋]|大\s*中\s*小|播报|朗读|纠错|关闭|返回|顶部")),
    ("pager", 40, re.compile(r"上一页|下一页|上一篇|下一篇|尾页|^首页")),
    ("player", 40, re.compile(r"请稍候|错误代码|加载中|切换到高清|播放器")),
    ("ad", 20, re.compile(r"广告|廣告|推广")),
    ("comments", 30, re.compile(r"\d+\s*条评论|查看全部|查看完整|展开全部|加载全部|评论\s*[(（]?\d+|你对这个回答的评价")),
    ("counter", 30, re.compile(r"(?:阅读|浏览|点击|访问|人气|采纳)\D{0,4}\d+|\d+\s*次(?:阅读|浏览|播放)")),
    # a source named without a key: `转载自公众号“某某”`, `摘自某某晚报`
    ("source", 40, re.compile(r"^[（(【\[]?\s*(?:本文|文章|内容)?(?:转载|转自|摘自|选自|源自|来自)\S{0,3}(?:公众号|微信号|[“\"「]|\S{1,14}(?:[报网台社号]|客户端)\W*$)")),
    ("original-title", 120, re.compile(r"^[（(【\[]?\s*原标题\s*[:：]")),
    ("site-links", 40, re.compile(r"联系我们|关于我们|网站地图|广告服务|隐私政策|用户协议|网站简介|\S+简介\s+\S+官网")),
    ("end", 16, re.compile(r"^\W*(?:END|End|end|完|全文完)\W*$")),
    ("tags", 120, re.compile(r"^(?:[#＃][ \u3000]?[^#＃\s，。]{1,20}[#＃]?\s*){2,}$|^[#＃][^#＃\s，。]{1,20}[#＃]?$")),
    ("source", 40, re.compile(r"^[（(【\[].{1,30}(?:供稿|供图|提供)\s*[)）】\]]$|^\S{2,24}(?:供稿|供图)$")),
    ("app", 80, re.compile(r"(?:下载|打开|安装).{0,16}(?:APP|App|app|客户端)")),
    ("platform", 40, re.compile(r"收录(?:于|到|至|进)\s*(?:合集|专题|专栏|话题|[“\"「『《#＃])")),
)
# Numbered section headings of official texts (`一、2023年工作回顾`, `（二）…`, `第一部分 …`) are body,
# whatever words they hold.
_SECTION = re.compile(r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[)）]|\d{1,2}[、.．](?!\d)"
                      r"|第[一二三四五六七八九十百\d]+(?:章|节|部分|篇))")
# A date line: what is left after the dates and times is short, or says when/where it was published.
_EDITION = re.compile(r"《[^》]{2,20}》.{0,24}?\d{1,3}\s*[版期]|[报刊]\s*\S{0,16}?第\s*[A-Za-z]?\d{1,3}\s*版")
_DATED_HINT = re.compile(r"发布|发表|来源|更新|编辑")
_FULL_STOP = re.compile(r"。[”」』）)]?$")


@dataclass(frozen=True)
class Leftover:
    """A line at the top or bottom of a text that looks like page chrome, and why."""

    kind: str
    line: str
    where: str  # head | tail


def classify_line(line: str) -> str | None:
    """The kind of boilerplate `line` looks like, or None when it reads like body text."""
    text = line.strip()
    if not text:
        return None
    if len(text) <= 70 and _EDITION.search(text):
        return "edition"
    if _DATE.search(text) and len(text) <= 50:
        rest = re.sub(r"[\W_]", "", _DATE.sub("", text))
        if len(rest) <= 10 or (_DATED_HINT.search(rest) and not _SENTENCE.search(text)):
            return "date"
    keyed = _KEYED.match(text)
    if keyed and len(text) <= 60 and _KEY_HINT.search(keyed["key"]) and not _SENTENCE.search(text[keyed.end():]):
        return "credit"
    if len(text) <= 30 and _ROLE_NAME.match(text):
        return "credit"
    section = _SECTION.match(text)
    for kind, max_len, cue in _CUES:
        if len(text) > max_len or not cue.search(text) or (section and kind == "recommend"):
            continue
        # Chrome rarely is a sentence: one that ends in 。 or holds several clauses is body text,
        # except for notices (copyright, disclaimers, contacts), which are sentences.
        if kind not in ("copyright", "contact") and (
                _FULL_STOP.search(text) and len(text) > 12 or text.count("。") + text.count("，") > 2
                or kind != "share" and text.count("。") + text.count("，") > 1):
            continue
        return kind
    return None


def find_leftovers(text: str, head_lines: int = HEAD_LINES, tail_lines: int = TAIL_LINES) -> list[Leftover]:
    """Boilerplate-like lines among the first `head_lines` and last `tail_lines` lines of `text`."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    found = []
    for i, line in enumerate(lines):
        head, tail = i < head_lines, i >= len(lines) - tail_lines
        if not (head or tail):
            continue
        kind = classify_line(line)
        # A short text is all edges: its second half counts as the tail.
        where = "tail" if tail and (not head or i >= len(lines) / 2) else "head"
        if kind and not (kind == "tags" and where == "head"):  # a post's own tags open it: `#某话题#`
            found.append(Leftover(kind, line, where))
    return found
