"""What a URL parameter must look like, shared by the routes that read numbers."""

from __future__ import annotations


def whole_number(text: str) -> bool:
    """Whether a parameter is a whole number in ASCII digits: `str.isdigit` also takes a
    superscript two, which `int` refuses (a 500), and other scripts' digits."""
    return text.isascii() and text.isdigit()
