"""`/health`: 200 with a small JSON body when the store answers."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..requests import services

router = APIRouter(tags=["Operations"])


@router.get("/health", summary="Is the store answering?")
def health(request: Request) -> dict[str, object]:
    svc = services(request)
    return {"status": "ok", "version": svc.data.version, "quads": len(svc.data.store)}
