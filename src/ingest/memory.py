"""How a run uses memory: Arrow's allocator, and what a stage freed handed back before the next one."""
from __future__ import annotations

import ctypes
import functools
import gc
import os
import sys


def trim_heap() -> None:
    """Return the C heap's free pages: many small arrays and strings freed in the middle of the
    heap stay in the process's RSS until then (glibc; elsewhere the allocator keeps what it keeps)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    # loaded once: a CDLL per call left a reference cycle each time (the candidate search trims ~15 times)
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Between stages (staging -> decision -> load): the decision's many small arrays and strings
    left the allocators holding hundreds of MB they no longer used, under the load's buffers."""
    gc.collect()
    pa = sys.modules.get("pyarrow")  # a run that built no Arrow table has nothing to release there
    if pa is not None:
        pa.default_memory_pool().release_unused()
    trim_heap()


def use_system_allocator() -> None:
    """Arrow allocates through the C library's malloc unless $ARROW_DEFAULT_MEMORY_POOL names another.

    Arrow's default mimalloc pool kept what a run's many short-lived tables had used: at 60 MB
    of real paragraphs the run's process tree peaked ~150 MB higher with it (each staging
    worker and the main process alike), for no measurable speed. Called where the run's tables
    are built (storage.tables): the analyst commands need no pyarrow.
    """
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
