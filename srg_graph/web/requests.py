"""What the routers share: the services, bounded body reading, negotiation (406 and unknown
suffixes), write authorisation and the validated write."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from .. import formats
from ..dataset.history import Meta
from ..dataset.writes import ProtectedGraph, WriteRefused, apply_write
from ..store import Delta, GraphStore
from ..validation.report import Report
from . import negotiation
from .auth import check_bearer
from .errors import HttpError
from .services import Services
from .sparql_protocol import utf8_media_type


def services(request: Request) -> Services:
    return request.app.state.services


def negotiated(request: Request, offered: Sequence[str], default: str | None = None) -> str:
    """The offered media type the request's Accept prefers, or 406 when it accepts none."""
    media = negotiation.choose(request.headers.get("accept"), offered, default or offered[0])
    if media is None:
        raise HttpError(406, f"none of the accepted types is available; offered: {list(offered)}")
    return media


def negotiated_graph(request: Request, offered: Sequence[str]) -> str:
    """The RDF media type of `offered` the request's Accept prefers, a generic JSON client's
    `application/json` answered with JSON-LD, labelled as such (as `/doc` and Oxigraph's
    server); offered last, so that `*/*` and `application/*` choose as before. 406 when none."""
    media = negotiated(request, [*offered, *formats.GRAPH_AS_JSON])
    return formats.GRAPH_AS_JSON.get(media, media)


def media_of_suffix(suffix: str, offered: Sequence[str]) -> str:
    """The offered media type a document suffix (`ttl` of `/void.ttl`) asks for, or 404."""
    written = {formats.suffix(media): media for media in offered}
    if suffix not in written:
        raise HttpError(404, f"no such format: .{suffix}; use one of {sorted(written)}")
    return written[suffix]


def _identity(request: Request) -> None:
    """Refuse a compressed body (415, RFC 9110 15.5.16): read as it comes, gzip bytes were
    a parser's error about a character, not a word about the coding."""
    codings = request.headers.get("content-encoding", "").lower().replace(" ", "").split(",")
    coded = [coding for coding in codings if coding not in ("", "identity")]
    if coded:
        message = f"the body is {', '.join(coded)}-encoded (Content-Encoding); send it uncoded"
        raise HttpError(415, message, {"Accept-Encoding": "identity"})


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, uncoded, refused with 413 as soon as it is known to pass `limit`
    bytes."""
    _identity(request)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HttpError(413, f"the body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpError(413, f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def body_content_type(request: Request) -> str | None:
    """The request's Content-Type; 400 when it is sent twice (a singleton field, RFC 9110
    5.3): the first was taken, while a proxy routing writes by it may have read the other."""
    if request.method not in ("POST", "PUT"):
        return request.headers.get("content-type")
    given = request.headers.getlist("content-type")
    if len(given) > 1:
        raise HttpError(400, f"the request has {len(given)} Content-Type headers; send one")
    return given[0] if given else None


def rdf_body_type(request: Request) -> str:
    """The media type of a request's RDF body; 415 for a charset other than UTF-8, the one
    encoding the parsers read (a Latin-1 body's bytes were read as UTF-8, and so stored)."""
    return utf8_media_type(body_content_type(request))


def authorise_write(request: Request) -> str:
    """A FastAPI dependency: refuses a write from its headers, before the body is read; the
    agent the token names."""
    tokens = services(request).settings.write_tokens
    return check_bearer(request.headers.get("authorization"), tokens)


NOTE_HEADER = "srg-change-note"


def change_note(request: Request, form_note: str | None = None) -> str | None:
    """The note of a write: the `change-note` form field, else the `SRG-Change-Note` header
    (UTF-8; HTTP carries header bytes as they are)."""
    if form_note:
        return form_note
    raw = request.headers.get(NOTE_HEADER)
    if not raw:
        return None
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise HttpError(400, "the SRG-Change-Note header is not UTF-8 text") from None


async def write(
    request: Request, svc: Services, change: Callable[[GraphStore], None], note: str | None = None
) -> Delta:
    """Apply a validated write off the event loop, as a change of the history made by the
    token's agent with the request's note; map refusals to their statuses."""
    meta = Meta(agent=authorise_write(request), note=change_note(request, note))
    try:
        return await run_in_threadpool(apply_write, svc.data, change, meta)
    except WriteRefused as refused:
        raise ValidationFailed(refused.report) from refused
    except ProtectedGraph as error:
        raise HttpError(403, str(error)) from error
    except SyntaxError as error:
        raise HttpError(400, f"SPARQL syntax error: {error}") from error


class ValidationFailed(Exception):
    """Answered with 422 and the SHACL report, as Turtle or JSON by Accept."""

    def __init__(self, report: Report):
        self.report = report
