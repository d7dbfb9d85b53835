"""sources.yaml: defaults, per-source options, and errors that name the file, the entry and the field."""
import pytest

from ingest.sources.config import SourceSpec, load_sources_file
from ingest.sources.files import SourceError


def test_sources_file_with_defaults(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("""
defaults: {delay: 2, max_pages: 100}
sources:
  - https://bbs.example.cn/forum.php?mod=forumdisplay&fid=2
  - url: https://news.example.cn/feed.xml
    kind: feed
    include: ['/20\\d\\d/']
    exclude: ['/video/']
    max_depth: 1
""", "utf-8")
    board, feed = load_sources_file(path)
    assert board.delay == 2 and board.max_pages == 100 and board.kind == "auto"
    assert feed.kind == "feed" and feed.max_depth == 1 and feed.wants("https://n/2024/a.html")
    assert not feed.wants("https://n/2024/video/a.html") and not feed.wants("https://n/about.html")


@pytest.mark.parametrize("text,message", [
    ("sources:\n  - url: ftp://x/y\n", "source #1 (ftp://x/y): url: scheme not allowed: ftp (only http and https)"),
    ("sources:\n  - url: http://x:99999/\n", "source #1 (http://x:99999/): url: malformed URL: Port out of range"),
    ("sources:\n  - url: not a url\n", "source #1 (not a url): url: Value error, not an http(s) URL"),
    ("sources:\n  - url: http://x/\n    max_pages: 0\n", "max_pages"),
    ("sources:\n  - url: http://x/\n    include: ['(']\n", "bad pattern"),
    ("sources:\n  - url: http://x/\n    colour: red\n", "colour"),
    ("sources: [\n", "not valid YAML"),
    ("{}\n", "sources: Field required"),
])
def test_errors_are_clear(tmp_path, text, message):
    path = tmp_path / "s.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(SourceError) as err:
        load_sources_file(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="cannot read sources file"):
        load_sources_file(tmp_path / "nope.yaml")


def test_spec_canonicalises_url():
    assert SourceSpec(url="HTTP://Example.cn/feed.xml#x").url == "http://example.cn/feed.xml"
