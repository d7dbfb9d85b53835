"""RSS, Atom and sitemap parsing; XML with entity declarations is refused."""
import pytest

from ingest.sources.feeds import FeedError, feed_entries, sitemap_entries, xml_kind

RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>\xe8\xae\xb2\xe8\xaf\x9d</title><link>http://h/a1.html</link><pubDate>Mon, 04 Nov 2024 08:00:00 GMT</pubDate></item>
<item><guid>http://h/a2.html</guid></item></channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>x</title><link rel="alternate" href="http://h/b1.html"/><updated>2024-11-04T08:00:00Z</updated></entry>
<entry><link rel="self" href="http://h/self"/><link href="http://h/b2.html"/></entry></feed>"""
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://h/s1.xml</loc><lastmod>2024-11-01</lastmod></sitemap></sitemapindex>"""
URLSET = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://h/c1.html</loc><lastmod>2024-11-02T10:00:00+08:00</lastmod></url><url><loc>http://h/c2.html</loc></url></urlset>"""


def test_kinds():
    assert xml_kind(RSS) == "feed" and xml_kind(ATOM) == "feed"
    assert xml_kind(INDEX) == "sitemapindex" and xml_kind(URLSET) == "sitemap"
    assert xml_kind(b"<!DOCTYPE html><html></html>") is None and xml_kind(b"<?xml version='1.0'?><x/>") is None


def test_rss_and_atom_links_and_dates():
    rss = feed_entries(RSS)
    assert [e.url for e in rss] == ["http://h/a1.html", "http://h/a2.html"]
    assert rss[0].updated.year == 2024 and rss[0].title == "讲话"
    atom = feed_entries(ATOM)
    assert [e.url for e in atom] == ["http://h/b1.html", "http://h/b2.html"]
    assert atom[0].updated.hour == 8


def test_sitemaps():
    assert [e.url for e in sitemap_entries(INDEX)] == ["http://h/s1.xml"]
    entries = sitemap_entries(URLSET)
    assert [e.url for e in entries] == ["http://h/c1.html", "http://h/c2.html"]
    assert entries[0].updated.hour == 2  # +08:00 normalised to UTC
    assert entries[1].updated is None


def test_entity_declarations_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><rss><channel><item><link>&lol;</link></item></channel></rss>'
    with pytest.raises(FeedError, match="DOCTYPE"):
        feed_entries(bomb)
    with pytest.raises(FeedError, match="malformed"):
        feed_entries(b"<rss><channel>")
