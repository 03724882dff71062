"""The protocol's dataset of an update (`using-graph-uri`, `using-named-graph-uri`) written
into its text as USING clauses. Standard library only."""

from __future__ import annotations

from collections.abc import Sequence

from .guard import GuardError
from .lexer import IRIREF, depths, tokenize


def _iriref(iri: str) -> str:
    ref = f"<{iri}>"
    if not IRIREF.fullmatch(ref):
        raise GuardError(f"{iri!r} is not an IRI")
    return ref


def with_using(text: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """The update with the protocol's `using-graph-uri`/`using-named-graph-uri` applied.

    SPARQL 1.1 Protocol 2.2.3: the parameters act as USING/USING NAMED clauses of every
    DELETE/INSERT operation; they go right before each operation's WHERE.
    """
    clauses = " ".join(
        [f"USING {_iriref(g)}" for g in default_graphs]
        + [f"USING NAMED {_iriref(g)}" for g in named_graphs]
    )
    cuts, previous = [], ""
    for depth, token in depths(tokenize(text)):
        if depth == 0 and token.keyword == "WHERE":
            if previous == "DELETE":
                raise GuardError(
                    "DELETE WHERE takes no dataset; with using-graph-uri write "
                    "DELETE { ... } WHERE { ... }"
                )
            cuts.append(token.start)
        previous = token.keyword
    for cut in reversed(cuts):
        text = f"{text[:cut]}{clauses} {text[cut:]}"
    return text
