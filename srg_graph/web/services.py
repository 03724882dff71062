"""The objects the routers share: settings, the dataset, the query pool (one per app)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..config import Settings
from ..dataset.embedded import Dataset
from ..dataset.ldes import EventStream, open_stream
from ..dataset.remote import RemoteDataset, remote_log, remote_store
from ..errors import Unsupported
from ..model.catalogue import Catalogue
from ..runtime.pool import QueryPool, open_pool
from ..runtime.remote_pool import NO_TIME_TRAVEL, RemotePool
from ..sparql.named import NamedQuery, registry
from ..store import Answer, Queries, QueryRequest, WorkerStore
from ..validation.engines import validate_store
from ..validation.incremental import check_reaches
from ..validation.report import Report
from . import memento
from .answer_cache import AnswerCache
from .answer_lane import AnswerLane
from .errors import HttpError

# Seconds after the start before the work ahead (`_warm_up`) begins: it holds the interpreter,
# and on two cores it slowed the first requests (a load balancer's first health check, the
# first query) by up to 0.9 s at a million triples with a long history.
WARM_UP_AFTER = 1.0


@dataclass
class Services:
    settings: Settings
    data: Dataset | RemoteDataset
    pool: QueryPool | RemotePool
    queries: dict[str, NamedQuery]
    ldes: EventStream | None = None  # the history as a Linked Data Event Stream
    waiting: threading.BoundedSemaphore = field(init=False)
    report_lock: threading.Lock = field(default_factory=threading.Lock)
    cached_report: tuple[str, Report] | None = None
    catalogue: Catalogue = field(init=False)  # statistics and dumps, made once per version
    answers: AnswerCache = field(init=False)  # see `answer_cache`
    lane: AnswerLane = field(init=False)  # see `answer_lane`
    counted: tuple[str, int] | None = None  # (dataset version, quads)

    def __post_init__(self) -> None:
        # Requests beyond what the workers and a short queue can take are turned away (429)
        # instead of piling up threads and memory.
        self.waiting = threading.BoundedSemaphore(self.settings.workers * 8)
        self.catalogue = Catalogue(self.data)
        # another server may change a remote store: its answers cannot be kept
        self.answers = AnswerCache(0 if self.settings.remote else self.settings.answer_cache)
        self.lane = AnswerLane(self.answers, lambda: self.data.version)

    def report(self) -> Report:
        """The validation report of the current dataset, made once per version."""
        with self.report_lock:
            version = self.data.version
            if self.cached_report is None or self.cached_report[0] != version:
                self.cached_report = (version, validate_store(self.data.store))
            return self.cached_report[1]

    def quads(self) -> int:
        """The dataset's quads, asked of the query worker once per version (it counts them
        once, 1.3 s at ten million, and then adds what each committed delta adds)."""
        version, counted = self.data.version, self.counted
        if counted is None or counted[0] != version:
            counted = (version, len(self.data.store))
            if self.data.version == version:  # no write came in between
                self.counted = counted
        return counted[1]

    def query(self, text: str, fmt: str, **options: Any) -> QueryRequest:
        """A user's query within this server's caps (its base IRI, rows and bytes)."""
        settings = self.settings
        return QueryRequest(
            text,
            fmt,
            base_iri=settings.base_iri,
            max_rows=settings.max_rows,
            max_bytes=settings.max_result_bytes,
            **options,
        )

    async def answer(self, request: QueryRequest, version: int | None = None) -> Answer:
        """A user's query, answered on a worker (`version`: on that past version of the
        dataset)."""
        if not self.waiting.acquire(blocking=False):
            raise HttpError(429, "too many queries at once; retry shortly", {"Retry-After": "1"})
        try:
            return await self.pool.answer(request, version)
        finally:
            self.waiting.release()

    @property
    def time_travel(self) -> bool:
        """Whether past versions can be read (not in remote-store mode)."""
        return isinstance(self.data.store, WorkerStore)

    def version_of(self, version: str | None, as_of: str | None) -> int | None:
        """The past version a request asks for with `version` or `asOf` (None: the current
        dataset); `Unsupported` in remote-store mode (see `memento.version_of`)."""
        if version is None and as_of is None:
            return None
        if not self.time_travel:
            raise Unsupported(NO_TIME_TRAVEL)
        return memento.version_of(version, as_of, self.data.changelog, self.data.change_number)

    def store_at(self, version: int | None) -> Queries:
        """The dataset's store, or (`version`) a past version of it, read in the query
        worker; `Unsupported` in remote-store mode, whose store keeps no past versions."""
        if version is None:
            return self.data.store
        if isinstance(self.data.store, WorkerStore):
            return self.data.store.at(version)
        raise Unsupported(NO_TIME_TRAVEL)


def _warm_up(data: Dataset | RemoteDataset) -> None:
    """Work done ahead of the requests that need it (each does it itself otherwise): the
    checks' reaches (the first write; 1.5 s of parsing) and the history's index with the
    subjects of every change (resource pages, TimeMaps; seconds at a million triples)."""
    check_reaches()
    data.changelog.touching("")


def open_services(settings: Settings) -> Services:
    """The embedded dataset and its query workers, or a remote store (`--sparql-endpoint`)."""
    if settings.remote:
        store = remote_store(settings)
        history = remote_log(settings) if settings.update_endpoint else None
        data: Dataset | RemoteDataset = RemoteDataset(store, settings.remote_refresh, history)
        pool: QueryPool | RemotePool = RemotePool(store)
    else:
        pool = open_pool(settings)
        data = Dataset(settings.store, WorkerStore(pool), pool.committed, pool.take_log())
        pool.loaded()
    # (a thread, after the fork of the query workers, which needs a single thread)
    ahead = threading.Timer(WARM_UP_AFTER, _warm_up, (data,))
    ahead.name, ahead.daemon = "srg-warm-up", True
    ahead.start()
    return Services(settings, data, pool, registry(settings.queries), open_stream(settings, data))
