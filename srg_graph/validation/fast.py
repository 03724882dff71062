"""Fast validation: the governance shapes as SPARQL on the store, with pySHACL's results.

Every shape that gives results of its own has a twin in `queries/checks/<shape>.rq`: a SELECT
whose header names the shape (`# shape: IRI`) and that returns one row per result pySHACL would
give, with `?this` (the focus node), `?constraint` (the constraint component) and, where pySHACL
reports them, `?value` and `?path`. Severity, messages and labels of the shapes come from the
shapes graphs in the store, the labels of focus nodes from the data, so `validate_fast(store)`
returns the `Report` that `writes.validate_store(store)` returns, result by result.

The checks run on the union default graph. It also holds the shapes graphs, whose statements
are about shape IRIs and SHACL terms only: they could change a result only if the data typed a
shape IRI or made a SHACL class a subclass of a model class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.util import from_n3

from ..config import PACKAGE_ROOT
from ..namespaces import RDFS, SKOS
from ..sparql import internal
from ..store import GraphStore
from .report import SEVERITIES, Report, Result

ROOT = PACKAGE_ROOT
CHECKS = ROOT / "queries" / "checks"
SEVERITY_NAMES = {str(iri): name for iri, name in SEVERITIES.items()}
LABELS_ONE_BY_ONE = 1_000  # above this many focus nodes, read every label at once
LABELS = (SKOS + "prefLabel", RDFS + "label")


@dataclass(frozen=True)
class Check:
    """One twin: the shape it stands for and its query."""

    shape: str
    path: Path
    text: str


def load_checks(folder: Path = CHECKS) -> list[Check]:
    """Every `<shape>.rq` of `folder`; a file without a `# shape:` header is an error."""
    checks = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text("utf-8")
        shape = next(
            (
                line.split(":", 1)[1].strip()
                for line in text.splitlines()
                if line.startswith("# shape:")
            ),
            None,
        )
        if not shape:
            raise ValueError(f"{path}: no '# shape: IRI' header")
        checks.append(Check(shape, path, text))
    return checks


@dataclass
class _Shape:
    """What a result takes from its shape."""

    severity: str = "Violation"
    message: dict[str, str] | None = None
    label: dict[str, str] | None = None
    path: str | None = None  # the sh:path: an IRI, or "_:id" for a blank node


def shapes_of(store: GraphStore) -> dict[str, _Shape]:
    """What results take from the store's shapes: severity, messages, labels, paths."""
    shapes: dict[str, _Shape] = {}
    for row in store.rows(internal.query("fast-validation-shapes")):
        shape = shapes.setdefault(row["shape"], _Shape(message={}, label={}))
        key, value, lang = row["key"].rsplit("#", 1)[-1], row["value"], row.get("lang", "")
        if key == "severity":
            shape.severity = SEVERITY_NAMES.get(value, "Violation")
        elif key == "path":
            shape.path = f"_:{value}" if row.get("blank") == "true" else value
        elif key == "message":
            shape.message.setdefault(lang, value)  # type: ignore[union-attr]
        elif key in ("label", "name"):
            shape.label.setdefault(lang, value)  # type: ignore[union-attr]
    return shapes


def _text(term: Any) -> str | None:
    """A term as `validation.Result` writes it: IRI, lexical form, or `_:id` for a blank node."""
    if term is None:
        return None
    return f"_:{term.value}" if str(term).startswith("_:") else term.value


@dataclass(frozen=True)
class _Row:
    check: Check
    focus: Any
    path: Any
    value: Any
    constraint: str


def _run(store: GraphStore, checks: Iterable[Check]) -> list[_Row]:
    rows = []
    for check in checks:
        solutions = store.query(check.text)
        names = {v.value for v in solutions.variables}
        for solution in solutions:
            rows.append(
                _Row(
                    check,
                    solution["this"],
                    solution["path"] if "path" in names else None,
                    solution["value"] if "value" in names else None,
                    solution["constraint"].value,
                )
            )
    return rows


def _focus_labels(store: GraphStore, foci: set[Any]) -> dict[str, dict[str, str]]:
    """The skos:prefLabel, then rdfs:label, of each focus node, one per language.

    One small query per focus node while there are few and all are IRIs; otherwise one query
    for every label in the store, kept for the focus nodes only.
    """
    iris = sorted(f.value for f in foci if not str(f).startswith(("_:", '"')))
    blanks = any(str(f).startswith("_:") for f in foci)
    if blanks or len(iris) > LABELS_ONE_BY_ONE:
        matched = [
            (s["rank"].value, s["this"], s["label"])
            for s in store.query(internal.query("fast-validation-all-labels"))
            if s["this"] in foci
        ]
        matched.sort(key=lambda m: m[0])
        found = [(_text(this), label.value, label.language or "") for _, this, label in matched]
    else:
        query = internal.query("fast-validation-labels")
        found = [
            (r["this"], r["label"], r.get("lang", ""))
            for iri in iris
            for r in store.rows(query, {"this": ("iri", iri, None)})
        ]
    labels: dict[str, dict[str, str]] = {}
    for focus, label, lang in found:
        labels.setdefault(focus or "", {}).setdefault(lang, label)
    return labels


def validate_fast(
    store: GraphStore, checks: Iterable[Check] | None = None, labels: bool = True
) -> Report:
    """The data (every graph but the shapes) against the shapes in the store, as SPARQL;
    `labels=False` leaves out the focus nodes' labels (for a decision nobody reads)."""
    rows = _run(store, load_checks() if checks is None else checks)
    return report_of(store, rows, shapes_of(store), labels)


def report_of(
    store: GraphStore,
    rows: Iterable[_Row],
    shapes: dict[str, _Shape],
    labels: bool = True,
    named: GraphStore | None = None,
) -> Report:
    """The report of `rows`, with the shapes' paths from `store` and the focus nodes' labels
    from `named` (default: `store`; `LABELS` are the predicates read)."""
    rows = list(rows)
    foci = {row.focus for row in rows} if labels else set()
    names = _focus_labels(store if named is None else named, foci) if foci else {}
    results = [_result(row, shapes.get(row.check.shape, _Shape()), names) for row in rows]
    results.sort(key=lambda r: (r.severity != "Violation", r.shape, r.focus, r.path or ""))
    return FastReport(results, lambda: _report_graph(store, rows, shapes))


def violations_of(
    store: GraphStore, checks: Iterable[Check], shapes: dict[str, _Shape]
) -> set[_Row]:
    """The violations the checks find in `store` (the checks of warnings are not run)."""
    severe = [c for c in checks if shapes.get(c.shape, _Shape()).severity == "Violation"]
    return set(_run(store, severe))


def _result(row: _Row, shape: _Shape, labels: dict[str, dict[str, str]]) -> Result:
    focus = _text(row.focus) or ""
    return Result(
        severity=shape.severity,
        shape=row.check.shape,
        shape_label=dict(shape.label or {}),
        focus=focus,
        focus_label=dict(labels.get(focus, {})),
        path=_text(row.path) if row.path is not None else shape.path,
        value=_text(row.value),
        message=dict(shape.message or {}),
        constraint=row.constraint,
    )


class FastReport(Report):
    """A `Report` whose `sh:ValidationReport` graph is built when first asked for."""

    def __init__(self, results: list[Result], build: Callable[[], Graph]):
        object.__setattr__(self, "results", results)
        object.__setattr__(self, "_build", build)

    @cached_property
    def graph(self) -> Graph:  # type: ignore[override]
        return self._build()  # type: ignore[attr-defined]


def _term(term: Any) -> Any:
    return from_n3(str(term))


def _report_graph(store: GraphStore, rows: list[_Row], shapes: dict[str, _Shape]) -> Graph:
    """The standard report: sh:conforms and one sh:result per row (blank paths copied)."""
    graph, report = Graph(), BNode()
    graph.bind("sh", SH)
    graph.add((report, RDF.type, SH.ValidationReport))
    path_statements: dict[str, list[tuple[Any, Any, Any]]] = {}
    for solution in store.query(internal.query("fast-validation-path")):
        statement = tuple(_term(solution[name]) for name in ("s", "p", "o"))
        path_statements.setdefault(solution["shape"].value, []).append(statement)
    conforms = True
    for row in rows:
        shape = shapes.get(row.check.shape, _Shape())
        conforms = conforms and shape.severity != "Violation"
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, _term(row.focus)))
        graph.add((node, SH.sourceShape, URIRef(row.check.shape)))
        graph.add((node, SH.sourceConstraintComponent, URIRef(row.constraint)))
        graph.add((node, SH.resultSeverity, SH[shape.severity]))
        for lang, text in (shape.message or {}).items():
            graph.add((node, SH.resultMessage, Literal(text, lang=lang or None)))
        if row.value is not None:
            graph.add((node, SH.value, _term(row.value)))
        _add_path(graph, node, row, shape, path_statements)
    graph.add((report, SH.conforms, Literal(conforms)))
    return graph


def _add_path(
    graph: Graph, node: BNode, row: _Row, shape: _Shape, statements: dict[str, list[Any]]
) -> None:
    if row.path is not None:
        graph.add((node, SH.resultPath, _term(row.path)))
    elif shape.path is not None and shape.path.startswith("_:"):
        graph.add((node, SH.resultPath, BNode(shape.path[2:])))
        for statement in statements.get(row.check.shape, []):
            graph.add(statement)
    elif shape.path is not None:
        graph.add((node, SH.resultPath, URIRef(shape.path)))


def producing_shapes(store: GraphStore) -> set[str]:
    """The shapes of the store's shapes graphs that give top-level results of their own."""
    return {row["shape"] for row in store.rows(internal.query("fast-validation-producers"))}


def missing_twins(store: GraphStore, folder: Path = CHECKS) -> list[str]:
    """Shapes of `store` that give results of their own but have no twin in `folder`."""
    twins = {check.shape for check in load_checks(folder)}
    return sorted(producing_shapes(store) - twins)
