"""The OpenAPI 3.1 description, `/openapi.json`: what FastAPI generates from the routes, made
whole where it cannot see.

The protocol handlers read the request themselves (one handler serves a query by GET, a form
or a body, and an update), so FastAPI sees neither their parameters nor their bodies nor
what they answer: `OPERATIONS` says it for the SPARQL protocol, the Graph Store, the mapping
import and export and `/id/`. Writes carry the bearer scheme `writeToken`. A route that
serves several methods gets one operation id per method (GET keeps the route's name, the
others add the method), and each named query of `queries/` is an operation of its own.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from ..config import Settings
from ..formats import BODIES, GRAPHS, SOLUTIONS
from ..model import documents
from ..model import ldes as ldes_documents
from ..sparql.named import registry
from .routes import changes, dataset, named_queries, ontology, validate

SCHEME = "writeToken"
WRITE = [{SCHEME: []}]
TEXT = {"schema": {"type": "string"}}
IRI = {"type": "string", "format": "uri"}
GRAPH_TYPES = [t for t in GRAPHS if t not in ("application/n-quads", "application/trig")]
SECURITY_SCHEMES = {
    SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "A write token of the server: SRG_WRITE_TOKENS (comma-separated) or "
        "--token-file. With none configured every write is refused (403).",
    }
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def operation_id(route: APIRoute) -> str:
    """The route's own name (`read_graph`); see `unique_per_method` for shared routes."""
    return route.name


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": schema or TEXT["schema"],
    }


def _graphs(name: str, description: str) -> dict:
    return _query(name, description, {"type": "array", "items": IRI}) | {"explode": True}


DATASET = [
    _graphs(
        "default-graph-uri", "A graph of the query's default graph (repeatable; 400 on an update)"
    ),
    _graphs(
        "named-graph-uri", "A named graph of the query's dataset (repeatable; 400 on an update)"
    ),
]
NUMBER = {"type": "integer", "minimum": 0}
AS_OF = [
    _query("version", "Answer as the dataset was just after change N (time travel)", NUMBER),
    _query(
        "asOf",
        "Answer as the dataset was at this instant (an xsd:dateTime; time travel)",
        {"type": "string", "format": "date-time"},
    ),
]


def _one_of(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


LANG = _query("lang", "The language of the page", _one_of("nl", "en"))
FORMAT = _query(
    "format",
    "The answer's format, chosen over Accept, sent as a file to save (a browser's download "
    "link cannot choose Accept); json: SPARQL JSON results, or JSON-LD for a graph. Without "
    "a query, the Service Description's: turtle, jsonld, rdfxml or html",
    _one_of(*sorted({*SOLUTIONS.values(), *GRAPHS.values(), "html"})),
)
USING = [
    _graphs(
        "using-graph-uri", "A graph of the update's default graph (repeatable; 400 on a query)"
    ),
    _graphs(
        "using-named-graph-uri",
        "A named graph of the update's dataset (repeatable; 400 on a query)",
    ),
]
RDF_TERM = {
    "type": "object",
    "description": "A bound value: an IRI (uri), a literal (with its datatype or language) or "
    "a blank node (bnode)",
    "properties": {
        "type": _one_of("uri", "literal", "bnode", "triple"),
        "value": {"type": "string"},
        "datatype": {"type": "string", "format": "uri"},
        "xml:lang": {"type": "string"},
    },
    "required": ["type", "value"],
}
SPARQL_JSON = {
    "type": "object",
    "description": "SPARQL 1.1 Query Results JSON: `head.vars` and `results.bindings`, or "
    "`boolean` for ASK",
    "properties": {
        "head": {
            "type": "object",
            "properties": {"vars": {"type": "array", "items": {"type": "string"}}},
        },
        "results": {
            "type": "object",
            "properties": {
                "bindings": {
                    "type": "array",
                    "items": {"type": "object", "additionalProperties": ref("RdfTerm")},
                }
            },
        },
        "boolean": {"type": "boolean"},
    },
    "required": ["head"],
}
QUERY_RESULTS = {
    "description": "SELECT and ASK as SPARQL JSON (the default), XML, CSV or TSV; CONSTRUCT "
    "and DESCRIBE as Turtle (the default), N-Triples, N-Quads, TriG, RDF/XML or JSON-LD (also "
    "for Accept: application/json, sent as application/ld+json), by Accept. GET without a "
    "query: the Service Description (Turtle, JSON-LD, RDF/XML, HTML).",
    "content": {
        "application/sparql-results+json": {"schema": ref("SparqlResults")},
        **{t: TEXT for t in SOLUTIONS if t != "application/sparql-results+json"},
        **{t: TEXT for t in GRAPHS},
        "text/html": TEXT,
    },
}


def _answer(description: str, media: str = "text/plain") -> dict:
    return {"description": description, "content": {media: TEXT}}


ERRORS = {
    "400": _answer("Not SPARQL or not RDF, a parameter missing or wrong, or refused by a limit"),
    "406": _answer("None of the accepted media types is available"),
    "413": _answer("The body is over the size limit"),
    "415": _answer("The Content-Type is not one the endpoint reads"),
    "503": _answer("The query ran past the time or memory limit, or no worker was free"),
}
# what a query by GET or HEAD may answer besides ERRORS (the named queries' too)
QUERY_ERRORS = {
    "404": _answer("A `version` or `asOf` the history has not reached or does not go back to"),
    "412": _answer("An If-Match or If-Unmodified-Since that does not hold"),
    "422": _answer("The result is over the row or byte cap: page it with LIMIT and OFFSET"),
    "429": _answer("More queries at once than the workers and their queue take: see Retry-After"),
}
WRITE_ERRORS = {
    "401": _answer("No bearer token, or a token that is not valid"),
    "403": _answer("Writes are off (no token configured), or the graph is read-only"),
    "409": _answer("A valid update that fails on the data as it is"),
    "422": _answer(
        "Refused: the SHACL report of the violations it would bring", "application/json"
    ),
}
SPARQL_FORM = {
    "type": "object",
    "description": "A query or an update (one of them), with its dataset",
    "properties": {
        "query": {"type": "string", "description": "A SPARQL 1.1 query"},
        "update": {"type": "string", "description": "A SPARQL 1.1 update (needs the token)"},
        **{p["name"]: p["schema"] for p in [*DATASET, *USING, FORMAT]},
    },
}
RDF_BODY = {
    "description": "The triples, in one of the RDF syntaxes: the file as it is",
    "required": True,
    # Turtle last: a generated client whose file bodies all become one kind (see
    # docs/openapi-client.yaml) labels a file with the last type it reads
    "content": {
        t: {"schema": {"type": "string", "format": "binary", "contentMediaType": t}}
        for t in sorted(BODIES, key=lambda t: t == "text/turtle")
    },
}
GRAPH_TARGET = [
    _query("graph", "The named graph (an absolute IRI)", IRI),
    _query("default", "Present (`?default`, empty value): the store's default graph"),
]
ROW = {"type": "object", "additionalProperties": {"type": "string"}}
MAPPING_ROWS = {"type": "array", "items": ref("MappingRow")}
FLAG = {"type": "boolean", "default": False}
IMPORTED = {
    "type": "object",
    "properties": {
        "imported": {"type": "boolean"},
        "dry_run": {"type": "boolean"},
        "read_as": {"type": "object", "additionalProperties": {"type": "string"}},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        **{key: MAPPING_ROWS for key in ("added", "changed", "unchanged", "removed")},
    },
    "required": ["imported", "dry_run", "counts"],
}
REFUSED = {
    "type": "object",
    "properties": {
        "imported": {"type": "boolean"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "line": {"type": "integer"},
                    "column": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
# the file of a mapping import (`format: binary`: clients send it as it is)
CSV_FILE = {"type": "string", "format": "binary", "contentMediaType": "text/csv"}
SCHEMAS = {
    "SparqlResults": SPARQL_JSON,
    "RdfTerm": RDF_TERM,
    "MappingRow": ROW,
    "MappingImport": IMPORTED,
    "MappingImportRefused": REFUSED,
}
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/sparql", "get"): {
        "description": "A query by GET (SPARQL 1.1 Protocol 2.1.1); without `query`, the "
        "Service Description.",
        "parameters": [_query("query", "A SPARQL 1.1 query"), *DATASET, *AS_OF, FORMAT],
        "responses": {
            "200": QUERY_RESULTS,
            "304": {"description": "Not modified"},
            **ERRORS,
            **QUERY_ERRORS,
        },
    },
    ("/sparql", "head"): {
        "parameters": [_query("query", "A SPARQL 1.1 query"), *DATASET, *AS_OF, FORMAT],
        "responses": {
            "200": {"description": "The headers of the GET answer"},
            **ERRORS,
            **QUERY_ERRORS,
        },
    },
    ("/sparql", "post"): {
        "description": "A query (form or `application/sparql-query`) or an update (form or "
        "`application/sparql-update`; needs the bearer token). The dataset parameters may be "
        "given in the URL.",
        "parameters": [*DATASET, *USING],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": SPARQL_FORM},
                "application/sparql-query": TEXT,
                "application/sparql-update": TEXT,
            },
        },
        "security": [{}, *WRITE],
        "responses": {
            "200": QUERY_RESULTS,
            "204": {"description": "The update was validated and committed"},
            **ERRORS,
            **QUERY_ERRORS,
            **WRITE_ERRORS,
            "422": {
                "description": "An update refused: the SHACL report of the violations it would "
                "bring; or a query whose result is over the row or byte cap (text)",
                "content": {"application/json": TEXT, "text/plain": TEXT},
            },
        },
    },
    ("/graph-store", "get"): {
        "parameters": GRAPH_TARGET,
        "responses": {
            "200": {
                "description": "The graph (for Accept: application/json, JSON-LD, sent as "
                "application/ld+json)",
                "content": {t: TEXT for t in GRAPH_TYPES},
            },
            "404": _answer("There is no such graph"),
            **ERRORS,
        },
    },
    ("/graph-store", "head"): {
        "parameters": GRAPH_TARGET,
        "responses": {
            "200": {"description": "The headers of the GET answer"},
            "404": _answer("There is no such graph"),
            **ERRORS,
        },
    },
    **{
        ("/graph-store", method): {
            "parameters": GRAPH_TARGET,
            "requestBody": RDF_BODY,
            "security": WRITE,
            "responses": {
                "201": {"description": "A new graph (POST without a graph: see Location)"},
                "204": {"description": "The graph was changed"},
                **ERRORS,
                **WRITE_ERRORS,
            },
        }
        for method in ("put", "post")
    },
    ("/graph-store", "delete"): {
        "parameters": GRAPH_TARGET,
        "security": WRITE,
        "responses": {
            "204": {"description": "The graph was dropped"},
            "404": _answer("There is no such graph"),
            **ERRORS,
            **WRITE_ERRORS,
        },
    },
    ("/api/mappings", "get"): {
        "operationId": "export_mappings",
        "parameters": [
            _query(
                "format",
                "csv or json (else by Accept)",
                _one_of("csv", "json"),
            ),
            _query("template", "Every subject to map, with empty columns to fill in", FLAG),
            _query(
                "excel",
                "CSV as Excel opens it where `;` is the list separator (Belgium): `;` between "
                "cells, UTF-8 with a BOM",
                FLAG,
            ),
            _query(
                "lang",
                "The language of the template's labels",
                _one_of("nl", "en"),
            ),
        ],
        "responses": {
            "200": {
                "description": "The mappings (or the template): CSV, or JSON rows",
                "content": {"text/csv": TEXT, "application/json": {"schema": MAPPING_ROWS}},
            },
            "304": {"description": "Not modified"},
            "400": _answer("A parameter with a value it does not take"),
            "406": _answer("Without `format`, an Accept of neither CSV nor JSON"),
        },
    },
    ("/api/mappings", "post"): {
        "operationId": "import_mappings",
        "description": "Every row is checked and all are imported in one validated write, or "
        "none. The file may be `,`, `;` or tab separated, UTF-8, UTF-16 or Windows-1252; "
        "names may be IRIs, type/slugs or unique labels (see the README).",
        "parameters": [
            _query("dry_run", "Only preview what the import would change", FLAG),
            _query(
                "mode",
                "replace: the file becomes the whole set",
                _one_of("upsert", "replace"),
            ),
        ],
        "requestBody": {
            "required": True,
            "description": "CSV with the columns subject, component, level, assessed_by, "
            "assessed_on, note",
            "content": {
                "text/csv": {"schema": CSV_FILE},
                "application/csv": TEXT,
                "text/plain": TEXT,
            },
        },
        "security": WRITE,
        "responses": {
            "200": {
                "description": "What was (or would be) added, changed, unchanged and removed",
                "content": {"application/json": {"schema": ref("MappingImport")}},
            },
            **{k: v for k, v in ERRORS.items() if k in ("400", "413", "415")},
            **WRITE_ERRORS,
            "422": {
                "description": "The errors, one per bad cell, or the SHACL report; nothing "
                "was imported",
                "content": {"application/json": {"schema": ref("MappingImportRefused")}},
            },
        },
    },
    ("/validate", "get"): {"operationId": "validate_current"},
    ("/validate", "post"): {
        "operationId": "validate_submitted",
        "requestBody": RDF_BODY,
        "responses": {
            "200": {
                "description": "The SHACL report of the graph with the data added (nothing is "
                "written)",
                "content": {t: TEXT for t in validate.OFFERED},
            },
            "400": _answer("The body does not parse, or holds no triples"),
            "406": _answer("None of the accepted types is offered"),
            "413": _answer("The body is over the size limit"),
            "415": _answer("A Content-Type the endpoint does not read"),
        },
    },
    **{
        ("/id/{path}", method): {
            "responses": {
                "303": {"description": "See the description at /doc/{path}"},
                "404": _answer("The graph does not know this thing"),
            }
        }
        for method in ("get", "head")
    },
}


# The query parameters of reads whose routes read them themselves (added to the route's own)
PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "/changes": [
        _query("since", "Only the changes after version N", NUMBER),
        _query("before", "The newest changes numbered below N (a page)", NUMBER),
        _query("after", "The oldest changes numbered above N (a page; not with before)", NUMBER),
        _query("limit", "Changes a page (50; at most 1000)", {"type": "integer", "minimum": 1}),
        LANG,
    ],
    "/doc/{path}": [*AS_OF, LANG],
    "/search": [_query("text", "The text to look for in the labels"), LANG],
    "/coverage": [
        _query("format", "html or json (else by Accept)", _one_of("html", "json")),
        _query("sort", "mapped: the mapped subjects and components first", _one_of("mapped")),
        LANG,
    ],
}


# What the pages and documents answer, by Accept (FastAPI sees a `Response` and says JSON).
ANSWERS: dict[str, tuple[str, ...]] = {
    "/coverage": ("text/html", "application/json"),
    "/orgchart.svg": ("image/svg+xml",),
    "/validate": tuple(validate.OFFERED),
    "/context.jsonld": ("application/ld+json",),
    "/doc/{path}": documents.OFFERED,
    "/search": ("text/html",),
    "/ns": tuple(ontology.TYPES),
    "/shapes": tuple(ontology.TYPES),
    "/void": tuple(dataset.VOID_TYPES),
    "/dumps/{name}": ("application/gzip",),
    "/ldes": tuple(ldes_documents.OFFERED),
    "/ldes/root": tuple(ldes_documents.OFFERED),
    "/ldes/{token}/{number}": tuple(ldes_documents.OFFERED),
    "/changes": tuple(changes.LIST_TYPES),
    "/changes/{number}": tuple(changes.CHANGE_TYPES),
    "/timemap/{path}": (changes.LINKS,),
}
# the statuses every such read may answer besides 200
READ_ERRORS = {
    "304": {"description": "Not modified: the ETag given in If-None-Match still holds"},
    "400": {"description": "A parameter it does not take as given (the message says which)"},
    "404": {"description": "Nothing of this name"},
    "406": {"description": "None of the accepted types is offered"},
}


def _read_answers(schema: dict[str, Any]) -> None:
    """The media types each page and document answers with, and its statuses; FastAPI's 422
    (a validation error of its own) is a 400 here, as `app.install_errors` answers it."""
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation.get("responses", {})
            if "422" in responses and "HTTPValidationError" in str(responses["422"]):
                del responses["422"]
                responses.setdefault("400", READ_ERRORS["400"])
            if path in ANSWERS and method in ("get", "head"):
                # JSON (an object or an array) of any shape; the other types are text
                content = {t: {"schema": {}} if "json" in t else TEXT for t in ANSWERS[path]}
                responses["200"] = {"description": "The answer, by Accept", "content": content}
                responses.update({k: v for k, v in READ_ERRORS.items() if k not in responses})


def _head_as_get(schema: dict[str, Any]) -> None:
    """A HEAD that `OPERATIONS` does not describe takes GET's parameters and answers."""
    for path, item in schema["paths"].items():
        if "get" in item and "head" in item and (path, "head") not in OPERATIONS:
            for key in ("parameters", "responses"):
                if key in item["get"]:
                    item["head"][key] = item["get"][key]


def unique_per_method(schema: dict[str, Any]) -> None:
    """One operation id per operation: where a route serves several methods, GET keeps the
    route's name and the others add their method (`read_graph`, `read_graph_head`)."""
    operations = [op for item in schema["paths"].values() for op in item.values()]
    shared = Counter(op["operationId"] for op in operations)
    for item in schema["paths"].values():
        for method, operation in item.items():
            if shared[operation["operationId"]] > 1 and method != "get":
                operation["operationId"] += f"_{method}"


def describe(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The generated description with `OPERATIONS`, the bearer scheme and the named queries."""
    for (path, method), extra in OPERATIONS.items():
        operation = schema["paths"][path][method]
        operation.update(extra)
    for path, parameters in PARAMETERS.items():
        operation = schema["paths"][path]["get"]
        operation["parameters"] = [*operation.get("parameters", []), *parameters]
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    components.setdefault("schemas", {}).update(SCHEMAS)
    _read_answers(schema)
    _head_as_get(schema)
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, never sent
        components["schemas"].pop(unused, None)
    unique_per_method(schema)
    schema["paths"].update(named_queries.openapi_paths(registry(settings.queries)))
    return schema


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """`app.openapi()` answers the whole description, made once."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                # a route of several methods: made unique per method by `describe`
                warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
                generated = generate()
            app.openapi_schema = describe(generated, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
