"""What a URL parameter must look like, shared by the routes that read them."""

from __future__ import annotations

from fastapi import Request

from .errors import HttpError


def whole_number(text: str) -> bool:
    """Whether a parameter is a whole number in ASCII digits: `str.isdigit` also takes a
    superscript two, which `int` refuses (a 500), and other scripts' digits."""
    return text.isascii() and text.isdigit()


def single(request: Request, name: str) -> str | None:
    """URL parameter `name`, or None when the request leaves it out; 400 when it is given
    twice: which the caller meant is unknown (the last one was taken, silently)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise HttpError(400, f"the request has {len(values)} '{name}' parameters; send one")
    return values[0] if values else None


def choice(request: Request, name: str, values: tuple[str, ...]) -> str | None:
    """Parameter `name`, one of `values`, or None when the request leaves it out: an API
    answers an unknown value with 400 rather than a default the caller did not ask for."""
    value = single(request, name)
    if value is not None and value not in values:
        raise HttpError(400, f"'{name}' takes one of {', '.join(values)}, not {value!r}")
    return value
