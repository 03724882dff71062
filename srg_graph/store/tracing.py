"""Following a check's steps through the store: from a change back to the focus nodes it can
concern, and from those focus nodes out to every statement their results can depend on.

A `Reach` (worked out from the check's text by `validation.reach.reach`) lists steps from `?this`
(node 0): from a node whose values are known, along statements with given predicates and
direction, possibly any number of them (`p*`), to another node. Followed from a focus node,
the steps reach every statement the check's rows about that node can read. A changed
statement can change those rows only if one step of that focus node reaches it, so tracing the
change back through the steps that gave that step's starting node its values finds every focus
node whose rows can differ after the change.

Both directions read the store as it is plus the statements the change adds, which includes
everything the store holds before and after the change: one set of statements serves both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from .graph_store import Queries

ROOT = 0  # the pattern node of ?this


@dataclass(frozen=True)
class Step:
    """From `source` (values known) to `target`, along statements with one of `predicates`
    (None: any predicate; empty: the same values, as a variable that several UNION branches
    bind), `forward` when the source is their subject, `closure` for any number of them."""

    source: int
    target: int
    predicates: frozenset[str] | None
    forward: bool = True
    closure: bool = False
    derives: bool = True  # the target's values come from here (else both ends were known)
    seed_source: bool = True  # trace a change back from the source (else from the target)
    required: bool = False  # every solution matches it (not in an OPTIONAL, MINUS or UNION)


@dataclass(frozen=True)
class Reach:
    """The steps of one check, in an order where each starts from a node known by then."""

    steps: tuple[Step, ...]
    focus: str | None = None  # the check is about this node only
    constants: Mapping[int, tuple[str | None, ...]] | None = None  # nodes fixed by the query


class TooFar(Exception):
    """The change concerns more than the limit allows (or every focus node of a check)."""


class Statements:
    """The store plus the statements a change adds, read around one term at a time (all of a
    term's own statements in one call, those pointing at it by predicate, as a class or a
    concept can have very many) and remembered for the whole change; `found` holds what the
    steps matched in the store."""

    def __init__(self, store: Queries, added: Iterable[ox.Quad], limit: int):
        self.store, self.limit = store, limit
        self.found: set[ox.Quad] = set()
        self.cache: dict[tuple[Any, Any, bool], list[ox.Quad]] = {}
        self.subjects: dict[Any, list[ox.Quad]] = {}
        self.added: dict[tuple[Any, Any, bool], list[ox.Quad]] = {}
        for quad in added:
            for key in ((quad.subject, quad.predicate, True), (quad.object, quad.predicate, False)):
                self.added.setdefault(key, []).append(quad)

    def around(self, term: Any, predicate: Any, forward: bool) -> list[ox.Quad]:
        """Statements with `term` as subject (`forward`) or object, with `predicate` (None: any)."""
        key = (term, predicate, forward)
        if key not in self.cache:
            if forward:
                stored = [q for q in self._about(term) if predicate in (None, q.predicate)]
            else:
                stored = self.store.quads(None, predicate, term)
            self.found.update(stored)
            if len(self.found) > self.limit:
                raise TooFar(f"more than {self.limit} statements")
            extra = self._added(term, predicate, forward)
            self.cache[key] = stored + [q for q in extra if q not in stored]
        return self.cache[key]

    def _about(self, term: Any) -> list[ox.Quad]:
        if term not in self.subjects:
            literal = isinstance(term, ox.Literal)
            self.subjects[term] = [] if literal else self.store.quads(term, None, None)
        return self.subjects[term]

    def _added(self, term: Any, predicate: Any, forward: bool) -> list[ox.Quad]:
        if predicate is not None:
            return self.added.get((term, predicate, forward), [])
        return [q for (t, _, f), qs in self.added.items() if t == term and f == forward for q in qs]


def follow(statements: Statements, step: Step, values: set[Any], forward: bool) -> set[Any]:
    """The values at the other end of `step` from `values` (read against its direction when
    `forward` is False), the starting values included for a closure."""
    if step.predicates is not None and not step.predicates:
        return set(values)
    predicates = [None] if step.predicates is None else [ox.NamedNode(p) for p in step.predicates]
    reached, frontier = set(values) if step.closure else set(), set(values)
    while frontier:
        ends = set()
        for term in frontier:
            for predicate in predicates:
                quads = statements.around(term, predicate, forward)
                ends.update(q.object if forward else q.subject for q in quads)
        if not step.closure:
            return ends
        frontier = ends - reached
        reached |= frontier
    return reached


class Tracer:
    """The focus nodes of one check that a change can concern."""

    def __init__(self, reach: Reach, statements: Statements, limit: int):
        self.reach, self.statements, self.limit = reach, statements, limit
        self.seen: dict[int, set[Any]] = {}
        self.foci: set[Any] = set()

    def trace(self, changed: Iterable[ox.Quad]) -> set[Any]:
        for quad in changed:
            for step in self.reach.steps:
                if step.predicates is None or quad.predicate.value in step.predicates:
                    self._seed(step, quad)
        if self.reach.focus is not None:
            return {
                f for f in self.foci if isinstance(f, ox.NamedNode) and f.value == self.reach.focus
            }
        return self.foci

    def _seed(self, step: Step, quad: ox.Quad) -> None:
        subject_side = step.forward == step.seed_source
        term = quad.subject if subject_side else quad.object
        node = step.source if step.seed_source else step.target
        if step.closure:  # the values of `node` from which a chain reaches `term`
            toward_source = not step.forward if step.seed_source else step.forward
            self._walk(node, follow(self.statements, step, {term}, toward_source))
        else:
            self._walk(node, {term})

    def _walk(self, node: int, terms: set[Any]) -> None:
        new = terms - self.seen.setdefault(node, set())
        if not new:
            return
        self.seen[node] |= new
        if sum(map(len, self.seen.values())) > self.limit:
            raise TooFar(f"more than {self.limit} candidate nodes")
        if node == ROOT:
            self.foci |= new
            return
        derivations = [s for s in self.reach.steps if s.derives and s.target == node]
        if not derivations:  # a node the query fixes: every focus node depends on it
            raise TooFar("a change to what every focus node of a check reads")
        for step in derivations:
            self._walk(step.source, follow(self.statements, step, new, not step.forward))


def gather(reach: Reach, statements: Statements, foci: set[Any]) -> set[Any]:
    """Read every statement the check's rows about `foci` can depend on into `statements`;
    the focus nodes that can have rows at all (each matches every required step, before or
    after the change), which are the only ones worth running the check for."""
    constants = {
        node: {ox.NamedNode(t) for t in terms if t is not None}
        for node, terms in (reach.constants or {}).items()
    }
    return {focus for focus in foci if _matches(reach, statements, focus, constants)}


def _matches(reach: Reach, statements: Statements, focus: Any, constants: dict) -> bool:
    values: dict[int, set[Any]] = {ROOT: {focus}, **constants}
    for step in reach.steps:
        ends = follow(statements, step, values.get(step.source, set()), step.forward)
        if step.derives:
            values.setdefault(step.target, set()).update(ends)
        if step.required and not _met(reach, step, ends, values):
            return False
    return True


def _met(reach: Reach, step: Step, ends: set[Any], values: dict[int, set[Any]]) -> bool:
    """Whether a required step can match: it reaches a value (one its target allows)."""
    if step.derives:
        return bool(ends)
    if None in (reach.constants or {}).get(step.target, ()):
        return True  # a literal in the query: not compared here
    return bool(ends & values.get(step.target, set()))
