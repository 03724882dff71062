"""What a SPARQL request must pass before the engine sees it: size, depth, dataset, features.

pyoxigraph would crash on deep nesting and could be asked for data outside the store, so the
guard reads the text first (see `sparql.guard`); here its findings meet the settings and the
store.
"""

from __future__ import annotations

from ..sparql import guard as sparql_guard
from ..sparql.guard import Inspection
from .errors import HttpError
from .services import Services
from .sparql_protocol import Operation


def _missing_graphs(svc: Services, iris: tuple[str, ...]) -> list[str]:
    return [iri for iri in iris if not svc.has_graph(iri)]


def check_query(svc: Services, operation: Operation) -> Inspection:
    """The query's inspection, or 400 when a limit or a dataset rule refuses it."""
    missing = _missing_graphs(svc, operation.default_graphs + operation.named_graphs)
    if missing:
        raise HttpError(
            400, f"graph {missing[0]} is not in this store; only its graphs can be queried"
        )
    settings = svc.settings
    return sparql_guard.check(
        operation.text,
        expect="query",
        max_depth=settings.max_depth,
        max_length=settings.max_query_chars,
        base_iri=settings.base_iri,
        allowed_graphs=svc.has_graph,
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
    return sparql_guard.with_using(operation.text, operation.default_graphs, operation.named_graphs)
