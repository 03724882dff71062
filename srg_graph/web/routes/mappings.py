"""`/api/mappings`: VLOCA mappings as CSV, for architects who work in spreadsheets.

`GET` exports every mapping (CSV, or JSON by `Accept`/`?format=json`); `POST` (text/csv,
bearer token) checks every row and applies all of them in one validated write, or none;
`?dry_run=true` only previews; `?mode=replace` makes the file the whole set of mappings.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...model import mappings
from .. import caching, negotiation
from ..errors import HttpError
from ..requests import authorise_write, read_body, services, write
from ..sparql_protocol import media_type

router = APIRouter(tags=["VLOCA mappings"])
CSV_TYPES = ("text/csv", "application/csv", "text/plain")


def _flag(request: Request, name: str, values: tuple[str, ...]) -> str:
    value = request.query_params.get(name, values[0])
    if value not in values:
        raise HttpError(400, f"'{name}' takes one of {', '.join(values)}, not {value!r}")
    return value


@router.get("/api/mappings", summary="Export every VLOCA mapping (CSV or JSON)")
def export(request: Request) -> Response:
    svc = services(request)
    wanted = request.query_params.get("format")
    offered = ["text/csv", "application/json"]
    media = {"csv": "text/csv", "json": "application/json"}.get(wanted or "") or (
        negotiation.choose(request.headers.get("accept"), offered, "text/csv") or "text/csv"
    )
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, media)
    if unchanged:
        return unchanged
    rows = mappings.current(svc.data.store)
    if media == "application/json":
        body = json.dumps([m.__dict__ for m in rows], ensure_ascii=False, indent=2)
        return Response(body, media_type="application/json", headers=headers)
    headers["Content-Disposition"] = 'attachment; filename="vloca-mappings.csv"'
    return Response(mappings.to_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)


@router.post(
    "/api/mappings",
    dependencies=[Depends(authorise_write)],
    summary="Import VLOCA mappings from CSV (all rows or none)",
)
async def import_csv(request: Request) -> Response:
    svc = services(request)
    dry_run = _flag(request, "dry_run", ("false", "true")) == "true"
    replace = _flag(request, "mode", ("upsert", "replace")) == "replace"
    if media_type(request.headers.get("content-type"))[0] not in CSV_TYPES:
        raise HttpError(415, "send the mappings as text/csv (UTF-8)")
    body = await read_body(request, svc.settings.max_body_bytes)
    try:
        incoming = await run_in_threadpool(mappings.parse, body, svc.data.store.is_a)
    except mappings.ImportRefused as refused:
        content = {"imported": False, "errors": refused.as_dicts()}
        return Response(
            json.dumps(content, ensure_ascii=False, indent=2), 422, media_type="application/json"
        )
    outcome = mappings.preview(incoming, mappings.current(svc.data.store), replace)
    if not dry_run:
        await write(request, svc, lambda staged: mappings.apply(staged, incoming, replace))
    summary = {key: len(rows) for key, rows in outcome.items()}
    content = {"imported": not dry_run, "dry_run": dry_run, "counts": summary, **outcome}
    return Response(
        json.dumps(content, ensure_ascii=False, indent=2), media_type="application/json"
    )
