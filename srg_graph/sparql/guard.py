"""Check a SPARQL query or update before it reaches the engine. Standard library only.

The engine (pyoxigraph 0.5) parses recursively and takes the whole process down on a few
thousand nested groups, so nesting is measured here by the lexer (`lexer`), which is
iterative and linear-time, rather than by a parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import urljoin

from ..errors import InvalidRequest, PolicyRefused
from .lexer import (
    IRI,
    PNAME,
    PUNCT,
    WORD,
    Lexer,
    Token,
    decode_codepoints,
    depths,
)
from .plain import has_words_in_context, plain_query

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


class GuardError(InvalidRequest):
    """The request is refused before it reaches the engine; the message says what to fix."""


class Refused(GuardError, PolicyRefused):
    """A valid request this endpoint refuses by policy (SERVICE, LOAD)."""


# Nothing leaves the server: no request reaches out to another endpoint or document.
RUNS_INTO = (
    " (a word or a prefix that runs into it, as in `SERVICE:g`, `trueSERVICE` or `LOADex:g`, "
    "counts: the engine reads the keyword there too; put a space after it, or rename a prefix "
    "whose name holds it)"
)
SERVICE_REFUSED = (
    "SERVICE (federated query) is disabled on this endpoint, by policy: no request leaves the "
    "server; query the other endpoint yourself and send its data here if needed" + RUNS_INTO
)
LOAD_REFUSED = (
    "LOAD is disabled: no request leaves the server (a policy of this endpoint); upload the "
    "data with the Graph Store Protocol instead" + RUNS_INTO
)
_DATASET_KEYWORDS = ("FROM", "USING", "WITH")
# where an operation begins: its prologue's declarations, then its form
_OPERATION_KEYWORDS = ("BASE", "PREFIX", "VERSION", *sorted(QUERY_FORMS | UPDATE_FORMS))
# after these the grammar takes an IRI and nothing else, so no keyword is read there
_IRI_ONLY_AFTER = frozenset({"GRAPH", "TO"})
ESCAPES_CHANGE_MEANING = (
    "the {expect} means something else once its \\u or \\U escapes are decoded before "
    "parsing (as SPARQL 1.1, section 19.2, has it; the engine decodes them only inside IRIs "
    "and strings): an escape stands for a quote, a bracket or a keyword. Write the characters "
    'themselves, or within a string escape a quote as \\"'
)


@dataclass(frozen=True)
class Inspection:
    """What the guard learned about a request without parsing it."""

    form: Literal["query", "update"] | None
    query_type: str | None = None
    max_depth: int = 0
    uses_service: bool = False
    uses_load: bool = False
    dataset_iris: list[str] = field(default_factory=list)
    # (keyword, iri) pairs such as ("FROM NAMED", "http://…"), for messages that quote the query
    dataset_clauses: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False  # no token at all (only whitespace and comments)
    # a word or prefixed name that the engine may split into a keyword and a name, where that
    # keyword may stand (`FROMex:g`, `FROM NAMEDex:g`, `PREFIXex:`, `CONSTRUCTWHERE`): (its
    # text, the keyword)
    run_in: tuple[str, str] | None = None
    # the text reads otherwise once its codepoint escapes are decoded (see `inspect`)
    escapes_change_meaning: bool = False
    operators: int = 0  # see `_operator_count`


def _unescape_local(local: str) -> str:
    return re.sub(r"\\(.)", r"\1", local)


class _Reader:
    """Walks the tokens once, keeping the prologue's BASE and PREFIX declarations in force."""

    def __init__(self, tokens: list[Token], base_iri: str | None) -> None:
        self.tokens = tokens
        self.base = base_iri
        self.prefixes: dict[str, str] = {}
        self.clauses: list[tuple[str, str]] = []
        self.run_in: tuple[str, str] | None = None

    def at(self, index: int) -> Token:
        return self.tokens[index] if index < len(self.tokens) else Token(PUNCT, "")

    def resolve(self, token: Token) -> str | None:
        """The absolute IRI a token names, or None when it names none (or an unknown prefix)."""
        if token.kind == IRI:
            iri = decode_codepoints(token.text[1:-1])
            return urljoin(self.base, iri) if self.base else iri
        if token.kind == PNAME:
            prefix, _, local = token.text.partition(":")
            namespace = self.prefixes.get(prefix)
            return None if namespace is None else namespace + _unescape_local(local)
        return None

    def prologue(self, index: int) -> int:
        """Applies a BASE or PREFIX declaration at `index`; the index after it (or `index`)."""
        keyword = self.at(index).keyword
        if keyword == "BASE" and self.at(index + 1).kind == IRI:
            self.base = self.resolve(self.at(index + 1))
            return index + 2
        if keyword == "PREFIX" and self.at(index + 1).kind == PNAME:
            namespace = self.resolve(self.at(index + 2))
            if namespace is not None:
                self.prefixes[self.at(index + 1).text.rstrip(":")] = namespace
            return index + 3
        if keyword == "VERSION":  # SPARQL 1.2 prologue, accepted by pyoxigraph 0.5
            return index + 2
        return index

    def dataset_clause(self, index: int) -> int:
        """Records FROM/USING [NAMED] <iri> or WITH <iri> at `index`; the index after it."""
        keyword = self.at(index).keyword
        index += 1
        if keyword != "WITH" and self.at(index).keyword == "NAMED":
            keyword += " NAMED"
            index += 1
        elif keyword != "WITH" and _may_read_as(self.at(index), "NAMED"):
            self.run_in = self.run_in or (self.at(index).text, "NAMED")
        iri = self.resolve(self.at(index))
        if iri is not None:
            self.clauses.append((keyword, iri))
        return index + 1


def _may_read_as(token: Token, keyword: str) -> bool:
    """Whether the engine may read `keyword` inside this token. It reads keywords without a
    word boundary and backtracks, so a bare word or a prefixed name's prefix containing one
    can be split around it (`trueSERVICE`, `SERVICESILENT`, `SERVICE:g`, `LOADex:g` all reach
    the network); a variable's name and a local part it reads whole."""
    if token.kind == WORD:
        return keyword in token.keyword
    return token.kind == PNAME and keyword in token.text.partition(":")[0].upper()


def _dataset_run_in(token: Token) -> str | None:
    """The dataset keyword the engine may read in this token (outside brackets), when the
    token is not that keyword alone. SPARQL 1.1 reads `FROMex:g` or `FROMNAMED` as
    one name or word; the engine reads FROM ex:g and FROM NAMED, so the query's dataset
    would be the engine's, not the one the server works out."""
    for keyword in _DATASET_KEYWORDS:
        if token.keyword != keyword and _may_read_as(token, keyword):
            return keyword
    return None


def _operation_run_in(token: Token) -> str | None:
    """The keyword that the engine reads at the start of this token, where an operation or a
    declaration of its prologue begins (`PREFIXex:`, `CONSTRUCTWHERE`, `DESCRIBEex:x`),
    when the token is not that keyword alone."""
    if token.kind not in (WORD, PNAME):
        return None
    start = token.text.upper()
    return next((k for k in _OPERATION_KEYWORDS if start.startswith(k) and start != k), None)


def _form_of(keyword: str) -> tuple[Literal["query", "update"] | None, str | None]:
    if keyword in QUERY_FORMS:
        return "query", keyword
    return ("update" if keyword in UPDATE_FORMS else None), None


def _inspect_once(text: str, base_iri: str | None) -> Inspection:
    lexer = Lexer(text)
    reader = _Reader(list(lexer.tokens()), base_iri)
    form: Literal["query", "update"] | None = None
    query_type: str | None = None
    decided, starts = False, True  # `starts`: an operation (or its prologue) starts here
    index = 0
    # outside every bracket, where dataset clauses are and updates' operations start
    outside = [depth <= 0 for depth, _ in depths(reader.tokens, "([{", ")]}")]
    while index < len(reader.tokens):
        run_in = _operation_run_in(reader.at(index)) if starts else None
        after_prologue = reader.prologue(index)
        if after_prologue != index and run_in is None:
            index = after_prologue
            continue
        token, keyword = reader.at(index), reader.at(index).keyword
        if not decided:
            decided = True
            form, query_type = _form_of(keyword)
        after = reader.at(index - 1).keyword if index else ""
        if outside[index] and after not in _IRI_ONLY_AFTER:
            run_in = run_in or _dataset_run_in(token)
        if run_in is not None and reader.run_in is None:
            reader.run_in = (token.text, run_in)
        starts = token.kind == PUNCT and token.text == ";" and outside[index]
        if keyword in _DATASET_KEYWORDS:
            index = reader.dataset_clause(index)
            continue
        index += 1
    return Inspection(
        form=form,
        query_type=query_type,
        max_depth=lexer.max_depth,
        uses_service=any(_may_read_as(token, "SERVICE") for token in reader.tokens),
        uses_load=any(_may_read_as(token, "LOAD") for token in reader.tokens),
        dataset_iris=[iri for _, iri in reader.clauses],
        dataset_clauses=reader.clauses,
        empty=not reader.tokens,
        operators=_operator_count(reader.tokens),
        run_in=reader.run_in,
    )


def plainly_a_query(text: str, max_depth: int, max_operators: int) -> Inspection | None:
    """The inspection of a query that is plainly one (`plain`), within the limits, or None
    when only the lexer can tell."""
    found = plain_query(text)
    if found is None or found.depth > max_depth or found.operators > max_operators:
        return None
    return Inspection("query", found.form, max_depth=found.depth, operators=found.operators)


@lru_cache(maxsize=512)
def names_dataset(text: str) -> bool:
    """Whether a query names its own dataset (FROM or FROM NAMED clauses)."""
    if not has_words_in_context(text):  # most queries: no lexing needed
        return False
    return any(keyword.startswith("FROM") for keyword, _ in inspect(text).dataset_clauses)


def query_dataset(text: str) -> tuple[list[str], list[str]]:
    """The graphs of a query's FROM and of its FROM NAMED clauses, as absolute IRIs."""
    clauses = inspect(text).dataset_clauses
    default = [iri for keyword, iri in clauses if keyword == "FROM"]
    return default, [iri for keyword, iri in clauses if keyword == "FROM NAMED"]


@lru_cache(maxsize=256)  # read once for the queries that come again and again (a dashboard's)
def inspect(text: str, base_iri: str | None = None) -> Inspection:
    """What a query or update does, as far as the guard needs to know; never raises. (Shared
    between callers: do not change it.)

    SPARQL 1.1 (section 19.2) lets `\\u0053ERVICE` or `\\u007B` stand for `SERVICE` and `{`
    anywhere, and engines differ on whether they decode these before parsing (pyoxigraph does
    not; a remote store may). When the text has such escapes it is read both ways: the more
    alarming reading of each fact is kept, and where the two disagree on the form or the
    dataset, `escapes_change_meaning` says so.
    """
    plain = _inspect_once(text, base_iri)
    decoded_text = decode_codepoints(text)
    if decoded_text == text:
        return plain
    decoded = _inspect_once(decoded_text, base_iri)
    clauses = list(dict.fromkeys(plain.dataset_clauses + decoded.dataset_clauses))
    return Inspection(
        form=plain.form or decoded.form,
        query_type=plain.query_type or decoded.query_type,
        max_depth=max(plain.max_depth, decoded.max_depth),
        uses_service=plain.uses_service or decoded.uses_service,
        uses_load=plain.uses_load or decoded.uses_load,
        dataset_iris=list(dict.fromkeys(iri for _, iri in clauses)),
        dataset_clauses=clauses,
        empty=plain.empty,
        operators=max(plain.operators, decoded.operators),
        run_in=plain.run_in or decoded.run_in,
        escapes_change_meaning=_meaning(plain) != _meaning(decoded),
    )


def _meaning(found: Inspection) -> tuple[object, ...]:
    """What of an inspection decides how the server runs the request."""
    return found.form, found.query_type, found.dataset_clauses, found.empty


_WRONG_FORM = {
    "query": "this is a SPARQL Update; send it with POST as application/sparql-update "
    "or as the form field `update`",
    "update": "this is a SPARQL query, not an update; send it as application/sparql-query, "
    "as the form field `query`, or as the `query` URL parameter",
}


def check(
    text: str,
    *,
    expect: Literal["query", "update"],
    max_depth: int = 64,
    max_length: int = 100_000,
    base_iri: str | None = None,
    max_operators: int = 1_000,
) -> Inspection:
    """The inspection of `text`, or GuardError when the endpoint must refuse it."""
    if len(text) > max_length:
        raise GuardError(f"{expect} is {len(text)} characters; the limit is {max_length}")
    plain = plainly_a_query(text, max_depth, max_operators) if expect == "query" else None
    found = plain or inspect(text, base_iri)
    if found.empty and expect == "query":  # an update of no operation is valid, and does nothing
        raise GuardError("empty query")
    if found.operators > max_operators:
        raise GuardError(
            f"{expect} chains {found.operators} operators (||, &&, |, /, UNION); the limit is "
            f"{max_operators}: split it or use VALUES"
        )
    if found.form is not None and found.form != expect:
        raise GuardError(_WRONG_FORM[expect])
    if found.max_depth > max_depth:
        raise GuardError(
            f"{expect} nests groups {found.max_depth} deep; the limit is {max_depth}: flatten it"
        )
    if found.uses_service:
        raise Refused(SERVICE_REFUSED)
    if found.uses_load:
        raise Refused(LOAD_REFUSED)
    unclear = unclear_reading(found, expect)
    if unclear is not None:
        raise GuardError(unclear)
    return found


def unclear_reading(found: Inspection, expect: str) -> str | None:
    """Why a request whose text SPARQL and the engine may read differently is refused, and
    what to write instead; None when they read it alike."""
    if found.run_in is not None:
        text, keyword = found.run_in
        place = "a dataset clause" if keyword in (*_DATASET_KEYWORDS, "NAMED") else keyword
        return (
            f"the {expect} has `{text}` where {place} may stand: SPARQL reads it as one "
            f"token, while the engine would read {keyword} and what follows, so what the "
            f"{expect} asks is unclear; put a space after {keyword}"
        )
    if found.escapes_change_meaning:
        return ESCAPES_CHANGE_MEANING.format(expect=expect)
    return None


_CHAIN_PUNCT = frozenset("|&/")


def _operator_count(tokens: list[Token]) -> int:
    """Binary operators that the engine parses into one deep tree, which it then recurses over
    (10 000 `||` in a row crash pyoxigraph 0.5 like deep brackets do)."""
    count, previous = 0, Token(PUNCT, "", -2)
    for token in tokens:
        doubled = token.text == previous.text and token.start == previous.start + 1  # || &&
        if token.keyword == "UNION" or (token.kind == PUNCT and token.text in _CHAIN_PUNCT):
            count += not doubled
        previous = token
    return count
