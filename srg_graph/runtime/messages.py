"""Every message between the server, its zygote and its query worker, in one place.

The server sends a `Request` on a slot's pipe and the worker answers it with the value, or
with `Raised`; committed deltas go to the worker on its control pipe as `Committed`, and the
worker says there once whether it could load the dataset (`Loaded` or `LoadFailed`). The
zygote is asked to `Fork` a worker or `Reap` one the server stopped. An error crosses the pipe
as the exception itself, so the server raises the type the worker raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..store import Delta, QueryRequest
from ..store.worker_store import StoreRead


@dataclass(frozen=True, slots=True)
class Update:
    """Work out the delta of a SPARQL Update (stopped at the time limit)."""

    text: str
    base_iri: str | None


@dataclass(frozen=True, slots=True)
class Read:
    """One of the server's own reads of the dataset (no time limit)."""

    read: StoreRead


@dataclass(frozen=True, slots=True)
class AtVersion:
    """A query or read on a past version of the dataset (time travel). The worker makes the
    version first (or finds it made), says so with `Materialised`, then answers: the time
    limit and the memory limit of a query start then (making it is the server's own work)."""

    version: int
    work: QueryRequest | Read


@dataclass(frozen=True, slots=True)
class Materialised:
    """The version of an `AtVersion` request is ready; `grown`: how many bytes the worker's
    resident memory grew while it was made (it keeps the version for the next requests)."""

    grown: int


# A user's query (stopped at the time limit) is sent as its `QueryRequest` itself: the message
# every request of a reader pays for is kept as small as it can be.
Work = QueryRequest | Update | Read | AtVersion


@dataclass(frozen=True, slots=True)
class Request:
    """A piece of work, answered once the worker holds the first `committed` deltas."""

    committed: int
    work: Work

    def __reduce__(self) -> tuple[type[Request], tuple[int, Work]]:
        # pickled for every request: twice as fast as the generic state of a slotted dataclass
        return (Request, (self.committed, self.work))

    @property
    def what(self) -> str:
        """The kind of work, for messages: "query", "update" or "read"."""
        work = self.work.work if isinstance(self.work, AtVersion) else self.work
        return "query" if isinstance(work, QueryRequest) else type(work).__name__.lower()


@dataclass(frozen=True, slots=True)
class Raised:
    """The work failed with `error` (a reply is otherwise the work's value itself)."""

    error: Exception


@dataclass(frozen=True, slots=True)
class Committed:
    """The `count`-th delta of the log, committed: apply it."""

    count: int
    delta: Delta


@dataclass(frozen=True, slots=True)
class Replay:
    """The records of the log a worker replays onto the snapshot, for a worker forked before
    the server had read the log (it loads the snapshot meanwhile)."""

    writes: int


@dataclass(frozen=True, slots=True)
class Loaded:
    """The worker holds the snapshot and the first `writes` records of the log."""

    writes: int


@dataclass(frozen=True, slots=True)
class LoadFailed:
    reason: str


@dataclass(frozen=True, slots=True)
class Fork:
    """Fork a worker for the snapshot and the first `writes` records of its log; the `pipes`
    ends follow as file descriptors on the zygote's channel."""

    snapshot: Path
    writes: int | None  # None: told later (`Replay`)
    pipes: int
    versions: int = 2  # past versions of the dataset the worker keeps (time travel)


@dataclass(frozen=True, slots=True)
class Reap:
    """Collect a worker the server killed (only its parent, the zygote, can)."""

    pid: int
