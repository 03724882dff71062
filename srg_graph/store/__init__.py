"""The store: all engine access, and the only package that imports pyoxigraph.

`GraphStore` (one named graph per source, the union as the default graph of queries),
answering a query within its caps (`answer`), parsing request bodies safely
(`parse_payload`), recording a change as a delta without copying the dataset
(`ChangeRecorder`, `update_recorder` for SPARQL Update), following a check's reach through
the data (`tracing`), the snapshot's dump files (`snapshot`), and the same reads answered by
the query worker's store (`WorkerStore`) or a remote one (`RemoteStore`).

May import: `sparql/` and the base modules.
"""

from .answers import Answer, QueryRequest, answer
from .base import checked_xml, is_iri
from .graph_store import Delta, GraphStore, Queries, file_format, nquad_lines, unnamed
from .payloads import parse_payload
from .remote import RemoteStore
from .staging import ChangeRecorder
from .worker_store import WorkerStore

__all__ = [
    "Answer",
    "ChangeRecorder",
    "Delta",
    "GraphStore",
    "Queries",
    "QueryRequest",
    "RemoteStore",
    "WorkerStore",
    "answer",
    "checked_xml",
    "file_format",
    "is_iri",
    "nquad_lines",
    "parse_payload",
    "unnamed",
]
