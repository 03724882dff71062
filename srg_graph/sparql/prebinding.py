"""Pre-binding query variables for a store reached over the SPARQL protocol.

The embedded engine binds parameters before evaluation (pyoxigraph substitutions), so a
parameter reaches every part of the query that uses it. The protocol has no such option; a
`VALUES` block placed at the start of every group of the query gives the same answers: of
its WHERE group and every subquery (a trailing `VALUES` would join only after the subqueries
ran), and of every OPTIONAL, UNION branch, GRAPH, MINUS and EXISTS group that names a bound
variable, since a FILTER sees only its own group (in `OPTIONAL { ?a ?b ?c OPTIONAL { ...
FILTER(LANG(?l) = ?lang) } }` a binding of the outer group does not reach it). A group that
names none gets no block, but for the outermost one and MINUS groups (the engine's binding
makes a MINUS share the variable): there it could change no answer, and Virtuoso's optimiser
fails on such blocks (SQ156 "Bad dfe in sqlo_place_exp" on the resource pages' query). The
block itself is written from typed terms by the store package, never from request text.
"""

from __future__ import annotations

from .lexer import PUNCT, VAR, Token, depths, tokenize

# the next `{` at their depth opens a template or a data block, no group (SPARQL Update too)
TEMPLATES = frozenset({"CONSTRUCT", "INSERT", "DELETE", "VALUES"})


def _groups(text: str, bound: set[str]) -> list[int] | None:
    """Offsets just inside every group of the query; not in a template or data block (of
    CONSTRUCT, INSERT, DELETE, VALUES), nor the braces around a subquery (whose own WHERE
    group counts), nor the group of a `GRAPH ?g` whose ?g is `bound` (an engine may read the
    block there as the graph to read). None when a form has no group to put bindings in
    (`CONSTRUCT WHERE { template }`)."""
    cuts: list[int] = []
    opening: set[int] = set()  # depths whose next `{` opens a template or data block
    skipped: set[int] = set()  # depths whose next `{` opens a group of a bound GRAPH ?g
    inside: int | None = None  # the depth of the template being read
    tokens = list(depths(tokenize(text)))
    previous = ""
    for index, (depth, token) in enumerate(tokens):
        brace = token.kind == PUNCT and token.text
        if inside is not None:
            inside = None if brace == "}" and depth == inside else inside
        elif token.keyword == "WHERE" and previous == "CONSTRUCT":
            return None
        elif token.keyword in TEMPLATES:
            opening.add(depth)
        elif token.kind == VAR and previous == "GRAPH" and token.text[1:] in bound:
            skipped.add(depth)
        elif brace == "{" and depth in opening:
            opening.discard(depth)
            inside = depth
        elif brace == "{" and depth in skipped:
            skipped.discard(depth)
        elif brace == "{":
            following = tokens[index + 1][1].keyword if index + 1 < len(tokens) else ""
            needed = depth == 0 or previous == "MINUS" or _names(tokens, index, bound)
            if following != "SELECT" and needed:
                cuts.append(token.start + 1)
        previous = token.keyword
    return cuts


def _names(tokens: list[tuple[int, Token]], opening: int, bound: set[str]) -> bool:
    """Whether the group opened at `tokens[opening]` names a variable of `bound`."""
    depth = tokens[opening][0]
    for inner, token in tokens[opening + 1 :]:
        if inner == depth:  # the group's closing brace
            return False
        if token.kind == VAR and token.text[1:] in bound:
            return True
    return False


def prebound(text: str, values: str) -> str:
    """`text` with the `VALUES` block `values` at the start of every group (or, for a form
    without one, after the query)."""
    bound = {token.text[1:] for token in tokenize(values) if token.kind == VAR}
    cuts = _groups(text, bound)
    if not cuts:
        return f"{text}\n{values}"
    for cut in reversed(cuts):
        text = f"{text[:cut]} {values} {text[cut:]}"
    return text
