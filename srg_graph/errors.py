"""The errors the product raises on purpose, each with a message that says what to fix.

Domain code raises these by what went wrong; only `web/` turns them into HTTP statuses
(`web.errors.STATUSES`) and the command line into exit codes. They cross the pipe to and from
the query worker as they are (pickled), so the server sees the type the worker raised.
Standard library only: every package may import this module.
"""

from __future__ import annotations


class SrgError(Exception):
    """An error reported on purpose; `message` says what to fix."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidRequest(SrgError):
    """The request's text or body cannot be used: not SPARQL, not RDF, over a limit."""


class PolicyRefused(InvalidRequest):
    """A valid request this server refuses on principle (SERVICE, LOAD: nothing leaves it)."""


class UnsupportedFormat(SrgError):
    """The request's body is in a format the server does not read."""


class TooLarge(SrgError):
    """The answer is over a cap (rows, bytes); the message says how to page it."""


class OperationFailed(SrgError):
    """A valid request that fails on the data as it is (DROP of a missing graph, ...)."""


class EvaluationFailed(SrgError):
    """The engine could not run a request it accepted."""


class Unavailable(SrgError):
    """The dataset cannot answer now (not loaded, a remote store too slow); retry later."""


class QueryTimeout(Unavailable):
    """The request ran past its time limit and its worker was stopped."""


class Busy(Unavailable):
    """Every worker stayed busy for longer than a request may wait."""


class OverMemoryLimit(SrgError):
    """A request needed more memory than the limit of one request and was stopped."""


class RemoteFailure(SrgError):
    """The remote store could not be reached or refused a request."""


class ReadOnly(SrgError):
    """The dataset cannot be written here (a remote store without an update endpoint)."""


class Unsupported(SrgError):
    """Something this server cannot do in the mode it runs in (time travel in remote-store
    mode: the remote store keeps no past versions); the message says what can be done."""


class NotRepresentable(SrgError):
    """An answer that the format asked for cannot write (JSON-LD has no RDF 1.2 triple terms)."""


class NotPossible(SrgError):
    """A change the store cannot make (a statement about a blank node in a remote store)."""


class StorageError(SrgError):
    """The store's files could not be written or read as they must be; the message says
    which file and what the operator does."""


class StorageFull(StorageError):
    """A write could not be made durable for want of disk space (ENOSPC, EDQUOT); nothing of
    it was applied, and a write succeeds again as soon as there is room."""

    def __init__(self, message: str, needed: int):
        super().__init__(message)
        self.needed = needed  # bytes the write needs on the disk

    def __reduce__(self) -> tuple:
        return (StorageFull, (self.message, self.needed))


class WritesStopped(StorageError):
    """The log could not be made durable (a failed fsync, a failed rollback): writes are
    refused until a restart re-reads the log; reads go on."""


class LogDamaged(StorageError):
    """The write-ahead log has a bad record with valid records after it: replaying it would
    drop acknowledged writes, so the store is not opened (see `srg repair`)."""

    def __init__(self, message: str, file: str, offset: int):
        super().__init__(message)
        self.file, self.offset = file, offset

    def __reduce__(self) -> tuple:
        return (LogDamaged, (self.message, self.file, self.offset))


class SnapshotDamaged(StorageError):
    """A file of the snapshot does not match the checksum its index records."""

    def __init__(self, message: str, file: str):
        super().__init__(message)
        self.file = file

    def __reduce__(self) -> tuple:
        return (SnapshotDamaged, (self.message, self.file))


class StoreInUse(StorageError):
    """Another process owns the store (a running server): one writer a store."""

    def __init__(self, message: str, store: str):
        super().__init__(message)
        self.store = store

    def __reduce__(self) -> tuple:
        return (StoreInUse, (self.message, self.store))


class PortInUse(SrgError):
    """`srg serve` cannot listen on its address and port; the message names the flag."""


class SourceError(SrgError):
    """A source that cannot be used: unreadable, or not valid RDF (with its position)."""

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None):
        where = file if line is None else f"{file}:{line}:{column}"
        super().__init__(f"{where}: {message}")
        self.file, self.message, self.line, self.column = file, message, line, column

    def __reduce__(self) -> tuple:
        return (SourceError, (self.file, self.message, self.line, self.column))
