"""Remote-store mode's query pool: queries and updates worked out on the remote store.

It stands in for `pool.QueryPool`: a query runs on the remote store (its own time limit and
ours, as the HTTP time-out) in the calling thread; an update's delta is recorded against it
(`store.update_recorder`), then validated and committed like any write.
"""

from __future__ import annotations

import asyncio

from ..errors import Unsupported
from ..store import Answer, ChangeRecorder, Delta, QueryRequest, RemoteStore, answer
from ..store.remote import OwnDefaultGraph
from ..store.update_recorder import SequentialUpdate, record_update, updated_on_a_copy

NO_TIME_TRAVEL = (
    "time travel (version, asOf, Accept-Datetime) needs the dataset in this server: in "
    "remote-store mode the data is in the remote store, which keeps no past versions. The "
    "history itself is at /changes and in the graph https://w3id.org/srg/graph/history; a "
    "server on its embedded store (`srg serve` without --sparql-endpoint) answers past versions"
)


class RemotePool:
    """Queries and updates worked out on the remote store, in the calling thread."""

    def __init__(self, store: RemoteStore):
        self.store = store

    def run(self, request: QueryRequest, version: int | None = None) -> Answer:
        if version is not None:
            raise Unsupported(NO_TIME_TRAVEL)
        return answer(self.store, request)

    async def answer(self, request: QueryRequest, version: int | None = None) -> Answer:
        """`run` for the event loop (on a thread: the remote store is asked over HTTP)."""
        return await asyncio.to_thread(self.run, request, version)

    def update(self, text: str, base_iri: str | None) -> Delta:
        """The update's delta, recorded against the remote store; an update the store cannot
        evaluate that way (a WHERE clause after a change of its own, or one that reads the
        store's own default graph) is worked out on a local copy of the dataset instead."""
        recorder = ChangeRecorder(self.store)
        try:
            record_update(recorder, self.store, text, base_iri)
        except (SequentialUpdate, OwnDefaultGraph):
            return updated_on_a_copy(self.store.copy(), text, base_iri)
        return recorder.delta()

    def close(self) -> None:
        self.store.close()
