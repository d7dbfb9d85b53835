"""Sources to fetch: URLs from the command line or a sources.yaml file, validated with clear errors."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .files import SourceError
from .urls import canonical_url, names_url, printable_url, url_problem


class SourceSpec(BaseModel):
    """One source to fetch and how: its URL, kind, which links to follow, and how many and how fast."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    kind: Literal["auto", "article", "feed", "sitemap", "forum"] = "auto"
    include: tuple[str, ...] = ()  # regexes; a discovered URL must match one (when any are given)
    exclude: tuple[str, ...] = ()  # regexes; a discovered URL matching one is skipped
    # A first run over a board must see all of it (a later run would otherwise pick up old
    # threads as "new"); the per-host delay is what keeps this polite.
    max_pages: int = Field(5000, ge=1)  # requests for this source per run
    max_depth: int = Field(100, ge=0)  # list/sitemap/paging hops from the source URL
    max_thread_pages: int = Field(50, ge=1)
    delay: float | None = Field(None, ge=0, le=600)  # seconds between requests to the host
    revisit: bool = False  # re-request known discovered items (conditional GET) on every run
    name: str | None = None

    @field_validator("url")
    @classmethod
    def _a_url(cls, value: str) -> str:
        # Only "is it meant as a URL": a malformed one (a bad port, a user@host, another scheme)
        # named on the command line is rejected by the fetch, one reject, not the whole run.
        # A sources file is checked strictly when it is loaded (`load_sources_file`).
        if not names_url(value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return canonical_url(printable_url(value))

    @field_validator("include", "exclude")
    @classmethod
    def _regexes(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in values:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad pattern {pattern!r}: {exc}") from None
        return values

    def wants(self, url: str) -> bool:
        if self.include and not any(re.search(p, url) for p in self.include):
            return False
        return not any(re.search(p, url) for p in self.exclude)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: dict = {}
    sources: list[dict | str]


def load_sources_file(path: str | Path) -> list[SourceSpec]:
    """Parse sources.yaml; any problem is a SourceError naming the file, the entry and the field."""
    path = Path(path).expanduser()
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise SourceError(f"cannot read sources file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise SourceError(f"{path}: not valid YAML: {exc}") from None
    if isinstance(data, list):
        data = {"sources": data}
    try:
        parsed = SourcesFile.model_validate(data or {})
    except ValidationError as exc:
        raise SourceError(f"{path}: {_first_error(exc)}") from None
    specs = []
    for i, entry in enumerate(parsed.sources, 1):
        fields = {**parsed.defaults, **({"url": entry} if isinstance(entry, str) else entry)}
        try:
            spec = SourceSpec.model_validate(fields)
        except ValidationError as exc:
            raise SourceError(f"{path}: source #{i} ({fields.get('url', '?')}): {_first_error(exc)}") from None
        problem = url_problem(spec.url)
        if problem:
            raise SourceError(f"{path}: source #{i} ({spec.url}): url: {problem}")
        specs.append(spec)
    return specs


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "file"
    return f"{where}: {err['msg']}"
