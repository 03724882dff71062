"""What a SPARQL request must pass before the engine sees it: size, depth, features.

pyoxigraph would crash on deep nesting, so the guard reads the text first (see
`sparql.guard`); here its findings meet the settings.
"""

from __future__ import annotations

from ..sparql import guard as sparql_guard
from ..sparql.guard import Inspection
from ..sparql.using import with_using
from .errors import HttpError
from .services import Services
from .sparql_protocol import Operation


def check_query(svc: Services, operation: Operation) -> Inspection:
    """The query's inspection, or `GuardError` when a limit or the policy refuses it. A graph
    of its dataset that the store does not hold is an empty graph: nothing is fetched."""
    settings = svc.settings
    return sparql_guard.check(
        operation.text,
        expect="query",
        max_depth=settings.max_depth,
        max_length=settings.max_query_chars,
        base_iri=settings.base_iri,
    )


def check_update(svc: Services, operation: Operation) -> str:
    """The update text to run, with the protocol's `using-graph-uri` parameters applied."""
    settings = svc.settings
    inspection = sparql_guard.check(
        operation.text,
        expect="update",
        max_depth=settings.max_depth,
        max_length=settings.max_query_chars,
        base_iri=settings.base_iri,
    )
    if not (operation.default_graphs or operation.named_graphs):
        return operation.text
    if inspection.dataset_clauses:
        raise HttpError(
            400,
            "the update names its dataset (USING/WITH) and the request has using-graph-uri or "
            "using-named-graph-uri parameters; send only one of the two",
        )
    return with_using(operation.text, operation.default_graphs, operation.named_graphs)
