"""Versions of resources: the state of each resource a change touched, just after it.

A `Replica` holds the data (every named graph but the history graph) at one version of the
history, in an on-disk store of its own, and is moved on change by change (`advance`). The
state of a resource is its subject-centred description: every triple with the resource as its
subject, in any graph (the union, each triple once), and, as a Concise Bounded Description
does, the triples of the blank nodes it refers to, followed through blank node after blank
node. A change touches the resources that are subjects of the statements it removed or added;
a blank node it changed belongs to the IRIs that refer to it (through blank nodes), before
the change and after it. A blank-node structure that no IRI refers to is nobody's state.

The history graph is not data of resources (it describes the changes themselves) and is never
held. `member` turns a version into the triples of an LDES member: the description with the
resource's IRI replaced by the member's as subject, its blank nodes renamed so that no two
members share one, and the envelope (which resource, when, which change) added. `render`
writes a document (a page of members with its TREE description) in an RDF format.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..namespaces import RDF, XSD
from ..sparql.named import Binding
from .base import rdf_bytes
from .graph_store import Delta, GraphStore
from .history_graph import HISTORY, change_iri
from .remote import RemoteStore

_HISTORY = ox.NamedNode(HISTORY)
# The replica's record of its version: a statement of its own, in a graph no data is in.
_MARK = ox.NamedNode("urn:x-srg:replica")
_VERSION = ox.NamedNode("urn:x-srg:replica-version")
_INTEGER = ox.NamedNode(XSD + "integer")
NTRIPLES = ox.RdfFormat.N_TRIPLES
# (subject, predicate, object) of a document's own triples: a subject is ("iri", IRI, None) or
# ("bnode", label, None); an object any `Binding` (literals: datatype IRI or "@lang").
Statement = tuple[Binding, str, Binding]


def _data(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    return (q for q in quads if q.graph_name != _HISTORY)


def _parsed(nquads: bytes) -> list[ox.Quad]:
    return list(_data(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))) if nquads else []


@dataclass(frozen=True)
class Version:
    """The state of `resource` just after a change: its description, or None when the change
    left no statement about it (a deletion)."""

    resource: str
    triples: tuple[ox.Triple, ...] | None

    @property
    def deleted(self) -> bool:
        return self.triples is None

    def member(self, member: str, envelope: Iterable[tuple[str, Binding]]) -> bytes:
        """The member `member` of this version as N-Triples: the description about `member`
        instead of the resource (the resource stays where it is an object), blank nodes
        renamed for this member, then the envelope's predicates and objects."""
        node, resource = ox.NamedNode(member), ox.NamedNode(self.resource)
        prefix = _label_prefix(member)
        renamed: dict[ox.BlankNode, ox.BlankNode] = {}

        def term(value: Any) -> Any:
            if isinstance(value, ox.BlankNode):
                found = renamed.get(value)
                if found is None:
                    found = renamed[value] = ox.BlankNode(f"{prefix}{len(renamed)}")
                return found
            return value

        out = [
            ox.Triple(
                node if t.subject == resource else term(t.subject), t.predicate, term(t.object)
            )
            for t in self.triples or ()
        ]
        out += [ox.Triple(node, ox.NamedNode(p), _term(o)) for p, o in envelope]
        return ox.serialize(out, format=NTRIPLES) or b""


def _label_prefix(member: str) -> str:
    """Blank node labels of one member: `b` and the member IRI's digits (change and index),
    e.g. `b12x3x` for `.../change/12/member/3`."""
    digits = [part for part in member.split("/") if part.isdigit()]
    return "b" + "x".join(digits) + "x"


class Replica:
    """The data at one version, on disk (`path`) or in memory (None). It knows that version
    (`marked`, written with the data by `mark`) and how many quads it holds (`quads`, counted
    when it is opened), so a replica whose files are not what was last written (damaged, or
    its last writes lost with the power) is told from a good one."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._store = ox.Store(str(path)) if path is not None else ox.Store()
        self.quads = len(self._store)  # (a full scan: once, when opened)

    @classmethod
    def remove(cls, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    @classmethod
    def opened(cls, path: Path) -> Replica | None:
        """The replica on disk at `path`; None when its files cannot be read (damaged)."""
        try:
            return cls(path)
        except RuntimeError:  # the engine's word for damaged files (I/O errors are OSError)
            return None

    def fill(self, store: GraphStore) -> None:
        """Take the data of `store` (its history graph left out), quads and labels as they are."""
        self._store.bulk_extend(_data(store.quads()))
        self._store.flush()
        self.quads = len(self._store)

    def apply(self, delta: Delta) -> None:
        """Apply a delta (its history quads left out)."""
        self._change(_parsed(delta.removed), _parsed(delta.added))

    def advance(self, delta: Delta) -> list[str]:
        """Apply `delta` and return the resources it touched, by IRI (their versions are
        `version(resource)` until the next change)."""
        removed, added = _parsed(delta.removed), _parsed(delta.added)
        subjects = {q.subject for q in removed + added}
        blank = {s for s in subjects if isinstance(s, ox.BlankNode)}
        touched = {s for s in subjects if isinstance(s, ox.NamedNode)} | self._referrers(blank)
        self._change(removed, added)
        touched |= self._referrers(blank)
        return sorted(node.value for node in touched)

    def _change(self, removed: list[ox.Quad], added: list[ox.Quad]) -> None:
        """Remove and add quads, counting those that were there and those that were not."""
        gone = [quad for quad in dict.fromkeys(removed) if quad in self._store]
        for quad in gone:
            self._store.remove(quad)
        new = [quad for quad in dict.fromkeys(added) if quad not in self._store]
        self._store.extend(new)
        self.quads += len(new) - len(gone)

    @property
    def marked(self) -> int | None:
        """The version `mark` recorded last (None: never marked)."""
        for quad in self._store.quads_for_pattern(_MARK, _VERSION, None, _MARK):
            return int(quad.object.value)
        return None

    def mark(self, version: int) -> None:
        """Record that the replica holds the data at `version` (with the data, when flushed)."""
        self._change(
            list(self._store.quads_for_pattern(_MARK, _VERSION, None, _MARK)),
            [ox.Quad(_MARK, _VERSION, ox.Literal(str(version), datatype=_INTEGER), _MARK)],
        )

    def _referrers(self, blank: set[ox.BlankNode]) -> set[ox.NamedNode]:
        """The IRIs that refer to one of `blank`, directly or through blank nodes."""
        found: set[ox.NamedNode] = set()
        seen, todo = set(blank), list(blank)
        while todo:
            node = todo.pop()
            for quad in self._store.quads_for_pattern(None, None, node, None):
                subject = quad.subject
                if isinstance(subject, ox.NamedNode):
                    found.add(subject)
                elif isinstance(subject, ox.BlankNode) and subject not in seen:
                    seen.add(subject)
                    todo.append(subject)
        return found

    def version(self, resource: str) -> Version:
        """The description of `resource` as the replica holds it now."""
        triples: dict[ox.Triple, None] = {}
        seen: set[Any] = set()
        todo: list[Any] = [ox.NamedNode(resource)]
        while todo:
            node = todo.pop()
            for quad in self._store.quads_for_pattern(node, None, None, None):
                if quad.graph_name == _HISTORY:
                    continue
                triples[ox.Triple(quad.subject, quad.predicate, quad.object)] = None
                target = quad.object
                if isinstance(target, ox.BlankNode) and target not in seen:
                    seen.add(target)
                    todo.append(target)
        return Version(resource, tuple(triples) if triples else None)

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        try:
            self.flush()
        finally:  # closed all the same: a store that failed to write is opened again
            del self._store


def _term(binding: Binding) -> Any:
    kind, value, datatype = binding
    if kind == "iri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if datatype and datatype.startswith("@"):
        return ox.Literal(value, language=datatype[1:])
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def statements_ntriples(statements: Iterable[Statement]) -> bytes:
    """A document's own triples as N-Triples."""
    triples = [ox.Triple(_term(s), ox.NamedNode(p), _term(o)) for s, p, o in statements]
    return ox.serialize(triples, format=NTRIPLES) or b""


def render(ntriples: Iterable[bytes], fmt: str, prefixes: Mapping[str, str]) -> bytes:
    """N-Triples documents written as one in `fmt` (a name of `formats`): N-Triples and
    N-Quads as they are, other formats parsed and written with `prefixes`."""
    data = b"".join(ntriples)
    if fmt in ("ntriples", "nquads"):
        return data
    return rdf_bytes(ox.parse(data, format=NTRIPLES), fmt, dict(prefixes))


def members_of(ntriples: bytes, version_of: str) -> list[str]:
    """The members of a page's N-Triples, in order: the IRIs that are a version of something
    (`version_of`: the stream's `ldes:versionOfPath`)."""
    predicate = ox.NamedNode(version_of)
    found: dict[str, None] = {}
    for triple in ox.parse(ntriples, format=NTRIPLES):
        if triple.predicate == predicate and isinstance(triple.subject, ox.NamedNode):
            found[triple.subject.value] = None
    return list(found)


def relabelled(delta: Delta, number: int, store: GraphStore | RemoteStore) -> Delta:
    """`delta`, change `number`, with the blank nodes it added named as `store` names them.

    A remote store names the blank nodes of an update itself, so its labels are not the log's.
    It took each change together with its description in the history graph, in one update, so
    the reified statement `change/{n}/added/{k}` there (the k-th added statement, in sorted
    order: `history_graph`) names the same blank nodes as the k-th added statement of the
    delta. A change of more than `history_graph.ITEMISED` statements is not itemised there:
    its blank nodes keep the log's labels.
    """
    added = _parsed(delta.added)
    if not any(isinstance(t, ox.BlankNode) for q in added for t in (q.subject, q.object)):
        return delta
    names: dict[ox.BlankNode, Any] = {}
    for index, quad in enumerate(sorted(added, key=str), 1):
        statement = ox.NamedNode(f"{change_iri(number)}/added/{index}")
        for term, part in ((quad.subject, "subject"), (quad.object, "object")):
            if isinstance(term, ox.BlankNode) and term not in names:
                found = store.quads(statement, ox.NamedNode(RDF + part), None, _HISTORY)
                if found:
                    names[term] = found[0].object
    renamed = [
        ox.Quad(
            names.get(q.subject, q.subject),
            q.predicate,
            names.get(q.object, q.object),
            q.graph_name,
        )
        for q in added
    ]
    text = ox.serialize(renamed, format=ox.RdfFormat.N_QUADS) or b""
    return replace(delta, added=text)
