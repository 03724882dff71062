"""`srg serve`: build the store when it is empty (unless a remote store is served), then
serve it with uvicorn."""

from __future__ import annotations

import logging

from ..config import Settings
from ..dataset.build import build
from ..runtime.pool import start_ahead


def serve(settings: Settings) -> None:
    pool = None
    if not settings.remote:
        if not settings.store.exists():
            build(settings)
        pool = start_ahead(settings)
    # The web stack is imported while the query worker loads the dataset.
    import uvicorn

    from .app import create_app

    if pool is not None:
        pool.loaded()  # a dataset that cannot be loaded stops the command here, with the reason
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
