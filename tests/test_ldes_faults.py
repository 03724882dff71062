"""The event stream when its files cannot be read or written: `503` with `Retry-After`, then on.

A disk that fails a read or a write with an I/O error (EIO: not a full disk, which is
`test_ldes_resume`'s 507), and a replica whose files the engine finds damaged again once made
anew, are injected where the stream reads and writes (`SRG_FAULTS`): the request answers 503
saying what failed and what to do, the pages recorded stay as they were (same token, same
bytes), and the next request, the fault gone, answers 200 with the members a writer never
interrupted makes.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from conftest import fresh_store
from server import REMOTE
from test_ldes_resume import (
    NT,
    Follower,
    assert_as_if_never_interrupted,
    page_files,
    serving,
    write_changes,
)

from srg_graph.config import Settings
from srg_graph.validation.report import Report

pytestmark = pytest.mark.skipif(REMOTE, reason="the embedded store's stream on disk")

FAILED_IO = "the event stream could not read or write its files"
DAMAGED = "the event stream's files were found damaged, and again once made anew"


@pytest.fixture
def store(settings: Settings, seed_report: Report, tmp_path: Path) -> Path:
    return fresh_store(settings, seed_report, tmp_path / "store")


@pytest.fixture
def followed(store: Path) -> Follower:
    """A consumer that read the stream, then changes that fill its open page and begin new
    ones, not yet in the stream (its server stopped)."""
    with serving(store) as http:
        follower = Follower()
        follower.follow(http)
        write_changes(http)
    return follower


def unavailable(response: httpx.Response, says: str) -> None:
    assert response.status_code == 503, response.text
    assert says in response.text
    assert "the next request" in response.text and "check the disk" in response.text
    assert response.headers["retry-after"] == "1"


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        ("EIO@stream-read-state#1", FAILED_IO),  # was a new generation of pages (410)
        ("EIO@log-read#1", FAILED_IO),  # the history, read to check the pages belong to it
        ("EIO@stream-page#1", FAILED_IO),  # half the members written
        ("EIO@stream-write#2", FAILED_IO),  # the pages and the replica written, not the state
        # the replica found damaged, made again, and found damaged again
        ("corrupt@replica-read#1,corrupt@replica-read#2", DAMAGED),
    ],
)
def test_a_failed_read_or_write_of_the_stream_is_503_and_loses_nothing(
    store: Path, tmp_path: Path, followed: Follower, fault: str, says: str
) -> None:
    """The advance that takes the changes meets the fault: 503 (an I/O error was a 500, and
    one reading the state made the pages anew under a new token); the next request takes
    the advance back where it was cut short and makes it, and the consumer goes on."""
    token, _ = page_files(store)
    with serving(store, SRG_FAULTS=fault) as http:
        unavailable(http.get("/ldes/root", headers=NT), says)
        assert http.get("/ldes/root", headers=NT).status_code == 200
        followed.follow(http)
    assert_as_if_never_interrupted(store, followed, token, tmp_path / "again")


def test_a_failed_read_of_a_page_is_503_and_the_page_is_served_next(
    store: Path, followed: Follower
) -> None:
    """An immutable page whose file cannot be read (EIO): 503, not a 500; the next request
    serves it as it was."""
    with serving(store) as http:
        followed.follow(http)
    token, pages = page_files(store)
    with serving(store, SRG_FAULTS="EIO@stream-read-page#1") as http:
        unavailable(http.get(f"/ldes/{token}/1", headers=NT), FAILED_IO)
        again = http.get(f"/ldes/{token}/1", headers=NT)
        assert again.status_code == 200, again.text
        assert again.text.replace(str(http.base_url).rstrip("/"), "") == followed.frozen[1]
    assert page_files(store) == (token, pages)
