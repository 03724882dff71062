"""What a check can read about a focus node, worked out from the check's SPARQL text.

A check (`queries/checks/*.rq`) returns rows about focus nodes, `?this`. Its rows about one
focus node depend only on the statements its triple patterns can match in a solution with that
`?this`. `reach(text)` turns the query's algebra into a `Reach`: steps from `?this` along the
patterns (predicates, direction, `p*` closures), each starting from a node whose values are
known by then, so that following them from a focus node finds every such statement, and
following them back from a changed statement finds every focus node it can concern.

A node's values are derived only from patterns that hold in every solution where it is bound:
the group's own triple patterns, its subqueries (through the projected variables) and unions
(a variable that every branch derives). The right-hand sides of MINUS and OPTIONAL only read
from what is known around them and never feed it. Variables that SPARQL keeps apart (those of
a subquery that are not projected, of a MINUS or OPTIONAL that are not known outside) are
kept apart. Anything else (EXISTS, LIMIT, an aggregate without GROUP BY, a pattern that does
not connect to `?this`, complex paths) makes the check not local: `reach` raises `NotLocal`
and writes that touch what the check reads are validated on the whole dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from ..store.tracing import ROOT, Reach, Step
from .algebra import PASS_THROUGH, NotLocal, has_exists, in_scope

DEPENDENT = ("LeftJoin", "Minus")


@dataclass
class _Edge:
    """One triple pattern (a path split into steps) between two pattern nodes."""

    subject: int
    predicates: frozenset[str] | None  # None: a variable predicate
    object: int
    closure: bool = False


@dataclass
class _Group:
    """A group's own patterns: the triples, the parts joined to it, the parts that only read."""

    edges: list[_Edge] = field(default_factory=list)
    joined: list[tuple[CompValue, _Scope]] = field(default_factory=list)
    reading: list[tuple[CompValue, set[str]]] = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)


class _Scope:
    """Variable names to pattern nodes; a child scope shares only the names it is given."""

    def __init__(self, planner: _Planner, shared: dict[str, int] | None = None):
        self.planner, self.ids = planner, dict(shared or {})

    def node(self, name: str) -> int:
        if name not in self.ids:
            self.ids[name] = self.planner.fresh()
        return self.ids[name]

    def known(self) -> dict[str, int]:
        return {name: n for name, n in self.ids.items() if self.planner.is_known(n)}


class _Planner:
    def __init__(self) -> None:
        self.count = ROOT + 1
        self.steps: list[Step] = []
        self.depth: dict[int, int] = {ROOT: 0}  # derived nodes, by distance from ?this
        self.constants: dict[int, tuple[str | None, ...]] = {}
        self.focus: str | None = None
        self.required = True  # the steps placed now must match in every solution
        self.aliases: list[tuple[int, int]] = []  # BIND (?a AS ?b) where ?b had a node already

    def fresh(self) -> int:
        self.count += 1
        return self.count - 1

    def is_known(self, node: int) -> bool:
        return node in self.depth or node in self.constants

    # -- reading the algebra -------------------------------------------------------------------
    def collect(self, part: CompValue, scope: _Scope, group: _Group) -> None:
        name = part.name
        if name == "BGP":
            for s, p, o in part.triples:
                group.edges += self.edges(self.term(s, scope), p, self.term(o, scope), scope)
        elif name == "Join":
            self.collect(part.p1, scope, group)
            self.collect(part.p2, scope, group)
        elif name in PASS_THROUGH:
            self.collect(part.p, scope, group)
        elif name == "ToMultiSet":
            self.collect_multiset(part.p, scope, group)
        elif name in ("Project", "Union"):
            group.joined.append((part, scope))
        elif name == "Extend":
            self.collect(part.p, scope, group)
            self.bind(str(part.var), part.expr, scope)
        elif name == "Filter":
            if has_exists(part.expr):
                raise NotLocal("FILTER EXISTS")
            self.collect(part.p, scope, group)
        elif name in DEPENDENT:
            if name == "LeftJoin" and has_exists(part.expr):
                raise NotLocal("FILTER EXISTS in OPTIONAL")
            self.collect(part.p1, scope, group)
            group.reading.append((part.p2, in_scope(part.p1)))
        elif name == "values":
            self.values(part.res, scope)
        elif name == "AggregateJoin":
            self.aggregates(part, scope, group)
        else:
            raise NotLocal(f"{name} in a check")

    def collect_multiset(self, part: CompValue, scope: _Scope, group: _Group) -> None:
        if part.name == "values":
            self.values(part.res, scope)
        else:
            self.collect(part, scope, group)

    def aggregates(self, part: CompValue, scope: _Scope, group: _Group) -> None:
        grouping = part.p
        if grouping.name != "Group" or not grouping.expr:
            raise NotLocal("an aggregate over the whole dataset")
        if not all(isinstance(v, Variable) for v in grouping.expr):
            raise NotLocal("GROUP BY an expression")
        group.group_by += [str(v) for v in grouping.expr]
        self.collect(grouping.p, scope, group)
        for aggregate in part.A:
            # SAMPLE of a grouped variable is that variable; other aggregates are computed
            if aggregate.name == "Aggregate_Sample" and isinstance(aggregate.vars, Variable):
                scope.ids[str(aggregate.res)] = scope.node(str(aggregate.vars))
            else:
                scope.node(str(aggregate.res))

    def term(self, term: Any, scope: _Scope) -> int:
        if isinstance(term, Variable):
            return scope.node(str(term))
        if isinstance(term, BNode):
            return scope.node(f"_:{term}")
        node = self.fresh()
        self.constants[node] = (str(term) if isinstance(term, URIRef) else None,)
        return node

    def edges(self, s: int, path: Any, o: int, scope: _Scope) -> list[_Edge]:
        if isinstance(path, URIRef):
            return [_Edge(s, frozenset({str(path)}), o)]
        if isinstance(path, Variable):
            return [_Edge(s, None, o)]
        if isinstance(path, InvPath):
            return self.edges(o, path.arg, s, scope)
        if isinstance(path, SequencePath):
            nodes = [s] + [self.fresh() for _ in path.args[1:]] + [o]
            return [
                e
                for i, p in enumerate(path.args)
                for e in self.edges(nodes[i], p, nodes[i + 1], scope)
            ]
        if isinstance(path, AlternativePath) and all(isinstance(a, URIRef) for a in path.args):
            return [_Edge(s, frozenset(str(a) for a in path.args), o)]
        if isinstance(path, MulPath):
            inner = self.edges(s, path.path, o, scope)
            if len(inner) != 1 or inner[0].subject != s or inner[0].predicates is None:
                raise NotLocal(f"the path {path.n3()}")
            return [_Edge(s, inner[0].predicates, o, closure=True)]
        raise NotLocal(f"the path {path.n3() if hasattr(path, 'n3') else path}")

    def bind(self, name: str, expr: Any, scope: _Scope) -> None:
        """BIND: an alias of a variable, a constant, or a computed value (never followed)."""
        if isinstance(expr, Variable) and name in scope.ids:
            return self.aliases.append((scope.node(str(expr)), scope.ids[name]))
        if isinstance(expr, Variable):
            scope.ids[name] = scope.node(str(expr))
        elif isinstance(expr, URIRef | Literal) and scope.ids.get(name) == ROOT:
            self.focus = str(expr)  # the check is about one fixed node
        elif isinstance(expr, URIRef | Literal):
            node = scope.node(name)
            self.constants[node] = (str(expr) if isinstance(expr, URIRef) else None,)
        else:
            scope.node(name)

    def values(self, rows: list[dict[Variable, Any]], scope: _Scope) -> None:
        for variable in {v for row in rows for v in row}:
            terms = tuple(
                str(r[variable]) if isinstance(r.get(variable), URIRef) else None for r in rows
            )
            self.constants[scope.node(str(variable))] = terms

    # -- ordering the steps --------------------------------------------------------------------
    def resolve(self, group: _Group, scope: _Scope) -> None:
        """Place every pattern of the group, then the parts that only read from it."""
        edges, joined = list(group.edges), list(group.joined)
        progress = True
        while progress:
            progress = False
            for edge in list(edges):
                if self.place(edge):
                    edges.remove(edge)
                    progress = True
            for alias in list(self.aliases):
                if self.alias(*alias):
                    self.aliases.remove(alias)
                    progress = True
            for part in list(joined):
                if self.attempt(lambda p=part: self.join(*p)):
                    joined.remove(part)
                    progress = True
        if edges or joined:
            raise NotLocal("a pattern that does not connect to ?this")
        if not all(self.is_known(scope.node(name)) for name in group.group_by):
            raise NotLocal("GROUP BY a variable not connected to ?this")
        for part, names in group.reading:  # shares only the names bound on its left
            known = scope.known()
            self.plan(part, _Scope(self, {n: known[n] for n in names if n in known}), False)

    def plan(self, part: CompValue, scope: _Scope, required: bool = True) -> None:
        """Place a group's patterns; `required` is False once inside an OPTIONAL, a MINUS or
        a UNION branch (a solution need not match those steps)."""
        outer, self.required = self.required, self.required and required
        try:
            group = _Group()
            self.collect(part, scope, group)
            self.resolve(group, scope)
        finally:
            self.required = outer

    def attempt(self, action: Any) -> bool:
        """Run `action`; undo what it placed if it cannot place everything yet."""
        saved = (len(self.steps), dict(self.depth), dict(self.constants), self.focus)
        aliases = list(self.aliases)
        try:
            action()
            return True
        except NotLocal:
            del self.steps[saved[0] :]
            self.depth, self.constants, self.focus = saved[1], saved[2], saved[3]
            self.aliases = aliases
            return False

    def join(self, part: CompValue, scope: _Scope) -> None:
        if part.name == "Project":  # a subquery: only its projected variables are shared
            inner = _Scope(self, {str(v): scope.node(str(v)) for v in part.PV})
            self.plan(part.p, inner)
            return
        branches = [_Scope(self, scope.known()) for _ in (part.p1, part.p2)]
        for branch, pattern in zip(branches, (part.p1, part.p2), strict=True):
            self.plan(pattern, branch, False)
        derived = [{n for n, node in b.ids.items() if node in self.depth} for b in branches]
        shared = set.intersection(*derived) - set(scope.known())
        for name in shared:  # derived in every branch: its values are those of the branches
            node = scope.node(name)
            for branch in branches:
                self.steps.append(Step(branch.ids[name], node, frozenset()))
            self.depth[node] = max(self.depth.get(b.ids[name], 0) for b in branches) + 1

    def alias(self, a: int, b: int) -> bool:
        """Two nodes with the same values: one derived gives the other its values."""
        if a == b or (a in self.depth and b in self.depth):
            return True
        for source, target in ((a, b), (b, a)):
            if source in self.depth and not self.is_known(target):
                self.steps.append(Step(source, target, frozenset(), required=self.required))
                self.depth[target] = self.depth[source] + 1
                return True
        return False

    def place(self, edge: _Edge) -> bool:
        s, o = edge.subject, edge.object
        derived = {n for n in (s, o) if n in self.depth}
        known = {n for n in (s, o) if self.is_known(n)}
        if (len(known) == 2 or s == o) and derived:
            forward = s in derived or o not in derived
            source, target = (s, o) if forward else (o, s)
            seed_source = self.depth.get(source, 1 << 30) <= self.depth.get(target, 1 << 30)
            step = Step(source, target, edge.predicates, forward, edge.closure, False, seed_source)
            self.steps.append(replace(step, required=self.required))
            return True
        if len(derived) == 1 and len(known) == 1:
            source = derived.pop()
            target, forward = (o, True) if source == s else (s, False)
            step = Step(source, target, edge.predicates, forward, edge.closure)
            self.steps.append(replace(step, required=self.required))
            self.depth[target] = self.depth[source] + 1
            return True
        return False


def reach(text: str) -> Reach:
    """The steps from `?this` that reach every statement a check's rows about it can read."""
    algebra = prepareQuery(text).algebra
    top = algebra.p
    while top.name in PASS_THROUGH:
        top = top.p
    if top.name != "Project" or Variable("this") not in top.PV:
        raise NotLocal("no ?this in the results")
    planner = _Planner()
    planner.plan(top.p, _Scope(planner, {"this": ROOT}))
    return Reach(tuple(planner.steps), planner.focus, dict(planner.constants))
