"""Pre-binding query variables for a store reached over the SPARQL protocol.

The embedded engine binds parameters before evaluation (pyoxigraph substitutions), so a
parameter also reaches the subqueries that use it. The protocol has no such option; a
`VALUES` block placed at the start of the WHERE group of the query and of every subquery
gives the same answers (a trailing `VALUES` would join only after the subqueries ran). The
block itself is written from typed terms by the store package, never from request text.
"""

from __future__ import annotations

from .lexer import PUNCT, depths, tokenize

HEADS = frozenset({"SELECT", "ASK", "DESCRIBE", "CONSTRUCT"})


def _where_groups(text: str) -> list[int] | None:
    """Offsets just inside the WHERE group of the query and of each subquery; None when a
    form has no group to put bindings in (`CONSTRUCT WHERE { template }`)."""
    cuts: list[int] = []
    waiting: dict[int, int] = {}  # depth -> how many `{` to pass before the WHERE group
    previous = ""
    for depth, token in depths(tokenize(text)):
        if token.keyword in HEADS:
            waiting[depth] = 1 if token.keyword == "CONSTRUCT" else 0
        elif token.keyword == "WHERE" and previous == "CONSTRUCT":
            return None
        elif token.kind == PUNCT and token.text == "{":
            if waiting.get(depth) == 0:
                cuts.append(token.start + 1)
                del waiting[depth]
            elif depth in waiting:
                waiting[depth] -= 1
        previous = token.keyword
    return cuts


def prebound(text: str, values: str) -> str:
    """`text` with the `VALUES` block `values` at the start of every WHERE group (or, for a
    form without one, after the query)."""
    cuts = _where_groups(text)
    if not cuts:
        return f"{text}\n{values}"
    for cut in reversed(cuts):
        text = f"{text[:cut]} {values} {text[cut:]}"
    return text
