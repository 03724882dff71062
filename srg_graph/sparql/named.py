"""The registry of named queries: `queries/<name>.rq`, each with a comment header.

Standard library only. A header is the leading `#` lines of the file:

    # title: Members of a body
    # title@nl: Leden van een orgaan
    # description: The organisations and seats of a body, with role and whether optional.
    # description@nl: ...
    # tags: bodies, composition
    # param: body iri class=srg:GovernanceBody,srg:Werkbank required example=<...> | The body

A `param` line gives the name (the query's variable), the type (`iri`, `string`, `date`,
`integer`, `boolean` or `enum`), then options: `class=` (for iri: the value must be a resource
of one of these classes), `values=a,b,c` (for enum), `required`, `default=`, `example=`, and
after `|` a description. A malformed header raises `QueryFileError` with the file and line.

Values reach the engine as typed terms through pyoxigraph `substitutions`, never by editing
the text. Three engine rules shape the queries: pyoxigraph binds only variables of the SELECT
projection, so a SELECT query projects every parameter variable (or uses `SELECT *`); in a
CONSTRUCT a parameter must occur in a pattern, not only in a FILTER; and `BOUND(?param)` is
false even when the parameter is given, so optional parameters are tested with COALESCE.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NoReturn

from ..namespaces import XSD

TYPES = ("iri", "string", "date", "integer", "boolean", "enum")
HEADER_KEYS = ("title", "description", "tags", "param")
PREFIX = re.compile(r"^\s*PREFIX\s+([\w\-.]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
NAME = re.compile(r"^[a-z][a-z0-9-]*$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QueryFileError(ValueError):
    """A named query whose header cannot be used; says which file and line."""

    def __init__(self, path: Path, line: int, message: str):
        self.path, self.line = path, line
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str = ""
    required: bool = False
    default: str | None = None
    example: str | None = None
    classes: tuple[str, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    text: str
    title: dict[str, str]
    description: dict[str, str]
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    form: str = "SELECT"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


@dataclass
class _Header:
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    parameters: list[Parameter] = field(default_factory=list)


Fail = Callable[[str], NoReturn]


def _expand(name: str, prefixes: dict[str, str], fail: Fail) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, colon, local = name.partition(":")
    if not colon or prefix not in prefixes:
        fail(f"class {name!r} is neither <IRI> nor a prefixed name with a declared PREFIX")
    return prefixes[prefix] + local


def _parameter(spec: str, prefixes: dict[str, str], fail: Fail) -> Parameter:
    words, _, description = spec.partition("|")
    if len(words.split()) < 2:
        fail("a parameter needs a name and a type: '# param: NAME TYPE [options] | text'")
    name, kind, *options = words.split()
    if not VARIABLE.match(name):
        fail(f"parameter name {name!r} is not a SPARQL variable name")
    if kind not in TYPES:
        fail(f"parameter {name}: type {kind!r} is not one of {', '.join(TYPES)}")
    values: dict[str, str] = {}
    for option in options:
        key, eq, value = option.partition("=")
        if key == "required" and not eq:
            values["required"] = "true"
        elif key in ("class", "values", "default", "example") and eq and value:
            values[key] = value
        else:
            fail(f"parameter {name}: unknown option {option!r}")
    classes = tuple(_expand(c, prefixes, fail) for c in values.get("class", "").split(",") if c)
    enum = tuple(v for v in values.get("values", "").split(",") if v)
    if kind == "enum" and not enum:
        fail(f"parameter {name}: an enum needs values=a,b,...")
    return Parameter(
        name,
        kind,
        description.strip(),
        "required" in values,
        values.get("default"),
        values.get("example", "").strip("<>") or None,
        classes,
        enum,
    )


def _form(text: str) -> str:
    body = PREFIX.sub("", re.sub(r"(?m)^\s*#.*$", "", text))
    match = re.search(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", body, re.IGNORECASE)
    return match.group(1).upper() if match else "SELECT"


def parse(path: Path) -> NamedQuery:
    """The named query in `path`, or `QueryFileError` at the first bad header line."""
    text = path.read_text(encoding="utf-8")
    prefixes = {p: iri for p, iri in PREFIX.findall(text)}
    header = _Header()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break

        def fail(message: str, number: int = number) -> NoReturn:
            raise QueryFileError(path, number, message)

        key, colon, value = line.lstrip("# ").partition(":")
        base, _, lang = key.strip().partition("@")
        if not colon or base not in HEADER_KEYS:
            continue  # an ordinary comment
        value = value.strip()
        if not value:
            fail(f"'{key}' has no value")
        if base == "title":
            header.title[lang or "en"] = value
        elif base == "description":
            header.description[lang or "en"] = value
        elif base == "tags":
            header.tags = tuple(t.strip() for t in value.split(",") if t.strip())
        else:
            header.parameters.append(_parameter(value, prefixes, fail))
    if "en" not in header.title or "nl" not in header.title:
        raise QueryFileError(path, 1, "the header needs '# title:' and '# title@nl:'")
    if "en" not in header.description:
        raise QueryFileError(path, 1, "the header needs '# description:'")
    return NamedQuery(
        path.stem,
        path,
        text,
        header.title,
        header.description,
        header.tags,
        tuple(header.parameters),
        _form(text),
    )


def registry(folder: Path) -> dict[str, NamedQuery]:
    """Every `*.rq` directly in `folder` (not in sub-folders), by name."""
    found = {}
    for path in sorted(folder.glob("*.rq")):
        if not NAME.match(path.stem):
            raise QueryFileError(path, 1, "a query's file name is lowercase words joined by '-'")
        found[path.stem] = parse(path)
    return found


IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
# A bound value, as the store takes it: ("iri", iri, None) or ("literal", lexical, datatype),
# where the datatype may be "@nl" for a language-tagged text.
Binding = tuple[str, str, str | None]


class ParameterError(ValueError):
    """A parameter value that cannot be used: names the parameter and what it expects."""

    def __init__(self, name: str, message: str):
        self.name = name
        super().__init__(f"parameter '{name}': {message}")


def expected(parameter: Parameter) -> str:
    """What a parameter takes, in words (for error messages and documentation)."""
    if parameter.type == "iri" and parameter.classes:
        return "the IRI of a resource of type " + " or ".join(parameter.classes)
    return {
        "iri": "an absolute IRI",
        "string": "a text",
        "date": "a date as YYYY-MM-DD",
        "integer": "a whole number",
        "boolean": "true or false",
        "enum": "one of " + ", ".join(parameter.values),
    }[parameter.type]


def _typed(parameter: Parameter, raw: str) -> Binding:
    kind = parameter.type
    if kind == "iri":
        if not IRI.match(raw):
            raise ParameterError(parameter.name, f"{raw!r} is not {expected(parameter)}")
        return ("iri", raw, None)
    if kind in ("string", "enum"):
        if kind == "enum" and raw not in parameter.values:
            raise ParameterError(parameter.name, f"{raw!r} is not {expected(parameter)}")
        return ("literal", raw, XSD + "string")
    try:
        if kind == "date":
            return ("literal", date.fromisoformat(raw).isoformat(), XSD + "date")
        if kind == "integer":
            return ("literal", str(int(raw)), XSD + "integer")
    except ValueError:
        raise ParameterError(parameter.name, f"{raw!r} is not {expected(parameter)}") from None
    if raw.lower() not in ("true", "false", "1", "0"):
        raise ParameterError(parameter.name, f"{raw!r} is not {expected(parameter)}")
    return ("literal", "true" if raw.lower() in ("true", "1") else "false", XSD + "boolean")


def bind(
    query: NamedQuery, raw: Mapping[str, str], is_a: Callable[[str, tuple[str, ...]], bool]
) -> dict[str, Binding]:
    """Typed bindings for the query's variables from raw text values.

    `is_a(iri, classes)` says whether a resource of one of the classes exists; unknown
    parameter names, missing required ones and values of the wrong type are refused.
    """
    unknown = sorted(set(raw) - {p.name for p in query.parameters})
    if unknown:
        known = ", ".join(p.name for p in query.parameters) or "none"
        raise ParameterError(unknown[0], f"this query has no such parameter (it takes: {known})")
    bindings = {}
    for parameter in query.parameters:
        value = raw.get(parameter.name, parameter.default)
        if value is None:
            if parameter.required:
                raise ParameterError(parameter.name, f"is required: give {expected(parameter)}")
            continue
        bindings[parameter.name] = _typed(parameter, value)
        if parameter.classes and not is_a(value, parameter.classes):
            raise ParameterError(parameter.name, f"{value!r} is not {expected(parameter)}")
    return bindings
