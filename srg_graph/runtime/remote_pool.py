"""Remote-store mode's query pool: queries and updates worked out on the remote store.

It stands in for `pool.QueryPool`: a query runs on the remote store (its own time limit and
ours, as the HTTP time-out) in the calling thread; an update's delta is recorded against it
(`store.update_recorder`), then validated and committed like any write.
"""

from __future__ import annotations

from ..store import Answer, ChangeRecorder, Delta, QueryRequest, RemoteStore, answer
from ..store.update_recorder import record_update


class RemotePool:
    """Queries and updates worked out on the remote store, in the calling thread."""

    def __init__(self, store: RemoteStore):
        self.store = store

    def run(self, request: QueryRequest) -> Answer:
        return answer(self.store, request)

    def update(self, text: str, base_iri: str | None) -> Delta:
        recorder = ChangeRecorder(self.store)
        record_update(recorder, self.store, text, base_iri)
        return recorder.delta()

    def close(self) -> None:
        self.store.close()
