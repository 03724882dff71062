"""`/health`: 200 with a small JSON body while the store answers reads.

`version_number` is the dataset's version: the number of the last accepted change (0 for an
empty store; see `/changes`); `version` the opaque tag ETags are made from.

`writes` is `"ok"`, or `"stopped"` after a failed fsync or rollback of the write-ahead log
(with `writes_stopped`, the reason; only a restart resumes writes). The status stays 200
while reads are answered: a load balancer keeps sending reads; a monitor alerts on `writes`.
`answer_cache` counts the answers kept for the current version (`web/answer_cache.py`).
`event_stream` (where there is one) says how many times the stream's replica was made again
from the log since the server started (`replica_rebuilt`) and why the last time
(`replica_rebuilt_why`): it heals a replica damaged or behind, and what may be a bug, which a
monitor must see. `huge_pages` says whether the server's memory (the dataset's, in the query
worker) is in the kernel's huge pages (`runtime/huge_pages.py`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from ...runtime.huge_pages import in_use as huge_pages
from ..requests import services

router = APIRouter(tags=["Operations"])


@router.api_route(
    "/health", methods=["GET", "HEAD"], summary="Is the store answering? Are writes taken?"
)
def health(request: Request) -> dict[str, object]:
    svc = services(request)
    data = svc.data
    body: dict[str, object] = {"status": "ok", "version": data.version, "quads": svc.quads()}
    body["version_number"] = data.change_number  # the history's: change n of /changes/{n}
    body["writes"] = "ok" if data.stopped is None else "stopped"
    if data.stopped is not None:
        body["writes_stopped"] = data.stopped
    answers = svc.answers
    body["answer_cache"] = {
        "bytes": answers.size,
        "capacity": answers.capacity,
        "answers": len(answers.answers),
        "hits": answers.hits,
        "stored": answers.stored,
        "direct": svc.lane.hits,  # of the hits, those the HTTP protocol wrote (`answer_lane`)
    }
    body["huge_pages"] = huge_pages()
    if svc.ldes is not None:
        replica = svc.ldes.replica
        body["event_stream"] = {
            "replica_rebuilt": replica.rebuilt,
            "replica_rebuilt_why": replica.rebuilt_why,
        }
    return body
