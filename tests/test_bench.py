"""The benchmark's scripts start (issue 18: `bench/README.md` gives a command for every number).

A benchmark is not a test and nothing here times anything; but a script that no longer starts
(an import of a function that moved) is a broken recipe that nobody notices until the next
run, so each one is started here with `--help`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(
    path.stem for path in (ROOT / "bench").glob("*.py") if "def main(" in path.read_text()
)


def test_the_scripts_are_found() -> None:
    assert {"run", "ready", "ldes", "history_costs", "compare"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_each_script_starts(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("usage:"), done.stdout[:500]
