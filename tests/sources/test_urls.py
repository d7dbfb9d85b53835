"""URL canonical form, schemes, and the private-address refusal (with DNS resolution)."""
import pytest

from ingest.sources.urls import ForbiddenURL, allow_private_from_env, canonical_url, check_public_host, is_url


def test_canonical_url_drops_fragment_default_port_and_tracking():
    assert canonical_url("HTTP://Example.COM:80/a/b.html?utm_source=x&id=3#top") == "http://example.com/a/b.html?id=3"
    assert canonical_url("https://example.com:8443") == "https://example.com:8443/"
    assert canonical_url("../x.html", base="http://h/a/b/c.html") == "http://h/a/x.html"
    # Discuz archiver queries are not key=value lists: left as they are.
    assert canonical_url("http://h/archiver/?tid-5.html&page=2") == "http://h/archiver/?tid-5.html&page=2"


def test_is_url():
    assert is_url("http://a.b/c") and is_url("https://a.b")
    assert not is_url("/tmp/file.txt") and not is_url("ftp://a.b/c") and not is_url("C:/x")


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.1.2.3/x", "http://[::1]/", "http://localhost:8080/",
                                 "http://169.254.169.254/latest/meta-data", "http://192.168.1.1/", "http://0.0.0.0/"])
def test_private_and_loopback_hosts_refused(url):
    with pytest.raises(ForbiddenURL, match="private or loopback"):
        check_public_host(url)
    check_public_host(url, allow_private=True)


def test_only_http_and_https():
    with pytest.raises(ForbiddenURL, match="scheme not allowed"):
        check_public_host("file:///etc/passwd", allow_private=True)
    with pytest.raises(ForbiddenURL, match="scheme not allowed"):
        check_public_host("gopher://h/", allow_private=True)


def test_names_are_resolved_before_deciding():
    # localhost.localdomain-style names resolve to loopback on this machine (hosts file).
    with pytest.raises(ForbiddenURL):
        check_public_host("http://localhost./")


def test_public_literal_address_allowed():
    check_public_host("http://8.8.8.8/")


def test_env_switch(monkeypatch):
    monkeypatch.setenv("INGEST_ALLOW_PRIVATE_HOSTS", "1")
    assert allow_private_from_env()
    monkeypatch.setenv("INGEST_ALLOW_PRIVATE_HOSTS", "0")
    assert not allow_private_from_env()


def test_is_public_address():
    from ingest.sources.urls import is_public_address

    assert is_public_address("8.8.8.8") and is_public_address("2001:4860:4860::8888")
    assert not is_public_address("127.0.0.1") and not is_public_address("::ffff:10.0.0.1")
    assert not is_public_address("fe80::1%eth0") and not is_public_address("not-an-ip")


@pytest.mark.parametrize("url,reason", [
    ("http://[::1/", "malformed URL: Invalid IPv6 URL"),
    ("http://x:99999/", "malformed URL: Port out of range 0-65535"),
    ("http://u:p@x/", "URL with a user name or password refused (user@host)"),
    ("http://a b/", "invalid host name 'a b'"),
    ("http://xn--/", "invalid host name 'xn--'"),
    ("http://x/\n", "URL contains control characters"),
    ("javascript:alert(1)", "scheme not allowed: javascript (only http and https)"),
    ("http://x/" + "a" * 5000, "URL too long (5009 characters, limit 4096)"),
])
def test_url_problems(url, reason):
    from ingest.sources.urls import url_problem

    assert url_problem(url) == reason
    with pytest.raises(ForbiddenURL, match="."):
        check_public_host(url, allow_private=True)


@pytest.mark.parametrize("url", ["http://[::1]:8080/x", "http://例子.测试/", "http://a_b.example.com/", "http://h./"])
def test_well_formed_urls_have_no_problem(url):
    from ingest.sources.urls import url_problem

    assert url_problem(url) is None


def test_canonical_url_keeps_ipv6_brackets_and_never_raises():
    assert canonical_url("HTTP://[::1]:8080/a#x") == "http://[::1]:8080/a"
    assert canonical_url("http://[::1]:80/") == "http://[::1]/"
    for bad in ("http://[::1/", "http://x:99999/", "http://u@x/"):
        assert canonical_url(bad) == bad
    assert canonical_url("http://[::1/y", base="http://h/") == "http://[::1/y"


def test_sources_that_name_urls(tmp_path, monkeypatch):
    from ingest.sources.urls import names_url, printable_url

    assert names_url("http://x/") and names_url("file:///etc/passwd") and names_url("javascript:alert(1)")
    assert not names_url("C:/x") and not names_url("notes.txt")
    monkeypatch.chdir(tmp_path)
    assert names_url("about:x")
    (tmp_path / "about:x").write_text("a file, not a URL")
    assert not names_url("about:x")
    assert printable_url("http://x/a\udcff") == "http://x/a%FF"
