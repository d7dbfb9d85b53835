"""Hostile servers and odd URLs through the real `ingest run`: compression bombs, slow-loris
responses, IPv6 literals and malformed links each end as one reject; the rest of the run loads."""
import os
import resource
import subprocess
import sys
from pathlib import Path


from fixture_sites import FixtureSite, Page, article_html, speech
from hostile_sites import hostile_site
from warehouse_db import open_db

INGEST = str(Path(sys.executable).with_name("ingest"))
FAST_FETCH = {"INGEST_FETCH_TIMEOUT": "5", "INGEST_FETCH_RETRIES": "1", "INGEST_FETCH_BACKOFF": "0.05",
              "INGEST_FETCH_DELAY": "0", "INGEST_FETCH_MAX_BYTES": str(1 << 20)}
# Measures the peak RSS of the command it runs (and of that command's own children).
MEASURED = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(p.returncode)")


def query(wh: Path, sql: str) -> list[tuple]:
    con = open_db(str(wh / "speeches.duckdb"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def rejects(wh: Path) -> dict[str, str]:
    return dict(query(wh, "select source_uri, reason from rejects"))


def test_compression_bombs_are_cut_while_decoding(prefect_api, tmp_path):
    wh = tmp_path / "wh"
    with hostile_site(bomb_gib=1) as site:
        pages = ["plain", "gzipped", "bomb-gzip-gzip", "bomb-gzip-deflate", "brotli"]
        urls = {p: f"{site.base}/news/{p}.html" for p in pages}
        proc = subprocess.run([sys.executable, "-c", MEASURED, INGEST, "run", *urls.values(), "--warehouse", str(wh),
                               "--allow-private-hosts"], capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PREFECT_API_URL": prefect_api, **FAST_FETCH})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
    # Each bomb decodes to 1 GiB; an ordinary run of this size peaks at a few hundred MB.
    assert peak_mb < 1024, f"peak RSS {peak_mb:.0f} MB"
    titles = {t for (t,) in query(wh, "select title from documents")}
    assert titles == {"普通的讲话", "压缩传输的讲话"}
    got = rejects(wh)
    assert got[urls["bomb-gzip-gzip"]] == "response too large once decoded (over 1048576 bytes)"
    assert got[urls["bomb-gzip-deflate"]] == "response too large once decoded (over 1048576 bytes)"
    assert got[urls["brotli"]] == "unsupported content encoding: br"
    assert len(got) == 3


def test_a_trickling_server_is_cut_at_the_deadline_and_the_host_goes_on(run_cli, tmp_path):
    wh = tmp_path / "wh"
    with hostile_site(bomb_gib=0) as site:
        urls = [f"{site.base}/news/{p}.html" for p in ("trickle-body", "trickle-headers", "plain")]
        # Each trickle would last 20 s: well over the 2 s deadline, and every byte comes well
        # within the 5 s read timeout, so only a deadline on the whole response can stop it.
        run_cli("run", *urls, "--warehouse", str(wh), "--allow-private-hosts",
                env={**FAST_FETCH, "INGEST_FETCH_DEADLINE": "2"}, timeout=300)
    got = rejects(wh)
    assert got == {urls[0]: "response not complete within the 2 s deadline",
                   urls[1]: "response not complete within the 2 s deadline"}
    assert [t for (t,) in query(wh, "select title from documents")] == ["普通的讲话"]
    # not retried: a deadline is not a passing fault
    assert sum(1 for path, _ in site.log if "trickle" in path) == 2


def test_ipv6_literal_urls_are_fetched(run_cli, tmp_path):
    wh = tmp_path / "wh"
    with FixtureSite(host="::1") as site:
        site.routes["/news/v6.html"] = Page(article_html("经由IPv6抓取的讲话", speech(22)))
        url = f"{site.base}/news/v6.html"
        assert url.startswith("http://[::1]:")
        refused = run_cli("run", url, "--warehouse", str(wh), env=FAST_FETCH)
        assert "1 × private or loopback address refused: ::1 (::1)" in refused.stdout
        run_cli("run", url, "--warehouse", str(wh), "--allow-private-hosts", env=FAST_FETCH)
    assert query(wh, "select source_uri, title from documents") == [(url, "经由IPv6抓取的讲话")]


ODD_URLS = {
    "http://[::1/x.html": "malformed URL: Invalid IPv6 URL",
    "http://user@example.invalid/x.html": "URL with a user name or password refused (user@host)",
    "http://bob:hunter2-secret@example.invalid/x.html": "URL with a user name or password refused (user@host)",
    "http://example.invalid:99999/x.html": "malformed URL: Port out of range 0-65535",
    "http://example.invalid:8o/x.html": "malformed URL: Port could not be cast to integer value as '8o'",
    "http://exa mple.invalid/x.html": "invalid host name 'exa mple.invalid'",
    "http://.../x.html": "invalid host name '...'",
    "http://\u200b.invalid/x.html": "invalid host name '\\u200b.invalid'",  # a zero-width space, shown escaped
    "file:///etc/passwd": "scheme not allowed: file (only http and https)",
    "javascript:alert(1)": "scheme not allowed: javascript (only http and https)",
    "http://example.invalid/" + "a" * 5000: "URL too long (5023 characters, limit 4096)",
}


def test_odd_urls_on_the_command_line_and_in_a_feed_are_one_reject_each(run_cli, tmp_path):
    wh = tmp_path / "wh"
    from xml.sax.saxutils import escape

    with FixtureSite() as site, FixtureSite(host="::1") as site6:
        site.routes["/news/good.html"] = Page(article_html("好链接的讲话", speech(23)))
        site6.routes["/news/v6.html"] = Page(article_html("订阅里的IPv6讲话", speech(24)))
        listed = [f"{site.base}/news/good.html", f"{site6.base}/news/v6.html", *ODD_URLS]
        items = "".join(f"<item><title>t</title><link>{escape(u)}</link></item>" for u in listed)
        site.routes["/feed.xml"] = Page(f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                                        f"<title>t</title>{items}</channel></rss>".encode(), "application/rss+xml")
        feed_run = run_cli("run", f"{site.base}/feed.xml", "--warehouse", str(wh / "feed"), "--allow-private-hosts",
                           env=FAST_FETCH, timeout=300)
        cli_run = run_cli("run", f"{site.base}/news/good.html", *ODD_URLS, "--warehouse", str(wh / "cli"),
                          "--allow-private-hosts", env=FAST_FETCH, timeout=300)
    for proc, target, loaded in ((feed_run, wh / "feed", {"好链接的讲话", "订阅里的IPv6讲话"}),
                                 (cli_run, wh / "cli", {"好链接的讲话"})):
        assert "Traceback" not in proc.stderr
        assert {t for (t,) in query(target, "select title from documents")} == loaded
        got = query(target, "select reason from rejects order by reason")
        assert sorted(r for (r,) in got) == sorted(ODD_URLS.values()), got
        # a password in a URL is masked wherever the URL is kept or shown
        stored = query(target, "select source_uri from rejects")
        assert "http://bob:***@example.invalid/x.html" in {u for (u,) in stored}
        assert "hunter2" not in proc.stdout + proc.stderr
        assert not query(target, "select 1 from rejects where source_uri like '%hunter2%' or reason like '%hunter2%'")
