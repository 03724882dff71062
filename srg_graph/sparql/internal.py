"""The server's own queries, `sparql/rq/<name>.rq`: one loader for every package.

They are read at first use and kept: the files are part of the package, not of the data.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "rq"


@cache
def query(name: str) -> str:
    """The text of the internal query `rq/<name>.rq`."""
    return (FOLDER / f"{name}.rq").read_text("utf-8")
