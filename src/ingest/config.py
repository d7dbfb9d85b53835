"""Validated parameters of an ingest run, shared by the CLI, the flow and the deployments."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from .sources.urls import names_url

DASK_ADDRESS_RE = re.compile(r"^(tcp|tls|inproc|ucx)://[^\s/]+(:\d+)?/?$")


class ParameterError(ValueError):
    """Run parameters that cannot work, with a message that names the field and the fix."""


class IngestParams(BaseModel):
    """What one ingest run reads, where it writes, and how it executes."""

    model_config = ConfigDict(extra="forbid")

    sources: list[str] | None = None
    sources_file: str | None = None
    allow_private_hosts: bool = False
    warehouse: str | None = None
    segmenter: Literal["rjieba", "jieba"] = "rjieba"
    runner: Literal["default", "dask"] = "default"
    dask_address: str | None = None
    dask_workers: int = 2
    max_file_bytes: int | None = None  # None: $INGEST_MAX_FILE_BYTES or the default (sources.files)
    follow_links_outside: bool = False

    @field_validator("sources")
    @classmethod
    def _sources_exist(cls, value: list[str] | None) -> list[str] | None:
        for source in value or []:
            if not source.strip():
                raise ValueError("empty source in the list")
            if not names_url(source) and not Path(source).expanduser().exists():
                raise ValueError(f"no such file or directory: {source}")
        return value or None

    @field_validator("sources_file")
    @classmethod
    def _sources_file_exists(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).expanduser().is_file():
            raise ValueError(f"sources file not found: {value} (a sources.yaml of URLs to fetch)")
        return value

    @field_validator("dask_address")
    @classmethod
    def _dask_address_form(cls, value: str | None) -> str | None:
        if value is not None and not DASK_ADDRESS_RE.match(value):
            raise ValueError(f"not a Dask scheduler address: {value!r} (expected e.g. tcp://10.0.0.5:8786)")
        return value

    @field_validator("dask_workers")
    @classmethod
    def _positive_workers(cls, value: int) -> int:
        if not 1 <= value <= 256:
            raise ValueError("dask_workers must be between 1 and 256")
        return value

    @field_validator("max_file_bytes")
    @classmethod
    def _positive_cap(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("max_file_bytes must be at least 1")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "IngestParams":
        if self.dask_address and self.runner != "dask":
            raise ValueError("dask_address is set but runner is 'default'; set runner to 'dask'")
        return self


def validate_params(**values) -> IngestParams:
    """IngestParams or a ParameterError listing every problem as 'field: message'."""
    try:
        return IngestParams(**values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "parameters"
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{field}: {msg}")
        raise ParameterError("invalid ingest parameters: " + "; ".join(problems)) from None
