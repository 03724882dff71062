"""Handing the heap memory a large request freed back to the system.

The C allocator (glibc) keeps what a request freed for reuse, in each thread's arena: after
one large answer or evaluation (a dump at a million triples grows the query worker's heap by
about 300 MiB) a process would keep that peak for good. `malloc_trim` returns the free pages
in about 0.1 ms, so it is called after every request that ran long enough to have grown the
heap (`TRIM_AFTER`), in the query worker and in the server.
"""

from __future__ import annotations

import ctypes
from contextlib import suppress

TRIM_AFTER = 0.02  # seconds
_LIBC = ctypes.CDLL(None)


def give_back_freed_memory() -> None:
    with suppress(AttributeError):  # a C library other than glibc has no malloc_trim
        _LIBC.malloc_trim(0)
