"""The API's operations as a page lists them for a reader without script: `/docs` draws them
with Swagger UI, which needs JavaScript, so its `<noscript>` and `/docs/operations` show them
from the same OpenAPI description, drawn by the server.

Operations are grouped by their first tag (Swagger UI repeats an operation under each of its
tags), in the description's order. The description's texts are English (the routes' summaries,
`web/openapi.py`, the named queries' `# title:`): they are `Label`s in English, which a
Dutch page marks as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..languages import Label

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
WRITTEN_IN = "en"  # the language of the OpenAPI description's texts
UNTAGGED = "default"  # Swagger UI's group for an operation without a tag


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # query, path, header or cookie
    type: str
    required: bool
    description: Label
    default: str = ""


@dataclass(frozen=True)
class Operation:
    id: str
    method: str  # upper case, as Swagger UI shows it
    path: str
    summary: Label
    description: Label
    parameters: tuple[Parameter, ...]
    bodies: tuple[str, ...]  # the request body's media types
    responses: tuple[tuple[str, Label], ...]  # status, description
    write: bool  # needs a bearer token


@dataclass(frozen=True)
class Group:
    tag: Label
    anchor: str
    operations: tuple[Operation, ...]


def _text(value: Any) -> Label:
    return Label(str(value or "").strip(), WRITTEN_IN)


def type_of(schema: dict[str, Any]) -> str:
    """A parameter's schema in a few words of code (the same in either language): `string
    (uri)`, `array[integer]`, `nl | en`."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            return " | ".join(type_of(s) for s in schema[combined])
    if schema.get("type") == "array":
        return f"array[{type_of(schema.get('items', {}))}]"
    kind = str(schema.get("type", ""))
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _parameter(found: dict[str, Any]) -> Parameter:
    schema = found.get("schema", {})
    default = schema.get("default")
    return Parameter(
        found["name"],
        found.get("in", ""),
        type_of(schema),
        bool(found.get("required")),
        _text(found.get("description")),
        "" if default is None else str(default),
    )


def _operation(path: str, method: str, found: dict[str, Any], shared: list[Any]) -> Operation:
    parameters = [*shared, *found.get("parameters", [])]
    responses = found.get("responses", {})
    return Operation(
        found.get("operationId", f"{method}-{path}"),
        method.upper(),
        path,
        _text(found.get("summary")),
        _text(found.get("description")),
        tuple(_parameter(p) for p in parameters if "name" in p),
        tuple(found.get("requestBody", {}).get("content", {})),
        tuple((code, _text(r.get("description"))) for code, r in responses.items()),
        bool(found.get("security")),
    )


def _anchor(tag: str) -> str:
    return "tag-" + (re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-") or "operations")


def groups(schema: dict[str, Any]) -> list[Group]:
    """The operations of an OpenAPI description, by their first tag."""
    found: dict[str, list[Operation]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in (m for m in item if m in METHODS):
            operation = item[method]
            tag = (operation.get("tags") or [UNTAGGED])[0]
            shared = item.get("parameters", [])
            found.setdefault(tag, []).append(_operation(path, method, operation, shared))
    return [Group(_text(tag), _anchor(tag), tuple(ops)) for tag, ops in found.items()]
