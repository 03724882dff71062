"""Huge pages for the dataset's memory: `srg serve` starts again with glibc's tunable for them.

The query worker holds the dataset in the engine's in-memory indexes, which the C library's
malloc lays out in 4 KiB pages; a query's walk over them misses the processor's cache of
page addresses (the TLB) less when the kernel backs them with 2 MiB pages. The kernel does
so for memory a process asks it to (`madvise`, the usual setting of its transparent huge
pages), and glibc's malloc asks only with its tunable `glibc.malloc.hugetlb=1`, which glibc
reads once, when a process starts. So `srg serve` starts itself again with the tunable before
anything else (`srg_graph.__main__`), and the zygote and the workers it forks inherit it:
measured, cold queries 6-10% quicker at 1M and 10M quads (bench/README.md, tenth session).
`SRG_HUGE_PAGES=off` leaves the process as started; so does a `GLIBC_TUNABLES` that names
the tunable already (an operator's choice).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from ..config import switch

TUNABLE = "glibc.malloc.hugetlb"
KERNEL_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")
FIRST_GLIBC = (2, 35)  # the first to know the tunable


def _glibc() -> tuple[int, ...]:
    """This process's glibc version; () under another C library."""
    try:
        name, version = (os.confstr("CS_GNU_LIBC_VERSION") or "").split()
        return tuple(int(part) for part in version.split(".")) if name == "glibc" else ()
    except ValueError:
        return ()


def _tunables(environ: Mapping[str, str]) -> list[str]:
    return [t for t in environ.get("GLIBC_TUNABLES", "").split(":") if t]


def environment(environ: Mapping[str, str]) -> dict[str, str] | None:
    """The environment to start again in, or None when this one stays: huge pages are off
    (`SRG_HUGE_PAGES`), the C library does not know the tunable, or it is set already."""
    if not switch("SRG_HUGE_PAGES", "on", environ) or _glibc() < FIRST_GLIBC:
        return None
    tunables = _tunables(environ)
    if any(t.partition("=")[0] == TUNABLE for t in tunables):
        return None
    return {**environ, "GLIBC_TUNABLES": ":".join([*tunables, f"{TUNABLE}=1"])}


def start_again_with_huge_pages() -> None:
    """Replace this process by the same command with huge pages asked for (same process id,
    same open files), unless `environment` says this one stays."""
    changed = environment(os.environ)
    if changed is not None:
        os.execve(sys.executable, sys.orig_argv, changed)


@cache
def in_use() -> bool:
    """Whether this process's malloc asks for huge pages and the kernel gives them."""
    asked = f"{TUNABLE}=1" in _tunables(os.environ) and _glibc() >= FIRST_GLIBC
    kernel = KERNEL_SETTING.read_text() if KERNEL_SETTING.is_file() else "[never]"
    return asked and "[never]" not in kernel
