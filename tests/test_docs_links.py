"""Every relative link in README.md and docs/*.md leads to a file that exists, and to a heading it has."""
import re
from pathlib import Path

import pytest

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE_BLOCK = re.compile(r"^```.*?^```", re.S | re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def prose(page: Path) -> str:
    # links and headings inside code blocks (a `# comment` in bash) are not Markdown
    return CODE_BLOCK.sub("", page.read_text("utf-8"))


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def relative_links(page: Path) -> list[str]:
    return [link for link in LINK.findall(prose(page)) if not re.match(r"[a-z]+:", link)]


def test_the_walk_finds_pages_and_links():
    # guards the test below against silently checking nothing
    assert len(PAGES) > 5
    assert "docs/benchmark.md" in relative_links(ROOT / "README.md")
    assert anchor("Concordance, collocations, trends: the details") == "concordance-collocations-trends-the-details"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page):
    for link in relative_links(page):
        path, _, fragment = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.is_file(), f"{page.name}: link to a missing file: {link}"
        if fragment:
            headings = re.findall(r"^#+ (.*)$", prose(target), re.M)
            assert fragment in {anchor(h) for h in headings}, f"{page.name}: no heading for {link}"
