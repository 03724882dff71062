"""Errors as HTTP answers: the status of each domain error, and the web layer's own errors.

Domain code raises the errors of `srg_graph.errors` by what went wrong; this is the one place
that decides the status each gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from ..errors import (
    Busy,
    EvaluationFailed,
    InvalidRequest,
    NotPossible,
    NotRepresentable,
    OperationFailed,
    OverMemoryLimit,
    ReadOnly,
    RemoteFailure,
    SrgError,
    StorageError,
    StorageFull,
    TooLarge,
    Unavailable,
    Unsupported,
    UnsupportedFormat,
    WritesStopped,
)

STATUSES: dict[type[SrgError], int] = {
    InvalidRequest: 400,
    ReadOnly: 403,
    OperationFailed: 409,  # valid, but the data as it is does not allow it
    NotPossible: 409,
    UnsupportedFormat: 415,
    NotRepresentable: 406,  # the answer exists; the format asked for cannot say it
    TooLarge: 422,
    EvaluationFailed: 500,
    Unsupported: 501,  # Not Implemented: not in this mode (time travel on a remote store)
    StorageError: 500,
    RemoteFailure: 502,
    Unavailable: 503,
    OverMemoryLimit: 503,  # no Retry-After: the same request would be stopped again
    # Writes stopped after a failed fsync or rollback: only a restart resumes them, so no
    # Retry-After (retrying will not help; /health says so too).
    WritesStopped: 503,
    StorageFull: 507,  # Insufficient Storage (RFC 4918): the message says how much is needed
}
T = TypeVar("T")
# how long a client should wait before it asks again (seconds)
RETRY_AFTER: dict[type[SrgError], str] = {Busy: "2", Unavailable: "1"}


class HttpError(Exception):
    """An answer of the web layer itself (a missing parameter, a wrong token, ...)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        self.status, self.message, self.headers = status, message, headers or {}
        super().__init__(message)


def _most_specific(table: Mapping[type, T], error: SrgError) -> T | None:
    """The entry of the error's own class, else of its nearest base class in `table`."""
    return next((table[kind] for kind in type(error).__mro__ if kind in table), None)


def status_of(error: SrgError) -> int:
    """The HTTP status of a domain error (500 for one this table does not know)."""
    return _most_specific(STATUSES, error) or 500


def headers_of(error: SrgError) -> dict[str, str]:
    """The headers that come with a domain error's answer (`Retry-After` where it helps)."""
    retry = _most_specific(RETRY_AFTER, error)
    return {"Retry-After": retry} if retry else {}
