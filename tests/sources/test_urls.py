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
