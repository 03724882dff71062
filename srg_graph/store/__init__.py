"""The store: the only package that imports pyoxigraph.

`GraphStore` (one named graph per source, the union as the default graph of queries),
answering queries within caps (`answer`), parsing request bodies safely (`parse_payload`)
and whole-dataset dumps (`dump`).
"""

from .answers import Answer, QueryRequest, answer
from .base import GRAPH_FORMATS, QueryFailed
from .dumps import dump
from .graph_store import Delta, GraphStore, rdf_format
from .payloads import parse_payload
from .remote import RemoteStore
from .staging import ChangeRecorder

__all__ = [
    "GRAPH_FORMATS",
    "Answer",
    "ChangeRecorder",
    "Delta",
    "GraphStore",
    "QueryFailed",
    "QueryRequest",
    "RemoteStore",
    "answer",
    "dump",
    "parse_payload",
    "rdf_format",
]
