"""`srg serve` keeps the dataset's memory in the kernel's huge pages (runtime/huge_pages.py).

It starts again with glibc's tunable `glibc.malloc.hugetlb=1` (same process id), which the
zygote and the query worker inherit; `/health` says whether the pages are in use. Off with
`SRG_HUGE_PAGES=off`; an operator's own `GLIBC_TUNABLES` are kept, and their choice on the
tunable left alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from conftest import running_server
from server import ROOT, Server

from srg_graph.config import Settings
from srg_graph.runtime.huge_pages import KERNEL_SETTING, environment
from srg_graph.validation.report import Report

ASKED = "glibc.malloc.hugetlb=1"
KERNEL_GIVES = KERNEL_SETTING.is_file() and "[never]" not in KERNEL_SETTING.read_text()


def started_with(pid: int) -> str:
    """The environment a running process was started with, as the kernel keeps it (glibc
    may split `GLIBC_TUNABLES` there as it reads it; its own copy stays whole)."""
    return Path(f"/proc/{pid}/environ").read_bytes().decode()


def advised(pid: int) -> int:
    """How many of the process's mappings malloc asked the kernel to back with huge pages
    (`hg` among their flags: madvise's MADV_HUGEPAGE). Whether the kernel has done so yet
    shows in AnonHugePages, which a dataset as small as the seed may not fill at once."""
    lines = Path(f"/proc/{pid}/smaps").read_text().splitlines()
    return sum(1 for line in lines if line.startswith("VmFlags:") and " hg" in line)


def processes(server: Server) -> list[psutil.Process]:
    """The server and its children: the zygote and the query worker."""
    assert server.process is not None
    top = psutil.Process(server.process.pid)
    return [top, *top.children(recursive=True)]


def health(server: Server) -> dict[str, object]:
    with server.client() as http:
        return http.get("/health").raise_for_status().json()


def test_the_dataset_is_served_from_huge_pages(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    with running_server(settings, seed_report, tmp_path) as server:
        family = processes(server)
        assert len(family) >= 3, "the server, its zygote and a query worker"
        for process in family:
            assert ASKED in started_with(process.pid), process.cmdline()
            assert advised(process.pid) > 0, process.cmdline()
        assert health(server)["huge_pages"] is KERNEL_GIVES


def test_off_leaves_the_process_as_started(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    with running_server(settings, seed_report, tmp_path, SRG_HUGE_PAGES="off") as server:
        assert all(ASKED not in started_with(p.pid) for p in processes(server))
        assert all(advised(p.pid) == 0 for p in processes(server))
        assert health(server)["huge_pages"] is False


def test_an_operators_tunables_are_kept_and_their_choice_left(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    own = "glibc.malloc.trim_threshold=1048576"
    with running_server(settings, seed_report, tmp_path / "a", GLIBC_TUNABLES=own) as server:
        pid = server.process.pid  # type: ignore[union-attr]
        assert own in started_with(pid) and ASKED in started_with(pid)
        assert advised(pid) > 0
        assert health(server)["huge_pages"] is KERNEL_GIVES
    refused = "glibc.malloc.hugetlb=0"
    with running_server(settings, seed_report, tmp_path / "b", GLIBC_TUNABLES=refused) as server:
        assert all(advised(p.pid) == 0 for p in processes(server))
        assert health(server)["huge_pages"] is False


@pytest.mark.parametrize("value", ["on", "ON", "1", "yes", "true"])
def test_the_setting_takes_on_in_its_spellings(value: str) -> None:
    changed = environment({"SRG_HUGE_PAGES": value, "GLIBC_TUNABLES": ""})
    assert changed is not None and changed["GLIBC_TUNABLES"] == ASKED


def test_a_setting_that_is_neither_on_nor_off_stops_the_server_with_the_reason() -> None:
    env = {**os.environ, "SRG_ROOT": str(ROOT), "SRG_HUGE_PAGES": "maybe"}
    command = [sys.executable, "-m", "srg_graph", "serve", "--port", "0"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "srg: SRG_HUGE_PAGES takes on or off, not 'maybe'\n"
