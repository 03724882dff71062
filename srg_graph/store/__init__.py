"""The store: the only package that imports pyoxigraph.

`GraphStore` (one named graph per source, the union as the default graph of queries),
answering queries within caps (`answer`), parsing request bodies safely (`parse_payload`),
and the same reads answered by the query worker's store (`WorkerStore`) or a remote one
(`RemoteStore`).
"""

from .answers import Answer, QueryRequest, answer
from .graph_store import Delta, GraphStore, Queries, file_format
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
    "file_format",
    "parse_payload",
]
