"""Every CLI command and every SQL macro is documented in the README (as sqlite-utils checks its docs)."""
import re

import click
import pytest

from conftest import ROOT
from ingest.cli import main

README = (ROOT / "README.md").read_text("utf-8")
MACRO = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?MACRO\s+(\w+)\s*\(", re.I)
# Python functions a session registers beside the macros (src/ingest/search.py).
SESSION_FUNCTIONS = ("segment", "segment_query")


def command_paths(group: click.Group, prefix: str = "ingest") -> list[str]:
    paths = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
    return paths


def macros() -> list[str]:
    return sorted({m for path in (ROOT / "warehouse").glob("*.sql") for m in MACRO.findall(path.read_text("utf-8"))})


def test_the_walk_finds_commands_and_macros():
    # guards the two lists below against silently finding nothing
    assert {"ingest run", "ingest search", "ingest eval dedup"} <= set(command_paths(main))
    assert {"term_per_month", "search_query", "search", "kwic", "collocates", "term_trend"} <= set(macros())


@pytest.mark.parametrize("path", command_paths(main))
def test_every_command_is_documented(path):
    assert re.search(rf"`{re.escape(path)}(?:[ `])", README), f"`{path}` is not described in README.md"


@pytest.mark.parametrize("name", macros() + list(SESSION_FUNCTIONS))
def test_every_macro_is_documented(name):
    assert re.search(rf"`{name}\(", README), f"macro {name}() is not described in README.md"
