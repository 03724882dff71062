"""The fast reading of a query that is plainly one. Standard library only.

Most requests are plainly queries, which can be told without the lexer (whose reading is a
fifth of the server's time on a small dataset): the comments a query opens with, its
prologue and its form, read by one pattern, and none of the words whose meaning depends on
where they stand. Such a word is looked for anywhere after the first comments: in IRIs,
strings and comments too, and inside other words (the engine reads keywords without a word
boundary: `1SERVICE`, `trueSERVICE`, `SERVICE:g`); only inside a variable's name or a
prefixed name's local part is it no keyword. Anything else, or any escape, is for the
lexer (`guard`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .lexer import IRIREF

_LEADING_COMMENTS = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")
_PLAIN_FORM = re.compile(
    r"(?:[ \t\r\n]+|#[^\r\n]*"
    rf"|PREFIX[ \t\r\n]+(?:[A-Za-z][\w.-]*)?:[ \t\r\n]*{IRIREF.pattern}"
    rf"|BASE[ \t\r\n]*{IRIREF.pattern})*"
    r"(SELECT|CONSTRUCT|DESCRIBE|ASK)(?![A-Za-z0-9_:])",  # `PREFIXex:`, `DESCRIBE:x`: lexed
    re.IGNORECASE | re.ASCII,  # ASCII words, as the lexer's (a long s is no S here)
)
_WORDS_IN_CONTEXT = ("SERVICE", "LOAD", "FROM", "USING", "WITH", "VERSION", "\\U")
_IN_CONTEXT = re.compile("|".join(map(re.escape, _WORDS_IN_CONTEXT)), re.IGNORECASE)


def has_words_in_context(text: str) -> bool:
    """Whether, after its opening comments, the text has a word whose meaning depends on
    where it stands (SERVICE, LOAD, FROM, USING, WITH, VERSION) or an escape."""
    leading = _LEADING_COMMENTS.match(text)
    start = leading.end() if leading else 0
    return any(not _inside_a_name(text, at) for at in _words_in_context(text, start))


def _words_in_context(text: str, start: int) -> Iterator[int]:
    """Where the words of `_IN_CONTEXT` start, from `start` on. An ASCII text (most are) is
    searched upper-cased, five times as fast as the pattern; its positions stay the same."""
    if not text.isascii():
        yield from (match.start() for match in _IN_CONTEXT.finditer(text, start))
        return
    upper = text.upper()
    for word in _WORDS_IN_CONTEXT:
        at = upper.find(word, start)
        while at >= 0:
            yield at
            at = upper.find(word, at + 1)


def _inside_a_name(text: str, at: int) -> bool:
    """Whether the text at `at` is inside a variable's name or a prefixed name's local part,
    which the engine reads whole (see `_may_read_as` for everywhere else)."""
    start = at
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    if start > 0 and text[start - 1] in "?$":
        return True
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-.:"):
        start -= 1
        if text[start] == ":":  # a local part, unless it starts with `.` or `-` (`ex:.SERVICE`)
            return text[start + 1] not in ".-"
    return False


@dataclass(frozen=True)
class PlainQuery:
    """A query read without the lexer; its depth and operators counted high: every bracket
    and every operator character of the text."""

    form: str
    depth: int
    operators: int


def plain_query(text: str) -> PlainQuery | None:
    """The form and counts of a query that is plainly one, or None when only the lexer can
    tell."""
    if has_words_in_context(text):
        return None
    form = _PLAIN_FORM.match(text)
    if form is None:
        return None
    depth = text.count("{") + text.count("(") + text.count("[")
    operators = text.count("|") + text.count("&") + text.count("/") + text.lower().count("union")
    return PlainQuery(form.group(1).upper(), depth, operators)
