"""Handing memory a stage freed back to the system, so the next stage does not stack on top of it."""
from __future__ import annotations

import ctypes
import gc
import sys


def trim_heap() -> None:
    """Return the C heap's free pages: many small arrays and strings freed in the middle of the
    heap stay in the process's RSS until then (glibc; elsewhere the allocator keeps what it keeps)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def release_memory() -> None:
    """Between stages (staging -> decision -> load): the decision's many small arrays and strings
    left the allocators holding hundreds of MB they no longer used, under the load's buffers."""
    gc.collect()
    pa = sys.modules.get("pyarrow")  # a run that built no Arrow table has nothing to release there
    if pa is not None:
        pa.default_memory_pool().release_unused()
    trim_heap()
