"""robots.txt rules: our group or `*`, longest match wins, wildcards and end anchors (Discuz! defaults)."""
from ingest.sources.robots import parse_robots

DISCUZ_DEFAULT = """
User-agent: *
Disallow: /api/
Disallow: /forum.php?mod=redirect*
Disallow: /forum.php?mod=post*
Disallow: /*?mod=misc*
Disallow: /*.php$
Allow: /forum.php$
Crawl-delay: 2

User-agent: BadBot
Disallow: /
"""


def test_discuz_default_robots():
    rules = parse_robots(DISCUZ_DEFAULT, "speech-ingest")
    ok = lambda path: rules.allowed("http://h" + path)
    assert ok("/forum.php?mod=viewthread&tid=5") and ok("/archiver/?tid-5.html") and ok("/forum.php")
    assert not ok("/forum.php?mod=redirect&tid=5&goto=lastpost") and not ok("/api/x")
    assert not ok("/home.php?mod=misc&ac=x") and not ok("/member.php")
    assert rules.crawl_delay == 2


def test_named_group_wins_over_star():
    text = "User-agent: *\nDisallow: /\n\nUser-agent: speech-ingest\nUser-agent: other\nDisallow: /private/\n"
    rules = parse_robots(text, "speech-ingest")
    assert rules.allowed("http://h/news/a.html") and not rules.allowed("http://h/private/x")
    assert not parse_robots(DISCUZ_DEFAULT, "badbot").allowed("http://h/anything")


def test_longest_match_and_allow_on_tie():
    rules = parse_robots("User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n", "x")
    assert not rules.allowed("http://h/a/x") and rules.allowed("http://h/a/b/x") and not rules.allowed("http://h/a/b/c")
    assert parse_robots("User-agent: *\nDisallow:\n", "x").allowed("http://h/")
