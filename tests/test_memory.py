"""Freed heap memory goes back to the system after a large request (`memory`).

glibc keeps freed chunks for reuse while a chunk above them is in use, so a process that once
answered a large request would keep its peak; `give_back_freed_memory` must return it.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

from srg_graph.runtime.memory import give_back_freed_memory

CHUNKS, SIZE = 100_000, 1024  # 100 MB in chunks small enough to come from the heap


def resident() -> int:
    """This process's resident memory in bytes (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def test_freed_heap_memory_is_given_back() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    chunks = [libc.malloc(SIZE) for _ in range(CHUNKS)]
    for chunk in chunks:
        ctypes.memset(chunk, 1, SIZE)  # touched, so resident
    for chunk in chunks[:-1]:  # the last stays: the heap cannot shrink from its top
        libc.free(chunk)
    kept = resident()
    give_back_freed_memory()
    assert kept - resident() > CHUNKS * SIZE // 2
    libc.free(chunks[-1])
