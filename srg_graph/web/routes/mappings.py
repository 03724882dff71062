"""`/api/mappings`: VLOCA mappings as CSV, for architects who work in spreadsheets.

`GET` exports every mapping (CSV, or JSON by `Accept`/`?format=json`), or with
`?template=true` every subject to map with its label (`?lang=nl|en`) and empty columns to
fill in; `?excel=true`: `;`-separated after a BOM, as Excel opens it in Belgium. `POST`
(text/csv, bearer token) checks every row and applies all of them in one validated write,
or none; `?dry_run=true` only previews; `?mode=replace` makes the file the whole set of
mappings.
"""

from __future__ import annotations

import csv
import io
import json

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...model import mappings
from .. import caching, pages
from ..errors import HttpError
from ..parameters import choice
from ..requests import (
    authorise_write,
    body_content_type,
    negotiated,
    read_body,
    services,
    write,
)
from ..sparql_protocol import media_type

router = APIRouter(tags=["VLOCA mappings"])
CSV_TYPES = ("text/csv", "application/csv", "text/plain")


def _flag(request: Request, name: str, values: tuple[str, ...]) -> str:
    return choice(request, name, values) or values[0]


@router.api_route(
    "/api/mappings",
    methods=["GET", "HEAD"],
    summary="Export every VLOCA mapping, or the template (CSV or JSON)",
)
def export(request: Request) -> Response:
    svc = services(request)
    template = _flag(request, "template", ("false", "true")) == "true"
    excel = _flag(request, "excel", ("false", "true")) == "true"
    wanted = choice(request, "format", ("csv", "json"))
    by_format = {"csv": "text/csv", "json": "application/json"}
    # an Accept of neither is 406 as on every other route, not the CSV unasked
    media = by_format[wanted] if wanted else negotiated(request, list(by_format.values()))
    lang = pages.language(request)  # (400 for a `lang` it does not take)
    headers, unchanged = caching.validators(
        request, svc.data.version, svc.data.modified, media, str(template), lang
    )
    if unchanged:
        return unchanged
    csv_for = {"spreadsheet": media == "text/csv", "excel": excel and media == "text/csv"}
    if template:
        body = mappings.template(svc.data.store, lang, **csv_for)
        return _csv_or_json(body, media, headers, "vloca-mappings-template.csv")
    rows = mappings.current(svc.data.store)
    if not rows:  # nothing to copy from: the template lists every subject to fill in
        headers["Link"] = '</api/mappings?template=true>; rel="alternate"; title="template"'
    body = mappings.to_csv(rows, **csv_for)
    return _csv_or_json(body, media, headers, "vloca-mappings.csv")


def _csv_or_json(text: str, media: str, headers: dict[str, str], filename: str) -> Response:
    """The CSV as it is, or its rows as a JSON array of objects."""
    if media == "application/json":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        body = json.dumps(rows, ensure_ascii=False, indent=2)
        return Response(body, media_type="application/json", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.post(
    "/api/mappings",
    dependencies=[Depends(authorise_write)],
    summary="Import VLOCA mappings from CSV (all rows or none)",
)
async def import_csv(request: Request) -> Response:
    svc = services(request)
    dry_run = _flag(request, "dry_run", ("false", "true")) == "true"
    replace = _flag(request, "mode", ("upsert", "replace")) == "replace"
    if media_type(body_content_type(request))[0] not in CSV_TYPES:
        raise HttpError(415, "send the mappings as text/csv (UTF-8)")
    body = await read_body(request, svc.settings.max_body_bytes)
    names = mappings.Names(svc.data.store)
    try:
        parsed = await run_in_threadpool(mappings.parse, body, names)
    except mappings.ImportRefused as refused:
        content = {"imported": False, "errors": refused.as_dicts()}
        return Response(
            json.dumps(content, ensure_ascii=False, indent=2), 422, media_type="application/json"
        )
    incoming = parsed.mappings
    outcome = mappings.preview(incoming, mappings.current(svc.data.store), replace)
    if not dry_run:
        await write(request, svc, lambda staged: mappings.apply(staged, incoming, replace))
    summary = {key: len(rows) for key, rows in outcome.items()}
    content = {
        "imported": not dry_run,
        "dry_run": dry_run,
        "read_as": parsed.read_as(),
        "counts": summary,
        **outcome,
    }
    return Response(
        json.dumps(content, ensure_ascii=False, indent=2), media_type="application/json"
    )
