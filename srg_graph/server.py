"""`srg serve`: build the store when it is empty (unless a remote store is served), then
serve it with uvicorn."""

from __future__ import annotations

import logging

from .build import build
from .config import Settings
from .dataset import load_ahead


def serve(settings: Settings) -> None:
    if not settings.remote:
        if not settings.store.exists():
            build(settings)
        load_ahead(settings.store)
    # The web stack is imported while the dataset loads.
    import uvicorn

    from .app import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
