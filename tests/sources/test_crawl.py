"""The crawler against a local Discuz! board and news site: only new or changed pages are asked for."""
import re

import pytest

from fixture_sites import DiscuzBoard, Page, article_html, news_site, speech
from ingest.sources.config import SourceSpec
from ingest.sources.crawl import Crawler, body_hash
from ingest.sources.web import FetchPolicy, HttpFetcher

FAST = dict(allow_private_hosts=True, timeout_s=1.0, retries=1, backoff_s=0.05, delay_s=0.0, max_bytes=1 << 20)


def tid(url: str) -> str:
    return re.search(r"tid[=-](\d+)", url).group(1)


class Memory:
    """What the warehouse would remember between runs: fetch state and the raw bodies."""

    def __init__(self):
        self.known, self.bodies = {}, {}

    def crawl(self, specs):
        with HttpFetcher(FetchPolicy(**FAST)) as f:
            result = Crawler(f, dict(self.known), lambda h: self.bodies.get(h)).crawl(specs)
            result.counts["requests"] = f.requests
        self.known.update(result.state)
        for rec in result.records:
            if rec.response.ok:
                self.bodies[body_hash(rec.response.body)] = rec.response.body
        return result


@pytest.mark.parametrize("start", ["forum.php?mod=forumdisplay&fid=2", "archiver/?fid-2.html"])
def test_board_first_run_second_run_and_a_new_thread(start):
    with DiscuzBoard() as board:
        mem = Memory()
        spec = SourceSpec(url=board.base + start)
        first = mem.crawl([spec])
        assert sorted(tid(u.source_uri) for u in first.units) == ["101", "102", "103", "104"]
        assert {tid(u.source_uri): len(u.pages) for u in first.units} == {"101": 2, "102": 1, "103": 3, "104": 1}
        assert first.counts["new"] == 4 and first.counts["seen"] == 4 and not first.rejects
        # Both list pages were read (the fourth thread is on page 2).
        assert len(board.site.requests_for(r"fid[=-]2")) == 2

        n = len(board.site.log)
        second = mem.crawl([spec])
        again = board.site.log[n:]
        assert not second.units and second.counts["unchanged"] == 4
        assert [p for p, s in again if "tid" in p] == []  # no thread page asked for again
        assert all(s == 304 for p, s in again if "fid" in p)

        board.add_thread(105, 2, "gbk")
        third = mem.crawl([spec])
        assert [u.status for u in third.units] == ["new"] and tid(third.units[0].source_uri) == "105"
        assert len(third.units[0].pages) == 2 and third.counts["unchanged"] == 4


def test_thread_url_given_directly_loads_all_its_pages():
    with DiscuzBoard() as board:
        result = Memory().crawl([SourceSpec(url=board.base + "forum.php?mod=viewthread&tid=103&extra=page%3D1#lastpost")])
        (unit,) = result.units
        assert unit.source_uri == board.base + "forum.php?mod=viewthread&tid=103" and len(unit.pages) == 3
        assert "讲话材料103".encode("gbk") in unit.pages[2].body


def test_feed_and_sitemap_articles_once_and_faults_rejected():
    with news_site() as site:
        mem = Memory()
        specs = [SourceSpec(url=site.base + "/feed.xml"), SourceSpec(url=site.base + "/sitemap.xml")]
        first = mem.crawl(specs)
        loaded = sorted(u.source_uri.rsplit("/", 1)[-1] for u in first.units)
        assert loaded == ["a1.html", "a2.html", "a3.html", "a4.html", "a5.html", "flaky.html"]
        reasons = {r.source_uri.rsplit("/", 1)[-1]: r.reason for r in first.rejects}
        assert reasons == {"missing.html": "HTTP 404", "slow.html": "timeout (ReadTimeout)",
                           "huge.html": "response too large (over 1048576 bytes)",
                           "loop-a.html": "too many redirects (more than 5)",
                           "secret.html": "disallowed by robots.txt", "picture.png": "unsupported content type image/png"}
        assert len(site.requests_for(r"/news/a1\.html")) == 1  # in the feed and the sitemap, fetched once

        second = mem.crawl(specs)
        assert not second.units and second.counts["new"] == 0 and second.counts["unchanged"] == 6
        assert len(site.requests_for(r"/news/a1\.html")) == 1


def test_article_url_is_revisited_with_a_conditional_get_and_a_change_is_a_new_version():
    with news_site() as site:
        mem = Memory()
        spec = SourceSpec(url=site.base + "/news/a1.html")
        assert [u.status for u in mem.crawl([spec]).units] == ["new"]
        second = mem.crawl([spec])
        assert not second.units and second.counts["not_modified"] == 1
        site.routes["/news/a1.html"] = Page(article_html("示例讲话第1篇（修订）", speech(1) + speech(30, 1)))
        third = mem.crawl([spec])
        assert [u.status for u in third.units] == ["changed"] and third.counts["changed"] == 1


def test_max_pages_limits_requests():
    with DiscuzBoard() as board:
        result = Memory().crawl([SourceSpec(url=board.base + "forum.php?mod=forumdisplay&fid=2", max_pages=3)])
        assert len(board.site.requests_for("forum.php")) == 3 and result.counts["over_limit"] >= 1


def test_include_and_exclude_patterns():
    with news_site() as site:
        result = Memory().crawl([SourceSpec(url=site.base + "/feed.xml", include=[r"/news/a\d"], exclude=[r"a2"])])
        assert sorted(u.source_uri[-7:] for u in result.units) == ["a1.html", "a3.html", "a4.html"]


def test_board_front_page_is_crawled_as_an_index():
    with DiscuzBoard() as board:
        result = Memory().crawl([SourceSpec(url=board.base)])
        assert sorted(tid(u.source_uri) for u in result.units) == ["101", "102", "103", "104"]


def test_a_failed_article_is_one_reject():
    with news_site() as site:
        result = Memory().crawl([SourceSpec(url=site.base + "/news/missing.html")])
        assert [(r.reason, r.stage) for r in result.rejects] == [("HTTP 404", "fetch")]
        assert result.counts["rejected"] == 1 and result.counts["seen"] == 1 and not result.units
