"""The real fetcher against a local news site: every fault ends in a reason, the rest comes back 200."""
import time

import pytest

from fixture_sites import Page, news_site
from ingest.sources.web import USER_AGENT, FetchPolicy, HttpFetcher

FAST = dict(allow_private_hosts=True, timeout_s=1.0, retries=1, backoff_s=0.05, delay_s=0.0, max_bytes=1 << 20)


@pytest.fixture(scope="module")
def site():
    with news_site() as s:
        yield s


@pytest.fixture
def fetcher():
    with HttpFetcher(FetchPolicy(**FAST)) as f:
        yield f


def test_article_ok_with_validators_and_project_user_agent(site, fetcher):
    seen = {}
    site.routes["/ua.html"] = lambda h, n: seen.update(ua=h.headers.get("User-Agent")) or Page(b"<html>x</html>")
    resp = fetcher.get(site.base + "/news/a1.html")
    assert resp.ok and resp.headers["etag"] and "示例讲话第1篇".encode() in resp.body
    fetcher.get(site.base + "/ua.html")
    assert seen["ua"] == USER_AGENT and "speech-ingest" in USER_AGENT


def test_conditional_get_answers_304(site, fetcher):
    first = fetcher.get(site.base + "/news/a2.html")
    again = fetcher.get(site.base + "/news/a2.html", etag=first.headers["etag"])
    assert again.not_modified and again.body == b"" and again.error is None


@pytest.mark.parametrize("path,reason", [
    ("/news/missing.html", "HTTP 404"),
    ("/news/slow.html", "timeout"),
    ("/news/huge.html", "response too large"),
    ("/news/loop-a.html", "too many redirects"),
    ("/news/picture.png", "unsupported content type image/png"),
    ("/private/secret.html", "disallowed by robots.txt"),
])
def test_faults_end_in_a_reason(site, fetcher, path, reason):
    resp = fetcher.get(site.base + path)
    assert not resp.ok and reason in resp.error


def test_retries_5xx_then_succeeds(site, fetcher):
    site.hits.pop("/news/flaky.html", None)
    resp = fetcher.get(site.base + "/news/flaky.html")
    assert resp.ok and resp.attempts == 2


def test_no_retry_on_404(site, fetcher):
    before = len(site.requests_for(r"/news/missing\.html"))
    fetcher.get(site.base + "/news/missing.html")
    assert len(site.requests_for(r"/news/missing\.html")) == before + 1


def test_private_hosts_refused_by_default(site):
    with HttpFetcher(FetchPolicy(**{**FAST, "allow_private_hosts": False})) as f:
        before = len(site.log)
        resp = f.get(site.base + "/news/a1.html")
    assert "private or loopback" in resp.error and len(site.log) == before  # not even robots.txt


def test_every_redirect_hop_is_checked(site):
    site.routes["/go-ftp.html"] = Page(b"", status=302, headers={"Location": "ftp://example.com/x"})
    with HttpFetcher(FetchPolicy(**FAST)) as f:
        assert "scheme not allowed" in f.get(site.base + "/go-ftp.html").error


def test_per_host_delay(site):
    with HttpFetcher(FetchPolicy(**{**FAST, "delay_s": 0.3})) as f:
        f.get(site.base + "/news/a1.html")
        t = time.monotonic()
        f.get(site.base + "/news/a3.html")
        assert time.monotonic() - t >= 0.28


def test_the_connected_address_is_checked_too(site):
    """Against DNS rebinding: the address actually connected to is checked after the name was."""
    import httpx

    from ingest.sources.web import connected_address

    with httpx.Client() as client, client.stream("GET", site.base + "/news/a1.html") as r:
        assert connected_address(r) == "127.0.0.1"
