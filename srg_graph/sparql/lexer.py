"""SPARQL as a stream of tokens: one lexer for every reader of SPARQL text in the product.

The guard (`guard`), pre-binding (`prebinding`) and the update recorder
(`store.update_recorder`) read requests through it. It is iterative and linear-time
(SPARQL 1.1 section 19.8 terminals), so it also measures nesting that would take the engine
down; it only has to agree with the engine on text the engine accepts. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

WORD, VAR, PNAME, IRI, STRING, NUMBER, BNODE, LANGTAG, PUNCT = (
    "word", "var", "pname", "iri", "string", "number", "bnode", "langtag", "punct",
)  # fmt: skip

_WHITESPACE = re.compile(r"[ \t\r\n]+")
_COMMENT = re.compile(r"#[^\r\n]*")
IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_SHORT_STRING = {q: re.compile(rf"{q}(?:[^{q}\\\r\n]|\\.)*{q}", re.S) for q in "'\""}
_LONG_STRING_STOP = {q: re.compile(rf"\\.|{q * 3}", re.S) for q in "'\""}
_VAR = re.compile(r"[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+")
_NUMBER = re.compile(r"\d*\.\d+(?:[eE][+-]?\d+)?|\d+\.[eE][+-]?\d+|\d+(?:[eE][+-]?\d+)?")
_NAME_CHARS = r"\w\-.\u00b7\u0300-\u036f\u203f\u2040"
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PNAME = re.compile(
    rf"(?:[^\W\d_][{_NAME_CHARS}]*)?:(?:[{_NAME_CHARS}:]|%[0-9A-Fa-f]{{2}}|{_LOCAL_ESCAPE})*"
)
_BNODE = re.compile(rf"_:[\w][{_NAME_CHARS}]*")
_LANGTAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

# Where an expression parenthesis opens: after these keywords, or everywhere in these clauses.
_EXPRESSION_OPENERS = frozenset({"FILTER", "BIND"})
_CLAUSE_START = frozenset({"SELECT", "BY", "HAVING"})
_CLAUSE_END = frozenset({"WHERE", "VALUES", "LIMIT", "OFFSET"})
_OPERAND_KINDS = frozenset({VAR, PNAME, IRI, STRING, NUMBER, BNODE, LANGTAG})


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int = 0

    @property
    def keyword(self) -> str:
        """The upper-cased word, or "" for anything that is not a bare word."""
        return self.text.upper() if self.kind == WORD else ""


class Lexer:
    """Yields tokens and tracks bracket nesting.

    The grammar is ambiguous about `<`: in `FILTER(?a<?b)` it is an operator, yet `<?b)` could
    start an IRIREF in other texts. Like the engine, the lexer reads `<` as an operator when it
    follows an operand inside an expression, so text between `<` and `>` cannot hide brackets.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.frames: list[tuple[str, bool]] = []  # (kind, clause flag to restore on close)
        self.in_clause = False  # inside SELECT … / GROUP BY … / ORDER BY … / HAVING …
        self.recent: list[Token] = []
        self.max_depth = 0

    def tokens(self) -> Iterator[Token]:
        while (token := self._next()) is not None:
            self._track(token)
            yield token

    def _next(self) -> Token | None:
        text = self.text
        while self.pos < len(text):
            gap = _WHITESPACE.match(text, self.pos) or _COMMENT.match(text, self.pos)
            if gap is None:
                start = self.pos
                return replace(self._scan(text[start]), start=start)
            self.pos = gap.end()
        return None

    def _scan(self, char: str) -> Token:
        if char == "<":
            return self._angle()
        if char in "'\"":
            return self._string(char)
        if char in "?$":
            return self._take(_VAR, VAR) or self._punct()
        if char == "@":
            return self._take(_LANGTAG, LANGTAG) or self._punct()
        if char == "_" and self.text.startswith("_:", self.pos):
            return self._take(_BNODE, BNODE, trim_dots=True) or self._punct()
        return (
            self._take(_NUMBER, NUMBER)
            or self._take(_PNAME, PNAME, trim_dots=True)
            or self._take(_WORD, WORD)
            or self._punct()
        )

    def _take(self, pattern: re.Pattern[str], kind: str, trim_dots: bool = False) -> Token | None:
        match = pattern.match(self.text, self.pos)
        if match is None:
            return None
        end = match.end()
        # names may contain '.' but not end with one: `ex:o.` is `ex:o` and the triple's dot
        while trim_dots and self.text[end - 1] == "." and self.text[end - 2] != "\\":
            end -= 1
        self.pos = end
        return Token(kind, self.text[match.start() : end])

    def _punct(self) -> Token:
        self.pos += 1
        return Token(PUNCT, self.text[self.pos - 1])

    def _angle(self) -> Token:
        if self.frames and self.frames[-1][0] == "expr" and self._after_operand():
            return self._punct()
        return self._take(IRIREF, IRI) or self._punct()

    def _after_operand(self) -> bool:
        if not self.recent:
            return False
        last = self.recent[-1]
        return last.kind in _OPERAND_KINDS or last.text == ")" or last.keyword in ("TRUE", "FALSE")

    def _string(self, quote: str) -> Token:
        start = self.pos
        if self.text.startswith(quote * 3, start):
            self.pos = self._long_string_end(quote, start + 3)
            return Token(STRING, self.text[start : self.pos])
        # An unterminated short string is a syntax error for the engine; read on after it.
        return self._take(_SHORT_STRING[quote], STRING) or self._punct()

    def _long_string_end(self, quote: str, pos: int) -> int:
        stop = _LONG_STRING_STOP[quote]
        while (match := stop.search(self.text, pos)) is not None:
            pos = match.end()
            if match.group() == quote * 3:
                # '''a'''' ends with the last three quotes: up to two more belong to the text
                extra = 0
                while extra < 2 and self.text.startswith(quote, pos + extra):
                    extra += 1
                return pos + extra
        return len(self.text)  # unterminated: the rest is the string, the engine will refuse

    def _track(self, token: Token) -> None:
        if token.kind == PUNCT and token.text in "{([":
            self._open(token.text)
        elif token.kind == PUNCT and token.text in "})]":
            if self.frames:
                self.in_clause = self.frames.pop()[1]
        elif token.keyword in _CLAUSE_START:
            self.in_clause = True
        elif token.keyword in _CLAUSE_END:
            self.in_clause = False
        self.recent = [*self.recent[-1:], token]

    def _open(self, bracket: str) -> None:
        if bracket == "{":
            kind = "group"
        elif bracket == "[":
            kind = "node"
        else:
            kind = "expr" if self._opens_expression() else "list"
        self.frames.append((kind, self.in_clause))
        if bracket == "{":
            self.in_clause = False
        self.max_depth = max(self.max_depth, len(self.frames))

    def _opens_expression(self) -> bool:
        if self.in_clause or (self.frames and self.frames[-1][0] == "expr"):
            return True
        keywords = [token.keyword for token in self.recent]
        # FILTER(…), BIND(…), and FILTER regex(…) / FILTER ex:fn(…)
        return bool(keywords) and (
            keywords[-1] in _EXPRESSION_OPENERS
            or (len(keywords) == 2 and keywords[0] == "FILTER" and self.recent[-1].kind != PUNCT)
        )


def tokenize(text: str) -> list[Token]:
    """The SPARQL tokens of `text`, without whitespace and comments."""
    return list(Lexer(text).tokens())


def depths(tokens: Iterable[Token]) -> Iterator[tuple[int, Token]]:
    """Each token with the depth of `{ }` groups it is in (a closing brace: the depth it
    closes back to)."""
    depth = 0
    for token in tokens:
        if token.kind == PUNCT and token.text == "}":
            depth -= 1
        yield depth, token
        if token.kind == PUNCT and token.text == "{":
            depth += 1
