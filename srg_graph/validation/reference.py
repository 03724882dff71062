"""The reference engine: pySHACL (the only module that imports it).

`validate` takes the data and shapes as N-Triples and returns a `Report` whose results carry
the labels a reader needs; `validate_with_pyshacl` does so for a store's graphs.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, SH, SKOS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..languages import LANGUAGES
from ..namespaces import SHAPES_GRAPHS
from ..store import GraphStore
from .report import SEVERITIES, Report, Result, ShapesError


def validate_with_pyshacl(store: GraphStore) -> Report:
    """The data of a store (every graph but the shapes) through pySHACL."""
    graphs = store.graph_names()
    shapes = [g for g in graphs if g.startswith(SHAPES_GRAPHS)]
    data = [g for g in graphs if g not in shapes]
    return validate(store.ntriples([*data, None]), store.ntriples(shapes))


def parse_ntriples(data: bytes) -> Graph:
    return Graph().parse(data=data, format="nt")


def validate(data: bytes, shapes: bytes) -> Report:
    """Validate the data graph (N-Triples, ontology included) against the shapes graph."""
    import pyshacl  # the reference engine: a fifth of a second to import, rarely needed

    data_graph, shapes_graph = parse_ntriples(data), parse_ntriples(shapes)
    outcome = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    report_graph = outcome[1]
    if not isinstance(report_graph, Graph):  # pySHACL reports unusable shapes as text
        raise ShapesError(f"the shapes cannot be used: {outcome[2]}")
    report = report_graph.value(None, RDF.type, SH.ValidationReport)
    # Only the report's own results: those nested under sh:detail explain them, and are not
    # results of their own.
    results = [
        _result(report_graph, node, data_graph, shapes_graph)
        for node in report_graph.objects(report, SH.result)
    ]
    results.sort(key=lambda r: (r.severity != "Violation", r.shape, r.focus, r.path or ""))
    return Report(results, report_graph)


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    return str(node) if not isinstance(node, BNode) else f"_:{node}"


def _by_language(graph: Graph, subject: Node, predicates: tuple[URIRef, ...]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for predicate in predicates:
        for value in graph.objects(subject, predicate):
            if isinstance(value, Literal):
                labels.setdefault(value.language or "", str(value))
    return labels


def _result(report: Graph, node: Node, data: Graph, shapes: Graph) -> Result:
    shape = report.value(node, SH.sourceShape)
    focus = report.value(node, SH.focusNode)
    messages = _by_language(report, node, (SH.resultMessage,))
    if not any(lang in messages for lang in LANGUAGES):
        # pySHACL drops the language tags of SPARQL-based messages: take the shape's own.
        messages = _by_language(shapes, shape, (SH.message,)) or messages
    return Result(
        severity=SEVERITIES.get(report.value(node, SH.resultSeverity), "Violation"),
        shape=_text(shape) or "",
        shape_label=_by_language(shapes, shape, (RDFS.label, SH.name)),
        focus=_text(focus) or "",
        focus_label=_by_language(data, focus, (SKOS.prefLabel, RDFS.label)),
        path=_text(report.value(node, SH.resultPath)),
        value=_text(report.value(node, SH.value)),
        message=messages,
        constraint=_text(report.value(node, SH.sourceConstraintComponent)) or "",
    )
