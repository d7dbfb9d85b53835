"""Local files and directories: discover inputs recursively and read their bytes."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from ..model import RawInput

TEXT_SUFFIXES = (".txt", ".html", ".htm")


class SourceError(Exception):
    """A source named on the command line that cannot be used at all (fatal, clear message)."""


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file found on disk, with the facts that let an unchanged file be skipped cheaply."""

    path: str  # absolute
    size: int
    mtime_ns: int


def sample_corpus_dir() -> Path:
    """The bundled sample corpus (five sample speeches plus repost variants)."""
    return Path(str(resources.files("ingest.data").joinpath("sample")))


def discover_files(sources: Iterable[str]) -> Iterator[FileRef]:
    """Files named directly, and .txt/.html/.htm files under directories, in a stable order."""
    for source in sources:
        path = Path(source).expanduser()
        if not path.exists():
            raise SourceError(f"no such file or directory: {source}")
        if path.is_file():
            yield _ref(path)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.lower().endswith(TEXT_SUFFIXES) and not name.startswith("."):
                    yield _ref(Path(root) / name)


def _ref(path: Path) -> FileRef:
    st = path.stat()
    return FileRef(str(path.resolve()), st.st_size, st.st_mtime_ns)


def read_file(ref: FileRef) -> RawInput:
    """The file's bytes as they are on disk."""
    data = Path(ref.path).read_bytes()
    return RawInput(
        source_uri=ref.path,
        source_kind="file",
        data=data,
        fetched_at=datetime.now(timezone.utc).replace(tzinfo=None),
        suffix=Path(ref.path).suffix.lower(),
    )
