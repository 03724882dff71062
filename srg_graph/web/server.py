"""`srg serve`: check the port, fork the zygote and build the store when there is none yet
(unless a remote store is served), say whether writes are on, then serve it with uvicorn."""

from __future__ import annotations

import logging
import socket

from ..config import Settings
from ..dataset.build import build, has_snapshot
from ..errors import PortInUse
from ..runtime.pool import QueryPool, start_ahead
from ..runtime.zygote import Zygote
from ..validation import render as reports

log = logging.getLogger("srg.start")


def serve(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    quicker_records()
    check_port(settings.host, settings.port)
    pool = None if settings.remote else start_pool(settings)
    # The web stack is imported while the query worker loads the dataset.
    import uvicorn

    from .app import create_app
    from .http_protocol import LaneProtocol

    if pool is not None:
        pool.loaded()  # a dataset that cannot be loaded stops the command here, with the reason
    log.info(writes_line(settings))
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        http=LaneProtocol,
    )


def quicker_records() -> None:
    """Log records without what no line of the server shows (the caller's file and line, the
    thread's and process's names): the logging HOWTO's "Optimization"; a fifth of the cost of
    the access log's line, written for every request."""
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def start_pool(settings: Settings) -> QueryPool:
    """Fork the zygote, build the store if there is none yet, and start the query worker.

    The zygote is forked first, while this process still has a single thread: a build leaves
    threads running for good (the engine's, RocksDB's background threads, started when the
    build writes the on-disk store; Python can neither join nor stop them)."""
    zygote = Zygote.fork()
    try:
        if not has_snapshot(settings.store):
            report = build(settings)
            summary = reports.summary(report, "en")
            log.info(f"Built {settings.store}: {summary} (the whole report: srg validate)")
        return start_ahead(settings, zygote)
    except BaseException:
        zygote.close()
        raise


def check_port(host: str, port: int) -> None:
    """Fail before the dataset is loaded when the port is taken, naming the flag to change.

    Bound the way uvicorn binds it (SO_REUSEADDR), so a port only in TIME_WAIT passes."""
    if not 0 <= port <= 65535:
        raise PortInUse(f"there is no port {port}: choose one from 1 to 65535 (0: any free one)")
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            other = port + 1 if port < 65535 else 8001
            raise PortInUse(
                f"cannot listen on {host}:{port}: {error.strerror or error}; another server "
                f"(another srg serve?) may be using it. Choose another port: "
                f"srg serve --port {other}, or SRG_PORT={other} (SRG_PORT={other} make run)"
            ) from None


def writes_line(settings: Settings) -> str:
    """Whether this server accepts writes, and how to turn them on when it does not."""
    if settings.remote and not settings.update_endpoint:
        return (
            "Writes are off: the remote store has no update endpoint; "
            "give --update-endpoint (and write tokens) to allow them."
        )
    if not settings.write_tokens:
        return (
            "Writes are off: no write token. To allow them, start with a token of your "
            "choosing: SRG_WRITE_TOKENS=s3cret make run (or srg serve --token-file FILE); "
            "a write then sends 'Authorization: Bearer s3cret'."
        )
    count = len(settings.write_tokens)
    return (
        f"Writes are on: {count} token{'s' if count > 1 else ''} "
        "(SRG_WRITE_TOKENS, --token-file); a write sends 'Authorization: Bearer <token>'."
    )
