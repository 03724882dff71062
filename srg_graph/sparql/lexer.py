"""SPARQL as a stream of tokens: one lexer for every reader of SPARQL text in the product.

The guard (`guard`), pre-binding (`prebinding`) and the update recorder
(`store.update_recorder`) read requests through it. It is iterative and linear-time
(SPARQL 1.1 section 19.8 terminals), so it also measures nesting that would take the engine
down; it only has to agree with the engine on text the engine accepts. Every request's text
is read by it, so each token costs one match of one pattern. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

WORD, VAR, PNAME, IRI, STRING, NUMBER, BNODE, LANGTAG, PUNCT = (
    "word", "var", "pname", "iri", "string", "number", "bnode", "langtag", "punct",
)  # fmt: skip

IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
# The engine also reads codepoint escapes inside an IRI (`<http://x/\u0031>`); a lexer that
# did not would lose the rest of the line to a `#` after one.
_CODEPOINT = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRI_ESCAPED = rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_CODEPOINT})*>"
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LONG_STRING_STOP = {q: re.compile(rf"\\.|{q * 3}", re.S) for q in "'\""}
# The name characters of SPARQL 1.1 (section 19.8), which the engine follows: not Python's
# `\w`, which leaves out U+200C or U+3001 (a name the engine reads whole would be split, and
# a keyword seen in its second half) and takes in U+00AA. A local part starts with neither
# `.` nor `-`, and no name ends with `.` (`ex:o.` is `ex:o` and the triple's dot).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_JOINING = "0-9\u00b7\u0300-\u036f\u203f-\u2040"
_CHARS = _CHARS_U + "\\-" + _JOINING
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = rf"(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
# The terminals, tried in this order at each position; a character that starts none of them
# is punctuation. `long` is the opening of a long string, whose end is searched for apart.
_TOKEN = re.compile(
    r"(?:[ \t\r\n]+|#[^\r\n]*)*+(?:"  # whitespace and comments before it (never given back)
    + "|".join(
        rf"(?P<{name}>{pattern})"
        for name, pattern in (
            (IRI, _IRI_ESCAPED),
            ("long", r"'''|\"\"\""),
            (STRING, r"'(?:[^'\\\r\n]|\\.)*'|\"(?:[^\"\\\r\n]|\\.)*\""),
            (VAR, rf"[?$][{_CHARS_U}0-9][{_CHARS_U}{_JOINING}]*"),
            (LANGTAG, r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
            (BNODE, rf"_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?"),
            (
                NUMBER,
                r"[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.[eE][+-]?[0-9]+"
                r"|[0-9]+(?:[eE][+-]?[0-9]+)?",
            ),
            (PNAME, rf"(?:{_PREFIX})?:(?:{_LOCAL})?"),
            (WORD, r"[A-Za-z][A-Za-z0-9_]*"),
            (PUNCT, r"."),
        )
    )
    + ")",
    re.S,
)

# Where an expression parenthesis opens: after these keywords, or everywhere in these clauses.
_EXPRESSION_OPENERS = frozenset({"FILTER", "BIND"})
_CLAUSE_START = frozenset({"SELECT", "BY", "HAVING"})
_CLAUSE_END = frozenset({"WHERE", "VALUES", "LIMIT", "OFFSET"})
_OPERAND_KINDS = frozenset({VAR, PNAME, IRI, STRING, NUMBER, BNODE, LANGTAG})


class Token(NamedTuple):
    kind: str
    text: str
    start: int = 0
    keyword: str = ""  # the upper-cased word, or "" for anything that is not a bare word


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
        self.recent: tuple[Token, ...] = ()  # the last two tokens
        self.max_depth = 0

    def tokens(self) -> Iterator[Token]:
        while (token := self._next()) is not None:
            self._track(token)
            yield token

    def _next(self) -> Token | None:
        found = _TOKEN.match(self.text, self.pos)
        if found is None:  # only whitespace and comments were left
            return None
        text, kind = self.text, found.lastgroup or PUNCT
        start, end = found.start(kind), found.end()
        if kind == IRI and self._is_operator():
            kind, end = PUNCT, start + 1
        elif kind == "long":
            kind, end = STRING, self._long_string_end(text[start], end)
        self.pos = end
        word = text[start:end]
        return Token(kind, word, start, word.upper() if kind == WORD else "")

    def _is_operator(self) -> bool:
        """Whether a `<` here is the less-than operator rather than an IRI's start."""
        return bool(self.frames) and self.frames[-1][0] == "expr" and self._after_operand()

    def _after_operand(self) -> bool:
        if not self.recent:
            return False
        last = self.recent[-1]
        return last.kind in _OPERAND_KINDS or last.text == ")" or last.keyword in ("TRUE", "FALSE")

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
        kind, text, _, keyword = token
        if kind == PUNCT:
            if text in "{([":
                self._open(text)
            elif text in "})]" and self.frames:
                self.in_clause = self.frames.pop()[1]
        elif keyword in _CLAUSE_START:
            self.in_clause = True
        elif keyword in _CLAUSE_END:
            self.in_clause = False
        self.recent = (self.recent[-1], token) if self.recent else (token,)

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


def decode_codepoints(text: str) -> str:
    """`text` with its `\\uXXXX` and `\\UXXXXXXXX` escapes replaced by the characters."""

    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _CODEPOINT_ESCAPE.sub(decode, text)


def tokenize(text: str) -> list[Token]:
    """The SPARQL tokens of `text`, without whitespace and comments."""
    return list(Lexer(text).tokens())


def depths(
    tokens: Iterable[Token], opening: str = "{", closing: str = "}"
) -> Iterator[tuple[int, Token]]:
    """Each token with the depth of `{ }` groups (or of the brackets named) it is in (a
    closing bracket: the depth it closes back to)."""
    depth = 0
    for token in tokens:
        if token.kind == PUNCT and token.text in closing:
            depth -= 1
        yield depth, token
        if token.kind == PUNCT and token.text in opening:
            depth += 1
