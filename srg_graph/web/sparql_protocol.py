"""The SPARQL 1.1 Protocol: what a request to `/sparql` asks for, or why it is malformed.

Pure: it sees the method, the URL parameters, the content type and the body, and returns an
`Operation` or raises `HttpError` with the status the protocol prescribes.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from urllib.parse import unquote

from ..store import is_iri
from .errors import HttpError
from .remembered import remembered

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"

Params = Sequence[tuple[str, str]]
# parameters that only go with a query or an update (without, a GET is not the description)
_OF_AN_OPERATION = frozenset(
    {"default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"}
)
# the dataset parameters each operation takes (SPARQL 1.1 Protocol 2.1 and 2.2)
_DATASET_OF = {
    "query": ("default-graph-uri", "named-graph-uri"),
    "update": ("using-graph-uri", "using-named-graph-uri"),
}


@dataclass(frozen=True)
class Operation:
    """`kind` is "query", "update" or "describe-service" (a GET without a query)."""

    kind: str
    text: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    note: str | None = None  # an update's `change-note` form field (see `requests.change_note`)
    version: str | None = None  # a query's `version` (time travel; see `memento`)
    as_of: str | None = None  # a query's `asOf`
    format: str | None = None  # a query's `format`: a download link's choice (see `routes.sparql`)


def media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """`text/plain; charset=UTF-8` -> ("text/plain", {"charset": "utf-8"})."""
    kind, *parts = (content_type or "").split(";")
    params = {}
    for part in parts:
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), params


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(400, f"the {what} is not valid UTF-8 (byte {error.start})") from error


def url_fields(query_string: bytes) -> list[tuple[str, str]]:
    """The parameters of a URL's query string, read once for the few requests in flight (as
    `form_fields`): the answer cache's key and the route read them both."""
    return list(_url(query_string))


@remembered(maxsize=16)
def _url(query_string: bytes) -> tuple[tuple[str, str], ...]:
    return _fields(query_string.decode("latin-1"), "URL's parameters")


def _fields(encoded: str, what: str) -> tuple[tuple[str, str], ...]:
    """The fields of a form-encoded text, whose escapes must be UTF-8 (SPARQL 1.1 Protocol
    2.1): a byte that is not is refused rather than read as U+FFFD."""
    try:
        return tuple(_pairs(encoded))
    except UnicodeDecodeError as error:
        byte = error.object[error.start : error.end]
        message = f"the {what} hold a %-escape that is not UTF-8 ({byte!r}); encode them as UTF-8"
        raise HttpError(400, message) from error


def _pairs(encoded: str) -> Iterator[tuple[str, str]]:
    """`parse_qsl(encoded, keep_blank_values=True, errors="strict")`, a field's %-escapes
    decoded by the C codec of Python's own string escapes: `unquote` is a Python loop per
    escape, a twentieth of the server's time on a query not asked before (44 -> 7 µs)."""
    for field in encoded.split("&"):
        if field:
            name, _, value = field.partition("=")
            yield _unquoted(name), _unquoted(value)


def _unquoted(text: str) -> str:
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    try:
        escaped = codecs.escape_decode(text.replace("\\", "\\\\").replace("%", "\\x").encode())
    except ValueError:  # a % not followed by two hex digits, which unquote keeps as it is
        return unquote(text, errors="strict")
    return escaped[0].decode()


def form_fields(body: bytes) -> list[tuple[str, str]]:
    """The fields of a form body (`HttpError` 400 unless it is UTF-8). A small one is read
    once for the few requests in flight: the answer cache's key and the route read it both."""
    return list(_form(body))


@remembered(maxsize=16)
def _form(body: bytes) -> tuple[tuple[str, str], ...]:
    return _fields(_decode(body, "form body"), "form's fields")


def _single(params: Params, name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise HttpError(400, f"the request has {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _all(params: Params, name: str) -> tuple[str, ...]:
    return tuple(v for k, v in params if k == name)


def _graphs(params: Params, name: str) -> tuple[str, ...]:
    """The graph IRIs of a dataset parameter, each an absolute IRI."""
    graphs = _all(params, name)
    for iri in graphs:
        if not is_iri(iri):
            raise HttpError(400, f"'{name}' must be an absolute IRI (RFC 3987), not {iri!r}")
    return graphs


def _only_its_dataset(params: Params, kind: str) -> None:
    """An operation's dataset is named by its own parameters; the other operation's were
    ignored unsaid (a query ran over the whole store, not the graphs the caller named)."""
    one = {"query": "a query", "update": "an update"}
    other = "update" if kind == "query" else "query"
    for name in _DATASET_OF[other]:
        if _all(params, name):
            takes = " and ".join(f"'{n}'" for n in _DATASET_OF[kind])
            message = f"'{name}' names the dataset of {one[other]}, not of {one[kind]}; "
            raise HttpError(400, message + f"{one[kind]} takes {takes}")


def _operation(params: Params, text_of: dict[str, str | None]) -> Operation:
    query, update = text_of.get("query"), text_of.get("update")
    if query is not None and update is not None:
        raise HttpError(400, "the request has both 'query' and 'update'; send one operation")
    if query is not None or update is not None:
        _only_its_dataset(params, "update" if update is not None else "query")
    if update is not None:
        if _all(params, "version") or _all(params, "asOf"):
            raise HttpError(400, "'version' and 'asOf' are for queries: an update changes now")
        using = _graphs(params, "using-graph-uri"), _graphs(params, "using-named-graph-uri")
        return Operation("update", update, *using)
    if query is None:
        raise HttpError(400, "the request has no 'query' (or 'update') parameter")
    dataset = _graphs(params, "default-graph-uri"), _graphs(params, "named-graph-uri")
    at = _single(params, "version"), _single(params, "asOf")
    chosen = _single(params, "format")
    return Operation("query", query, *dataset, version=at[0], as_of=at[1], format=chosen)


def _none_in_url(url_params: Params, kind: str) -> None:
    """A POST's operation is its body (SPARQL 1.1 Protocol 2.1.2-3, 2.2.1-2): one in the URL
    as well would be a second operation, or the same one twice, and only one could run."""
    for name in ("query", "update"):
        if _all(url_params, name):
            message = f"the URL has a '{name}' parameter, but a POST of {kind} sends its "
            raise HttpError(400, message + "operation in the body only; drop it from the URL")


def utf8_media_type(content_type: str | None) -> str:
    """The media type of a body; 415 for a charset other than UTF-8, the one encoding the
    server reads bodies in (another one's bytes would be read, and stored, as UTF-8)."""
    kind, options = media_type(content_type)
    charset = options.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise HttpError(415, f"charset '{charset}' is not supported; send {kind or 'it'} in UTF-8")
    return kind


def parse(method: str, url_params: Params, content_type: str | None, body: bytes) -> Operation:
    """The operation a `/sparql` request asks for, per SPARQL 1.1 Protocol section 2."""
    if method in ("GET", "HEAD"):
        if _all(url_params, "update"):
            raise HttpError(400, "an update must be sent with POST, not GET")
        if not _all(url_params, "query"):
            if any(name in _OF_AN_OPERATION for name, _ in url_params):
                raise HttpError(400, "the request has no 'query' parameter")
            return Operation("describe-service")
        return _operation(url_params, {"query": _single(url_params, "query")})
    kind = utf8_media_type(content_type)
    if kind in (FORM, QUERY, UPDATE):
        _none_in_url(url_params, kind)
    if kind == FORM:
        form = form_fields(body)
        params = [*url_params, *form]
        texts = {"query": _single(form, "query"), "update": _single(form, "update")}
        return replace(_operation(params, texts), note=_single(form, "change-note"))
    if kind in (QUERY, UPDATE):
        name = "query" if kind == QUERY else "update"
        return _operation(url_params, {name: _decode(body, name)})
    if not kind:
        raise HttpError(415, f"a POST needs a Content-Type: {FORM}, {QUERY} or {UPDATE}")
    raise HttpError(415, f"Content-Type '{kind}' is not accepted; use {FORM}, {QUERY} or {UPDATE}")
