"""Shared fixtures: the real sources, a real store built from them, real validation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from server import REMOTE_ENGINE, Server

from srg_graph.config import Settings
from srg_graph.dataset.build import build, source_store
from srg_graph.dataset.embedded import read_prefix
from srg_graph.dataset.sources import Kind, Source, discover, submitted
from srg_graph.store import GraphStore
from srg_graph.validation.engines import validate_store
from srg_graph.validation.report import Report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On Virtuoso (SRG_TEST_REMOTE=virtuoso), the tests of what it cannot do are expected to
    fail, each for the reason given in `virtuoso.LIMITS`; strictly, so that one that passes
    is reported and the list stays true. Those in `virtuoso.NOT_RUN` (by test, or all of a
    file's), or on a fixture of `virtuoso.NOT_RUN_FIXTURES`, are skipped, for the reason
    given there."""
    if REMOTE_ENGINE != "virtuoso":
        return
    from virtuoso import LIMITS, NOT_RUN, NOT_RUN_FIXTURES

    for item in items:
        reason = LIMITS.get(item.nodeid) or LIMITS.get(item.nodeid.split("[", 1)[0])
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
        skipped = NOT_RUN.get(item.nodeid) or NOT_RUN.get(item.nodeid.split("::", 1)[0])
        if skipped is not None:
            item.add_marker(pytest.mark.skip(reason=skipped))
        for fixture in sorted(set(getattr(item, "fixturenames", ())) & set(NOT_RUN_FIXTURES)):
            item.add_marker(pytest.mark.skip(reason=NOT_RUN_FIXTURES[fixture]))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(root=ROOT, store=tmp_path_factory.mktemp("store") / "store")


@pytest.fixture(scope="session")
def seed_report(settings: Settings) -> Report:
    """The report of building the on-disk store from the repository's sources."""
    return build(settings)


@pytest.fixture(scope="session")
def seed(settings: Settings, seed_report: Report) -> GraphStore:
    """The built store as it is served (the snapshot with its log and the history graph
    made from it; union default graph): ask it with `rows` and `ask`."""
    return read_prefix(settings.store)


TOKEN = "test-write-token"
# The shape fixtures run on the reference engine; tests/test_fast_validation.py holds the fast
# engine to the same results.
ENGINE = "pyshacl"


def fresh_store(settings: Settings, seed_report: Report, target: Path) -> Path:
    """A private copy of the built store (its snapshot directory, and beside it the log, which
    is its history, and the sources of the last build), so a server's writes touch no other
    test."""
    shutil.copytree(settings.store, target)
    for kept in settings.store.parent.glob(f"{settings.store.name}.*"):
        if kept.is_file():
            shutil.copy(kept, target.with_name(target.name + kept.name[len(settings.store.name) :]))
    return target


@pytest.fixture(scope="session")
def server(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A read-mostly server on the seed, shared by the whole session (writes use `writable`)."""
    store = fresh_store(settings, seed_report, tmp_path_factory.mktemp("served") / "store")
    running = Server(store, TOKEN).start()
    yield running
    running.stop()


@pytest.fixture
def private_store(settings: Settings, seed_report: Report, tmp_path: Path) -> Path:
    """A copy of the built store for one test (for the command line, which works offline)."""
    return fresh_store(settings, seed_report, tmp_path / "store")


@contextmanager
def running_server(
    settings: Settings, seed_report: Report, directory: Path, tokens: str = TOKEN, **env: str
) -> Iterator[Server]:
    """A real server on a private copy of the built store, stopped and removed afterwards."""
    store = fresh_store(settings, seed_report, directory / "store")
    running = Server(store, tokens, **env).start()
    try:
        yield running
    finally:
        running.stop()
        shutil.rmtree(store, ignore_errors=True)


@pytest.fixture(scope="module")
def module_writable(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A writable server shared by one test module (started once, to save time): each test
    writes graphs or triples of its own and checks the store around them."""
    with running_server(settings, seed_report, tmp_path_factory.mktemp("module")) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    """An HTTP client of the session server, for read-only tests."""
    with server.client() as http:
        yield http


@pytest.fixture
def writable(settings: Settings, seed_report: Report, tmp_path: Path) -> Iterator[Server]:
    """A server of its own for a test that writes, restarts or kills it."""
    running = Server(fresh_store(settings, seed_report, tmp_path / "store"), TOKEN).start()
    yield running
    running.stop()


def validate_with_vocabulary(files: Iterable[Path]) -> Report:
    """Validate the given files together with the ontology and concept schemes only.

    The shape fixtures are small graphs that test one rule each, without the seed data.
    """
    vocabulary = [s for s in discover(ROOT) if s.kind is not Kind.DATA]
    store = GraphStore()
    sources: list[Source] = [*vocabulary, *(submitted(Path(f)) for f in files)]
    for source in sources:
        store.load_source(source)
    return validate_store(store, ENGINE)


def validate_with_seed(files: Iterable[Path]) -> Report:
    """Validate the seed sources with the given files added (like `srg validate FILE`)."""
    store = source_store(ROOT, files)
    return validate_store(store, ENGINE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The seed sources and 10k generated triples with violations planted in them (some on
    blank nodes; `fixtures/planted-violations.ru`), in memory."""
    path = tmp_path_factory.mktemp("bench") / "generated.nq"
    command = [sys.executable, "bench/generate.py", "--triples", "10000", "--seed", "7"]
    subprocess.run([*command, "--out", str(path)], cwd=ROOT, check=True, capture_output=True)
    store = source_store(ROOT)
    store.load_source(submitted(path))
    store.update((FIXTURES / "planted-violations.ru").read_text(encoding="utf-8"))
    return store


def vocabulary_store(files: list[Path]) -> GraphStore:
    """Ontology, concept schemes and shapes plus the files: what validate_with_vocabulary sees."""
    store = GraphStore()
    for source in [s for s in discover(ROOT) if s.kind is not Kind.DATA]:
        store.load_source(source)
    for path in files:
        store.load_source(submitted(path))
    return store


def needs_network_namespaces() -> None:
    """Skip when this system lets no process make a network namespace (a container without
    the capability): the workers then keep the network, as the server's log says."""
    probe = "from srg_graph.runtime.isolation import leave_the_network as l; print(l())"
    reason = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if reason.stdout.strip() != "None":
        pytest.skip(f"no network namespace here: {reason.stdout or reason.stderr}")


# -- a full disk: a real one (tmpfs of a few MiB) ----------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of 16 MiB, mounted for the test (root only: CI runs as root): room for the
    store, its log and a compaction's new snapshot beside the old one."""
    if os.geteuid() != 0:
        pytest.skip("a size-limited tmpfs needs root (CI runs as root)")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the disk with a ballast file, leaving about `leave` bytes free."""
    ballast = disk / f"ballast-{len(list(disk.glob('ballast-*')))}"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * (1 << 16))
    except OSError as error:
        assert error.errno == 28
    finally:
        os.close(fd)
    if leave:
        os.truncate(ballast, max(0, ballast.stat().st_size - leave))
    return ballast
