"""Fetching end to end through the real `ingest` command against fixture sites on 127.0.0.1."""
import json
import re
from pathlib import Path

import duckdb
import pytest

from fixture_sites import DiscuzBoard, Page, article_html, news_site, speech

FAST_FETCH = {"INGEST_FETCH_TIMEOUT": "1", "INGEST_FETCH_RETRIES": "1", "INGEST_FETCH_BACKOFF": "0.05",
              "INGEST_FETCH_DELAY": "0", "INGEST_FETCH_MAX_BYTES": str(1 << 20)}


def query(wh: Path, sql: str) -> list[tuple]:
    # The lake views read `lake/...` relative to the warehouse directory (README, "The warehouse").
    con = duckdb.connect(str(wh / "speeches.duckdb"), read_only=True, config={"file_search_path": str(wh)})
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def web_line(out: str) -> str:
    return re.search(r"web: +(.*)", out).group(1)


def probe(paragraph: str) -> str:
    """A stretch of a paragraph that survives cleaning untouched: Chinese characters only (punctuation is folded)."""
    return max(re.findall(r"[\u4e00-\u9fff]{4,}", paragraph), key=len)[:12]


def test_board_feed_and_sitemap_first_run_second_run_new_thread(run_cli, tmp_path):
    wh = tmp_path / "wh"
    with news_site() as site, DiscuzBoard() as board:
        sources = [board.base + "forum.php?mod=forumdisplay&fid=2", site.base + "/feed.xml", site.base + "/sitemap.xml"]
        run = lambda: run_cli("run", *sources, "--warehouse", str(wh), "--allow-private-hosts", env=FAST_FETCH).stdout

        first = run()
        assert web_line(first).startswith("16 seen, 10 new, 0 changed, 0 unchanged, 6 rejected")
        docs = query(wh, "select source_kind, count(*) from documents group by 1 order by 1")
        assert docs == [("feed", 5), ("forum", 4), ("sitemap", 1)]
        threads = dict(query(wh, "select thread_uri, text from (select source_uri as thread_uri, text from documents"
                                 " where source_kind = 'forum')"))
        assert len(threads) == 4
        for t in board.threads:
            text = threads[board.base + f"forum.php?mod=viewthread&tid={t.tid}"]
            for paragraph in board.starter_text(t.tid):  # every page's part of the starter's text, GBK ones too
                assert probe(paragraph) in text
        reasons = dict(query(wh, "select regexp_extract(source_uri, '[^/]+$'), reason from rejects"))
        assert reasons == {"missing.html": "HTTP 404", "slow.html": "timeout (ReadTimeout)",
                           "huge.html": "response too large (over 1048576 bytes)",
                           "loop-a.html": "too many redirects (more than 5)",
                           "secret.html": "disallowed by robots.txt", "picture.png": "unsupported content type image/png"}
        assert query(wh, "select count(*) from raw_responses where status = 200 and octet_length(body) > 0")[0][0] >= 16
        assert query(wh, "select count(*) from fetch_state")[0][0] == 18  # 5 listings, 6 articles, 7 thread pages

        before = {t: query(wh, f"select count(*) from {t}")[0][0] for t in ("documents", "rejects", "boilerplate_hits")}
        n = len(board.site.log)
        second = run()
        assert web_line(second).startswith("16 seen, 0 new, 0 changed, 10 unchanged, 6 rejected")
        assert "0 new" in second
        assert [p for p, s in board.site.log[n:] if "viewthread" in p] == []  # no thread page downloaded again
        assert {t: query(wh, f"select count(*) from {t}")[0][0] for t in before} == before

        board.add_thread(105, 2, "gbk")
        third = run()
        assert web_line(third).startswith("17 seen, 1 new, 0 changed, 10 unchanged")
        (row,) = query(wh, "select source_uri, text from documents where run_id = (select max(run_id) from runs)")
        assert row[0].endswith("tid=105") and probe(board.starter_text(105)[-1]) in row[1]
        assert query(wh, "select count(*) from documents")[0][0] == before["documents"] + 1


@pytest.mark.skipif(not Path(__file__).parents[1].joinpath("src/ingest/extract/threads.py").exists(),
                    reason="needs the forum-aware first-post extractor and stitcher (extract branch)")
def test_thread_documents_hold_only_the_starters_text(run_cli, tmp_path):
    wh = tmp_path / "wh"
    with DiscuzBoard() as board:
        run_cli("run", board.base + "archiver/?fid-2.html", "--warehouse", str(wh), "--allow-private-hosts",
                env=FAST_FETCH)
        for (text,) in query(wh, "select text from documents"):
            assert "回复" not in text and "顶一下" not in text


def test_changed_article_is_a_new_version_and_cosmetic_changes_are_not(run_cli, tmp_path):
    wh = tmp_path / "wh"
    with news_site() as site:
        url = site.base + "/news/a1.html"
        run = lambda: run_cli("run", url, "--warehouse", str(wh), "--allow-private-hosts", env=FAST_FETCH).stdout
        run()
        assert "304" in web_line(run()) and query(wh, "select count(*) from documents")[0][0] == 1
        site.routes["/news/a1.html"] = Page(article_html("示例讲话第1篇", speech(1) + speech(30, 1)))
        assert web_line(run()).startswith("1 seen, 0 new, 1 changed, 0 unchanged")
        rows = query(wh, "select doc_id, previous_doc_id, is_canonical from documents order by fetched_at")
        assert len(rows) == 2 and rows[1][1] == rows[0][0] and rows[0][2] is False and rows[1][2] is True
        assert query(wh, "select count(*) from speeches where source_uri = ?".replace("?", f"'{url}'"))[0][0] == 1
        # New bytes around the same text (a footer): fetched, but not a new version.
        page = article_html("示例讲话第1篇", speech(1) + speech(30, 1)).replace("版权所有".encode(), "版权所有 2025".encode())
        site.routes["/news/a1.html"] = Page(page)
        assert web_line(run()).startswith("1 seen, 0 new, 0 changed, 1 unchanged")
        assert query(wh, "select count(*) from documents")[0][0] == 2


def test_sources_file_private_hosts_and_reprocess_offline(run_cli, tmp_path):
    wh, rebuilt = tmp_path / "wh", tmp_path / "rebuilt"
    with DiscuzBoard() as board:
        sources = tmp_path / "sources.yaml"
        sources.write_text(f"defaults: {{delay: 0}}\nsources:\n  - url: {board.base}archiver/?fid-2.html\n"
                           f"    max_pages: 50\n    exclude: ['tid-102']\n", "utf-8")
        refused = run_cli("run", "--sources", str(sources), "--warehouse", str(wh), env=FAST_FETCH)
        assert refused.returncode == 0 and board.site.log == []
        (reason,) = query(wh, "select reason from rejects")[0]
        assert "private or loopback address refused" in reason

        out = run_cli("run", "--sources", str(sources), "--warehouse", str(wh),
                      env={**FAST_FETCH, "INGEST_ALLOW_PRIVATE_HOSTS": "1"}).stdout
        assert web_line(out).startswith("3 seen, 3 new")
        uris = sorted(u for (u,) in query(wh, "select source_uri from documents"))
        assert uris == [board.base + f"archiver/?tid-{t}.html" for t in (101, 103, 104)]
    # The site is gone: reprocess reads only the raw layer.
    out = run_cli("reprocess", "--warehouse", str(wh), "--into", str(rebuilt)).stdout
    assert "3 rebuilt" in out
    assert sorted(u for (u,) in query(rebuilt, "select source_uri from documents")) == uris
    old = dict(query(wh, "select doc_id, text from documents"))
    assert dict(query(rebuilt, "select doc_id, text from documents")) == old
    assert query(rebuilt, "select count(*) from fetch_state")[0][0] == query(wh, "select count(*) from fetch_state")[0][0]
    again = run_cli("reprocess", "--warehouse", str(wh), "--into", str(rebuilt), check=False)
    assert again.returncode == 2 and "already holds a warehouse" in again.stderr


def test_bad_sources_file_is_a_clear_fatal_error(run_cli, tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("sources:\n  - url: notaurl\n", "utf-8")
    proc = run_cli("run", "--sources", str(bad), "--warehouse", str(tmp_path / "wh"), check=False)
    assert proc.returncode == 2 and "source #1" in proc.stderr and "not an http(s) URL" in proc.stderr


def test_a_killed_fetch_run_leaves_nothing_and_the_rerun_loads_once(run_cli, tmp_path):
    import signal

    wh = tmp_path / "wh"
    with DiscuzBoard() as board:
        url = board.base + "archiver/?fid-2.html"
        proc = run_cli("run", url, "--warehouse", str(wh), "--allow-private-hosts",
                       env={**FAST_FETCH, "INGEST_CRASH_AT": "before_commit"}, check=False)
        assert proc.returncode == -signal.SIGKILL
        assert query(wh, "select (select count(*) from documents), (select count(*) from fetch_state),"
                         " (select count(*) from raw_responses), (select count(*) from runs)") == [(0, 0, 0, 0)]
        out = run_cli("run", url, "--warehouse", str(wh), "--allow-private-hosts", env=FAST_FETCH).stdout
        assert web_line(out).startswith("4 seen, 4 new")
        assert query(wh, "select count(*) from documents")[0][0] == 4
        committed = {r for (r,) in query(wh, "select run_id from runs")} | {"__schema__"}
        assert {p.name.split("=", 1)[1] for p in (wh / "lake").glob("*/run_id=*")} <= committed
