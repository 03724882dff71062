"""Pre-binding query variables for a store reached over the SPARQL protocol.

The embedded engine binds parameters before evaluation (pyoxigraph substitutions), so a
parameter reaches every part of the query that uses it. The protocol has no such option; a
`VALUES` block placed at the start of every group of the query gives the same answers: of
its WHERE group and every subquery (a trailing `VALUES` would join only after the subqueries
ran), and of every OPTIONAL, UNION branch, GRAPH, MINUS and EXISTS group, since a FILTER sees
only its own group (in `OPTIONAL { ?a ?b ?c OPTIONAL { ... FILTER(LANG(?l) = ?lang) } }` a
binding of the outer group does not reach it). The block itself is written from typed terms
by the store package, never from request text.
"""

from __future__ import annotations

from .lexer import PUNCT, depths, tokenize


def _groups(text: str) -> list[int] | None:
    """Offsets just inside every group of the query (not a CONSTRUCT template, a VALUES data
    block or the braces around a subquery, whose own WHERE group counts); None when a form
    has no group to put bindings in (`CONSTRUCT WHERE { template }`)."""
    cuts: list[int] = []
    data: set[int] = set()  # depths whose next `{` opens a template or a data block
    tokens = list(depths(tokenize(text)))
    previous = ""
    for index, (depth, token) in enumerate(tokens):
        if token.keyword in ("CONSTRUCT", "VALUES"):
            data.add(depth)
        elif token.keyword == "WHERE" and previous == "CONSTRUCT":
            return None
        elif token.kind == PUNCT and token.text == "{":
            following = tokens[index + 1][1].keyword if index + 1 < len(tokens) else ""
            if depth in data:
                data.discard(depth)
            elif following != "SELECT":
                cuts.append(token.start + 1)
        previous = token.keyword
    return cuts


def prebound(text: str, values: str) -> str:
    """`text` with the `VALUES` block `values` at the start of every group (or, for a form
    without one, after the query)."""
    cuts = _groups(text)
    if not cuts:
        return f"{text}\n{values}"
    for cut in reversed(cuts):
        text = f"{text[:cut]} {values} {text[cut:]}"
    return text
