"""Local files and directories: discover inputs recursively and read their bytes."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from ..model import RawInput

TEXT_SUFFIXES = (".txt", ".html", ".htm")
# The fetch cap for one web page is 10 MB; a file someone put on disk gets twice that. The longest
# speech or report is a few hundred KB, a forum thread saved as one page a few MB; what is larger
# is a dump or an accident. A run holds ~30 times a file's size at its peak (a one-line file of
# 5 MB: 0.4 GB RSS, of 20 MB: 0.93-0.96 GB (bench/hostile_memory.py); of 200 MB: 7 GB, and the
# run failed), so the cap keeps a run near 1 GB whatever lies in the directory.
DEFAULT_MAX_FILE_BYTES = 20 << 20
_SPECIAL_KINDS = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                  (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "directory"))


class SourceError(Exception):
    """A source named on the command line that cannot be used at all (fatal, clear message)."""


class UnreadableFile(OSError):
    """A planned file that is no longer what was planned (replaced by a FIFO, grown): not read."""


@dataclass(frozen=True)
class FileRules:
    """What a run takes from disk: files up to a size, and links out of a named directory or not."""

    max_bytes: int = DEFAULT_MAX_FILE_BYTES
    follow_links_outside: bool = False

    @classmethod
    def from_env(cls, max_bytes: int | None = None, follow_links_outside: bool = False) -> "FileRules":
        """The given cap, else $INGEST_MAX_FILE_BYTES, else the default."""
        env = os.environ.get("INGEST_MAX_FILE_BYTES", "").strip()
        return cls(max_bytes or (int(env) if env else DEFAULT_MAX_FILE_BYTES), follow_links_outside)


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file found on disk, with the facts that let an unchanged file be skipped cheaply."""

    path: str  # absolute, as stored in the warehouse (see `stored_name`)
    size: int
    mtime_ns: int
    problem: str = ""  # why it is rejected without being opened; "" when it is to be read
    disk_name: str = ""  # the name on disk, when it differs from `path` (not UTF-8)

    @property
    def disk_path(self) -> str:
        return self.disk_name or self.path


def stored_name(path: str) -> str:
    """PATH as the warehouse stores it: bytes that are not UTF-8 (which Python hands over as
    lone surrogates, and which Parquet and DuckDB cannot hold) written as backslash escapes,
    `bad-\\xff.txt`; every other name unchanged."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def sample_corpus_dir() -> Path:
    """The bundled sample corpus (five sample speeches plus repost variants)."""
    return Path(str(resources.files("ingest.data").joinpath("sample")))


def discover_files(sources: Iterable[str], rules: FileRules = FileRules()) -> Iterator[FileRef]:
    """Files named directly, and .txt/.html/.htm files under directories, in a stable order.

    A directory's own files come first (by name), then its subdirectories (by name); hidden
    entries and symlinked directories are not walked into. Symlinked files are followed within
    the named directory; a link leading out of it is rejected unless rules.follow_links_outside.
    Only regular files are read: FIFOs, devices and sockets are decided on by stat, never
    opened, and come back as refs with a `problem` (a reject reason), as do files over the cap.
    """
    for source in sources:
        path = Path(source).expanduser()
        if not path.exists():
            raise SourceError(f"no such file or directory: {stored_name(source)}")
        if not path.is_dir():  # named directly, links followed: the user named it
            yield _ref(str(path.resolve()), rules)
            continue
        real = os.path.realpath(path)
        yield from _walk(str(path), real, real, rules)


def _walk(top: str, real_top: str, root: str, rules: FileRules) -> Iterator[FileRef]:
    # One scandir per directory and no per-file realpath (which lstat-s every path component):
    # planning a run over 100k files is a stat per file, not a dozen.
    try:
        with os.scandir(top) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:  # unreadable directory: skipped, as os.walk does
        return
    subdirs = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not entry.is_symlink():
                subdirs.append(entry)
        elif entry.name.lower().endswith(TEXT_SUFFIXES):
            path = os.path.join(real_top, entry.name)
            if not entry.is_symlink():
                yield _ref(path, rules, entry)
                continue
            target = os.path.realpath(path)
            if not os.path.exists(target):
                yield _ref(path, rules)  # a broken link is named as itself; reading it rejects it
            elif not rules.follow_links_outside and os.path.commonpath([root, target]) != root:
                yield _rejected(path, f"symbolic link out of the named directory (to {stored_name(target)}); "
                                      "--follow-links-outside follows it")
            else:
                yield _ref(target, rules)
    for entry in subdirs:
        yield from _walk(entry.path, os.path.join(real_top, entry.name), root, rules)


def file_ref(path: str | os.PathLike) -> FileRef:
    """The FileRef of one file (its path resolved)."""
    return _ref(str(Path(path).resolve()), FileRules())


def _ref(path: str, rules: FileRules, entry: os.DirEntry | None = None) -> FileRef:
    name = stored_name(path)
    disk_name = path if name != path else ""
    try:
        st = entry.stat(follow_symlinks=False) if entry is not None else os.stat(path)
    except OSError:  # vanished or a broken link: planned anyway, so reading it rejects it with the reason
        return FileRef(name, -1, -1, disk_name=disk_name)
    kind = special_kind(st.st_mode)
    if kind:
        return FileRef(name, 0, st.st_mtime_ns, f"not a regular file ({kind}): not opened", disk_name)
    if st.st_size > rules.max_bytes:
        return FileRef(name, st.st_size, st.st_mtime_ns, f"file too large ({st.st_size} bytes, limit "
                       f"{rules.max_bytes}; --max-file-bytes raises it)", disk_name)
    return FileRef(name, st.st_size, st.st_mtime_ns, disk_name=disk_name)


def _rejected(path: str, problem: str) -> FileRef:
    name = stored_name(path)
    return FileRef(name, 0, -1, problem, path if name != path else "")


def special_kind(mode: int) -> str | None:
    """What a non-regular file is ("FIFO", "socket" ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "special file")


def read_file(ref: FileRef) -> RawInput:
    """The file's bytes as they are on disk: at most the size planned, from a regular file only.

    Between planning and reading, a file may have been swapped for a FIFO (opened without
    blocking, then refused) or have grown (refused, not read to its end: the next run reads it).
    """
    path = ref.disk_path
    kind = special_kind(os.stat(path).st_mode)
    if kind:
        raise UnreadableFile(f"not a regular file ({kind}): not opened")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind:
            raise UnreadableFile(f"not a regular file ({kind}): not read")
        planned = max(ref.size, 0)
        data = fh.read(planned + 1)
    if len(data) > planned:
        raise UnreadableFile(f"file grew while the run was reading it (planned {planned} bytes); "
                             "the next run reads it")
    return RawInput(
        source_uri=ref.path,
        source_kind="file",
        data=data,
        fetched_at=datetime.now(timezone.utc).replace(tzinfo=None),
        suffix=Path(ref.path).suffix.lower(),
    )
