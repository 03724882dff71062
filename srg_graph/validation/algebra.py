"""Reading a check's SPARQL algebra (rdflib's): the variables a pattern binds, whether it
uses EXISTS, and which predicates it reads."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

PASS_THROUGH = ("Distinct", "Reduced", "OrderBy")


class NotLocal(Exception):
    """The check's rows about a focus node may depend on statements far from it."""


def in_scope(part: Any) -> set[str]:
    """The variables a pattern binds for what follows it (SPARQL's in-scope variables)."""
    name = part.name
    if name == "BGP":
        return {str(t) for triple in part.triples for t in triple if isinstance(t, Variable)}
    if name in ("Join", "Union", "LeftJoin"):
        return in_scope(part.p1) | in_scope(part.p2)
    if name == "Minus":
        return in_scope(part.p1)
    if name == "Extend":
        return in_scope(part.p) | {str(part.var)}
    if name == "Project":
        return {str(v) for v in part.PV}
    if name == "values":
        return {str(v) for row in part.res for v in row}
    if name == "AggregateJoin":
        return {str(a.res) for a in part.A} | in_scope(part.p)
    if name == "Group":
        return {str(v) for v in part.expr or []}
    if name in ("Filter", "ToMultiSet", *PASS_THROUGH):
        return in_scope(part.p)
    raise NotLocal(f"{name} in a check")


def has_exists(expr: Any) -> bool:
    if isinstance(expr, CompValue):
        if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            return True
        return any(has_exists(v) for v in expr.values())
    if isinstance(expr, list | tuple):
        return any(has_exists(v) for v in expr)
    return False


def predicates_read(text: str) -> frozenset[str] | None:
    """Every predicate IRI in a check's patterns (None: it may read any predicate)."""
    found: set[str] = set()
    stack: list[Any] = [prepareQuery(text).algebra]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "BGP":
                if not all(_iris(p, found) for _, p, _ in item.triples):
                    return None
            else:
                stack += item.values()
        elif isinstance(item, list | tuple):
            stack += item
    return frozenset(found)


def _iris(path: Any, found: set[str]) -> bool:
    """Add the IRIs of a predicate or path; False for a variable or a negated path."""
    if isinstance(path, URIRef):
        found.add(str(path))
        return True
    if isinstance(path, SequencePath | AlternativePath):
        return all(_iris(p, found) for p in path.args)
    if isinstance(path, InvPath):
        return _iris(path.arg, found)
    if isinstance(path, MulPath):
        return _iris(path.path, found)
    return False
