"""What a SPARQL 1.1 Update would change, recorded without running it on the dataset.

A remote store can only be changed by one atomic DELETE DATA / INSERT DATA request that was
validated first, so the change of an update is worked out here and recorded in a
`ChangeRecorder`, reading the store through its public API only. The request is split into
operations at the top-level `;`; the engine runs each piece on an empty local store (DATA
blocks, graph names, template instances), and the store's own engine evaluates each WHERE
clause (`evaluate`, one request to a remote store). Graph operations (CLEAR, DROP, CREATE,
ADD, MOVE, COPY) follow pyoxigraph's semantics, which the tests hold this module to.

Operations see the changes of the operations before them in the request: the recorder
overlays those for DATA blocks and graph operations, but a WHERE clause is evaluated by the
store, which has not seen them, so such a request is refused (send it as separate requests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidRequest, OperationFailed, PolicyRefused
from ..sparql.guard import LOAD_REFUSED, SERVICE_REFUSED, inspect
from ..sparql.lexer import IRI, PNAME, PUNCT, STRING, Token, depths, tokenize
from . import ChangeRecorder, Delta, GraphStore, RemoteStore
from . import update_pieces as templates
from .history_graph import HISTORY

SEQUENTIAL = (
    "this update has a WHERE clause after an operation that changes the data; the store "
    "evaluates WHERE clauses on the data as it is, before this request, so send the "
    "operations as separate requests"
)


class SequentialUpdate(InvalidRequest):
    """A WHERE clause after a change in the same request (`SEQUENTIAL`): the caller may
    work the update out on a copy of the dataset instead."""

    def __init__(self) -> None:
        super().__init__(SEQUENTIAL)

    def __reduce__(self) -> tuple:
        return (SequentialUpdate, ())


@dataclass
class _Operation:
    """One operation of the request, with the prologue in force and its body tokens."""

    text: str
    tokens: list[Token]
    prologue: str
    base_iri: str | None

    def keyword(self, index: int) -> str:
        return self.tokens[index].keyword if index < len(self.tokens) else ""

    def iri(self, index: int) -> str:
        return templates.resolved_iri(self.prologue, self.tokens[index].text, self.base_iri)

    def body(self, start: int = 0) -> str:
        """The text from token `start` to the end of the operation."""
        return self.text[self.tokens[start].start : _end(self.tokens[-1])]

    def group(self, index: int) -> tuple[str, int]:
        """The `{ … }` group opening at token `index`, and the index after it."""
        for end, (depth, token) in enumerate(depths(self.tokens[index:]), start=index):
            if depth == 0 and token.kind == PUNCT and token.text == "}":
                return self.text[self.tokens[index].start : _end(token)], end + 1
        raise InvalidRequest("SPARQL syntax error: unbalanced braces")


def _end(token: Token) -> int:
    return token.start + len(token.text)


def _operations(tokens: list[Token]) -> list[list[Token]]:
    """The tokens of each operation: the request split at `;` outside braces."""
    operations: list[list[Token]] = [[]]
    for depth, token in depths(tokens):
        if depth == 0 and token.kind == PUNCT and token.text == ";":
            operations.append([])
        else:
            operations[-1].append(token)
    return operations


def _prologue_end(tokens: list[Token]) -> int:
    """The index of the first token after the operation's BASE/PREFIX/VERSION declarations."""
    index = 0
    while index < len(tokens):
        keyword = tokens[index].keyword
        if keyword == "BASE" and index + 1 < len(tokens) and tokens[index + 1].kind == IRI:
            index += 2
        elif keyword == "PREFIX" and index + 2 < len(tokens) and tokens[index + 1].kind == PNAME:
            index += 3
        elif keyword == "VERSION" and index + 1 < len(tokens) and tokens[index + 1].kind == STRING:
            index += 2
        else:
            break
    return index


def _refuse_offline(text: str) -> None:
    found = inspect(text)
    if found.uses_load:
        raise PolicyRefused(LOAD_REFUSED)
    if found.uses_service:
        raise PolicyRefused(SERVICE_REFUSED)


def record_update(
    recorder: ChangeRecorder, store: GraphStore | RemoteStore, text: str, base_iri: str | None
) -> None:
    """Record in `recorder` the change the update `text` would make to `store` (which must be
    the recorder's store): the store is read through `evaluate` and the recorder only.

    InvalidRequest for a syntax error, LOAD or SERVICE (PolicyRefused) and a WHERE clause after
    a change in the same request; OperationFailed for an operation that fails on the data (DROP
    of a missing graph without SILENT, say).
    """
    _refuse_offline(text)
    templates.check_update(text, base_iri)
    prologue: list[str] = []
    for tokens in _operations(tokenize(text)):
        end = _prologue_end(tokens)
        if end:
            prologue.append(text[tokens[0].start : _end(tokens[end - 1])])
        if end < len(tokens):
            operation = _Operation(text, tokens[end:], "\n".join(prologue), base_iri)
            _record(recorder, store, operation)


def _record(recorder: ChangeRecorder, store: GraphStore | RemoteStore, op: _Operation) -> None:
    first, second = op.keyword(0), op.keyword(1)
    if second == "DATA":
        _record_data(recorder, op)
    elif first in GRAPH_OPERATIONS:
        GRAPH_OPERATIONS[first](recorder, op)
    elif first in ("WITH", "INSERT", "DELETE"):
        _record_modify(recorder, store, op)
    else:
        raise InvalidRequest(f"SPARQL syntax error: unexpected {op.tokens[0].text!r}")


def _record_data(recorder: ChangeRecorder, op: _Operation) -> None:
    if op.keyword(0) == "INSERT":
        recorder.add_quads(templates.inserted_quads(f"{op.prologue}\n{op.body()}", op.base_iri))
        return
    # DELETE DATA: the same block inserted into an empty store gives the quads to delete
    update = f"{op.prologue}\nINSERT {op.body(1)}"
    recorder.remove_quads(templates.inserted_quads(update, op.base_iri))


# -- graph operations -------------------------------------------------------------------------
def _missing(graph: str) -> OperationFailed:
    return OperationFailed(f"the graph <{graph}> does not exist; add SILENT to skip it")


def _graph_refs(recorder: ChangeRecorder, op: _Operation, silent: bool) -> list[str | None]:
    """The graphs of CLEAR/DROP's GRAPH iri | DEFAULT | NAMED | ALL (None: the default)."""
    index = 2 if silent else 1
    keyword = op.keyword(index)
    if keyword == "DEFAULT":
        return [None]
    if keyword in ("NAMED", "ALL"):
        # the data's graphs: the history graph describes the updates themselves, so no
        # update's ALL or NAMED takes it in (naming it is refused, see `dataset.writes`)
        named = [g for g in recorder.graph_names() if g != HISTORY]
        return ([None] if keyword == "ALL" else []) + named
    graph = op.iri(index + 1)
    if recorder.has_graph(graph):
        return [graph]
    if silent:
        return []
    raise _missing(graph)


def _clear(recorder: ChangeRecorder, op: _Operation) -> None:
    for graph in _graph_refs(recorder, op, op.keyword(1) == "SILENT"):
        recorder.replace_graph(graph, [])


def _drop(recorder: ChangeRecorder, op: _Operation) -> None:
    for graph in _graph_refs(recorder, op, op.keyword(1) == "SILENT"):
        recorder.drop_graph(graph)


def _create(recorder: ChangeRecorder, op: _Operation) -> None:
    silent = op.keyword(1) == "SILENT"
    graph = op.iri(3 if silent else 2)
    if not recorder.has_graph(graph):
        recorder.merge_graph(graph, [])
    elif not silent:
        raise OperationFailed(f"the graph <{graph}> already exists; add SILENT to skip it")


def _graph_or_default(op: _Operation, index: int) -> tuple[str | None, int]:
    """DEFAULT | GRAPH? iri at `index`: the graph (None: the default) and the index after."""
    if op.keyword(index) == "DEFAULT":
        return None, index + 1
    if op.keyword(index) == "GRAPH":
        index += 1
    return op.iri(index), index + 1


def _transfer(recorder: ChangeRecorder, op: _Operation) -> None:
    """ADD, COPY and MOVE as the engine rewrites them: nothing when source and target are the
    same graph; else COPY and MOVE drop the target, the source's quads are inserted into it
    (which creates it only when there are some), and MOVE drops the source."""
    keyword, silent = op.keyword(0), op.keyword(1) == "SILENT"
    source, index = _graph_or_default(op, 2 if silent else 1)
    target, _ = _graph_or_default(op, index + 1)  # after TO
    if source == target:
        return
    if keyword in ("COPY", "MOVE"):
        recorder.drop_graph(target)
    recorder.add_quads(templates.moved(recorder.graph_quads(source), target))
    if keyword == "MOVE":
        if source is not None and not recorder.has_graph(source) and not silent:
            raise _missing(source)
        recorder.drop_graph(source)


GRAPH_OPERATIONS = {
    "CLEAR": _clear,
    "DROP": _drop,
    "CREATE": _create,
    "ADD": _transfer,
    "COPY": _transfer,
    "MOVE": _transfer,
}


# -- DELETE/INSERT … WHERE --------------------------------------------------------------------
@dataclass
class _Modify:
    head: str  # the prologue and the WITH clause: what the templates are read with
    delete: str = ""
    insert: str = ""
    where: str = ""
    with_graph: str | None = None
    # the USING and the USING NAMED graphs
    using: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))


def _modify(op: _Operation) -> _Modify:
    """The parts of DELETE WHERE or [WITH g] DELETE {…} INSERT {…} USING … WHERE {…}."""
    found, index = _Modify(op.prologue), 0
    if op.keyword(0) == "WITH":
        found.with_graph, index = op.iri(1), 2
        found.head += "\n" + op.text[op.tokens[0].start : op.tokens[2].start]
    if op.keyword(index) == "DELETE" and op.keyword(index + 1) == "WHERE":
        found.delete, _ = op.group(index + 2)
        found.where = found.delete
        return found
    if op.keyword(index) == "DELETE":
        found.delete, index = op.group(index + 1)
    if op.keyword(index) == "INSERT":
        found.insert, index = op.group(index + 1)
    while op.keyword(index) == "USING":
        named = op.keyword(index + 1) == "NAMED"
        index += 1 + named
        found.using[named].append(op.iri(index))
        index += 1
    found.where, _ = op.group(index + 1)  # after WHERE
    return found


def _dataset(recorder: ChangeRecorder, modify: _Modify) -> dict[str, list[Any]]:
    """The WHERE clause's dataset: USING and USING NAMED graphs (only those: USING alone
    means no named graphs), else the WITH graph or the store's own default graph, with every
    named graph."""
    default, named = modify.using
    if not (default or named):
        own = modify.with_graph
        # an empty own default graph is no graph: a remote store can be asked for that
        default = [own] if own is not None or recorder.graph_quads(None) else []
        named = recorder.graph_names()
    return {"default_graph": default, "named_graphs": named}


def _record_modify(
    recorder: ChangeRecorder, store: GraphStore | RemoteStore, op: _Operation
) -> None:
    if recorder.delta():
        raise SequentialUpdate
    modify = _modify(op)
    where = f"{op.prologue}\nSELECT * WHERE {modify.where}"
    found = store.evaluate(where, base_iri=op.base_iri, **_dataset(recorder, modify))
    solutions = templates.skolemised(found)
    recorder.read_blanks(solutions.blanks.values())
    if modify.delete:
        deleted = templates.instances(modify.head, modify.delete, solutions, op.base_iri)
        recorder.remove_quads(deleted)
    if modify.insert:
        inserted = templates.instances(modify.head, modify.insert, solutions, op.base_iri)
        recorder.add_quads(inserted)


def updated_on_a_copy(store: GraphStore, text: str, base_iri: str | None) -> Delta:
    """What an update changes, worked out by running it on a copy of `store` (seconds at a
    million quads): for the requests `record_update` cannot record without running them."""
    staged = store.copy_whole()  # empty graphs too: else the diff drops them, CREATE succeeds
    try:
        staged.update(text, base_iri=base_iri)
    except SyntaxError as error:
        raise InvalidRequest(f"the update could not run: {error}") from error
    except RuntimeError as error:
        raise OperationFailed(f"the update could not run: {error}") from error
    return store.diff(staged)
