"""A run's lists of files packed into a few compressed byte strings: its plan, batches and parts."""
from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence

from .files import FileRef

_STRINGS = ("path", "problem", "disk_name")
FORMAT = 1


def pack_files(refs: list[FileRef]) -> dict:
    """`refs` as a few compressed columns instead of an object a file: the paths' text
    compresses well (they share their directories); 3.4 MB for 360,311 notices' files.

    Pickled one object at a time, the 360,311 files of 120 MB of notices were 30 MB, 41 MB as the
    record Prefect persists for the plan task, and ~90 MB of the flow process's RSS while it
    wrote them.
    """
    packed = {"format": FORMAT, "size": _ints([r.size for r in refs]), "mtime_ns": _ints([r.mtime_ns for r in refs])}
    for name in _STRINGS:
        # surrogatepass: a name that is not UTF-8 on disk (disk_name) holds lone surrogates
        encoded = [getattr(r, name).encode("utf-8", "surrogatepass") for r in refs]
        packed[name] = (_ints([len(e) for e in encoded]), zlib.compress(b"".join(encoded), 1))
    return packed


def unpack_files(packed: dict) -> list[FileRef]:
    """What pack_files packed: equal FileRefs, in the same order."""
    if packed.get("format") != FORMAT:
        raise ValueError(f"a plan's files packed in format {packed.get('format')!r}, not {FORMAT}: plan the run again")
    columns = {}
    for name in _STRINGS:
        lengths, data = packed[name]
        text, at, values = zlib.decompress(data), 0, []
        for n in _unints(lengths):
            values.append(text[at:at + n].decode("utf-8", "surrogatepass"))
            at += n
        columns[name] = values
    return [FileRef(p, s, m, problem, disk) for p, s, m, problem, disk
            in zip(columns["path"], _unints(packed["size"]), _unints(packed["mtime_ns"]),
                   columns["problem"], columns["disk_name"])]


class FileBatch(Sequence):
    """A batch (or a part of one) of FileRefs, held packed and unpacked when iterated.

    The plan's batches and the parts queued for the staging workers are held as these until each
    is staged: at 360,311 notices an object a file was 117 MB of the flow process's RSS for the
    whole staging. Equal to any sequence of the same FileRefs.
    """

    __slots__ = ("_packed", "_len")

    def __init__(self, refs: Iterable[FileRef] = ()) -> None:
        refs = list(refs)
        self._packed, self._len = pack_files(refs), len(refs)

    def refs(self) -> list[FileRef]:
        """The files, unpacked (a new list each call)."""
        return unpack_files(self._packed) if self._len else []

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[FileRef]:
        return iter(self.refs())

    def __getitem__(self, i):
        return self.refs()[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FileBatch):
            return self._len == other._len and self.refs() == other.refs()
        return isinstance(other, Sequence) and not isinstance(other, (str, bytes)) and self.refs() == list(other)

    __hash__ = None

    def __reduce__(self):
        return _restore, (self._packed, self._len)

    def __repr__(self) -> str:
        return f"FileBatch({self._len} files)"


def _restore(packed: dict, n: int) -> FileBatch:
    batch = FileBatch.__new__(FileBatch)
    batch._packed, batch._len = packed, n
    return batch


def _ints(values: list[int]) -> bytes:
    return zlib.compress(array("q", values).tobytes(), 1)


def _unints(data: bytes) -> list[int]:
    values = array("q")
    values.frombytes(zlib.decompress(data))
    return values.tolist()
