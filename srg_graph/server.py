"""`srg serve`: build the store when it is empty (unless a remote store is served), then
serve it with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from .app import create_app
from .build import build
from .config import Settings


def serve(settings: Settings) -> None:
    if not settings.remote and not settings.store.exists():
        build(settings)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
