"""The two validation engines, which give the same results, and the one entry point.

"fast" runs the SPARQL twins of the shapes (`queries/checks/`) on the store itself; its
results equal pySHACL's (tests/test_fast_validation.py) at a fraction of the time. "pyshacl"
is the reference.
"""

from __future__ import annotations

from collections.abc import Callable

from ..store import GraphStore
from .fast import validate_fast
from .reference import validate_with_pyshacl
from .report import Report

ENGINES: dict[str, Callable[[GraphStore], Report]] = {
    "fast": validate_fast,
    "pyshacl": validate_with_pyshacl,
}


def validate_store(store: GraphStore, engine: str = "fast") -> Report:
    """The dataset's data against the shapes the store holds."""
    return ENGINES[engine](store)
