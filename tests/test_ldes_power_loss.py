"""The event stream's files as a power loss (or a damaged disk) leaves them, between two runs.

The index (`state.json`) records how many quads the stream's replica held at its version, and
the replica records that version itself: a replica whose files are damaged, or that lost its
last writes, is made again from the log, as a missing one is, and the members made from it
are those of a writer never interrupted. An index left empty makes the pages anew under a new
token (the old ones gone, 410), with the same members. (A page that is not what the index
records is `test_ldes_resume`'s.)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

import httpx
import pytest
from conftest import fresh_store
from server import REMOTE
from test_ldes_resume import (
    EX,
    GRAPH,
    NT,
    Follower,
    assert_as_if_never_interrupted,
    serving,
    stream_directory,
    update,
)

from srg_graph.config import Settings
from srg_graph.store.resource_versions import Replica
from srg_graph.validation.report import Report

pytestmark = pytest.mark.skipif(REMOTE, reason="the embedded store's stream on disk")


def rebuilt(http: httpx.Client) -> dict[str, object]:
    """What `/health` says of the replica made again since the server started."""
    found = http.get("/health").json()["event_stream"]
    assert isinstance(found, dict)
    return found


def statement(text: str) -> str:
    return f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}r1> {text} }} }}"


@pytest.fixture
def store(settings: Settings, seed_report: Report, tmp_path: Path) -> Path:
    return fresh_store(settings, seed_report, tmp_path / "store")


@pytest.fixture
def followed(store: Path) -> Follower:
    """A consumer that read the stream with a first statement about `r1` in it."""
    with serving(store) as http:
        update(http, statement(f'<{EX}label> "r1"'))
        follower = Follower()
        follower.follow(http)
        assert rebuilt(http) == {"replica_rebuilt": 0, "replica_rebuilt_why": None}
    return follower


def advance_then_restore(store: Path, tmp_path: Path, follower: Follower) -> None:
    """A second statement about `r1` taken into the stream, then the replica put back as it
    was before it (as a replica that lost its last writes leaves it)."""
    replica = stream_directory(store) / "replica"
    shutil.copytree(replica, tmp_path / "replica-before")
    with serving(store) as http:
        update(http, statement(f'<{EX}note> "a note"'))
        follower.follow(http)
    shutil.rmtree(replica)
    shutil.copytree(tmp_path / "replica-before", replica)


def test_a_replica_that_lost_its_last_writes_is_made_again(
    store: Path, tmp_path: Path, followed: Follower
) -> None:
    """The replica behind the stream's version: the next member of `r1` lacked the note."""
    advance_then_restore(store, tmp_path, followed)
    with serving(store) as http:
        update(http, statement(f'<{EX}label> "r1 again"'))
        followed.follow(http)
        found = rebuilt(http)
    version = json.loads((stream_directory(store) / "state.json").read_text("utf-8"))["version"]
    why = f"at version {version - 2}, the stream at {version - 1} going to {version}"
    assert found == {"replica_rebuilt": 1, "replica_rebuilt_why": why}
    assert_as_if_never_interrupted(store, followed, followed.token, tmp_path / "again")


@pytest.mark.parametrize("how", ["cut", "emptied"])
def test_a_replica_whose_files_were_cut_is_made_again(
    store: Path, tmp_path: Path, followed: Follower, how: str
) -> None:
    """Every file of the replica cut to half its size (or to nothing): its store could not
    be opened, and every read of the stream failed (500)."""
    for path in (stream_directory(store) / "replica").iterdir():
        os.truncate(path, path.stat().st_size // 2 if how == "cut" else 0)
    with serving(store) as http:
        update(http, statement(f'<{EX}note> "a note"'))
        followed.follow(http)
        found = rebuilt(http)
    assert found == {"replica_rebuilt": 1, "replica_rebuilt_why": "its files cannot be read"}
    assert_as_if_never_interrupted(store, followed, followed.token, tmp_path / "again")


def flipped(replica: Path, name: str) -> None:
    """A byte flipped every 4 KiB (a block) in the first half of file `name` of a replica:
    the blocks of data come first, the index that finds them last."""
    path = replica / name
    data = bytearray(path.read_bytes())
    for at in range(100, len(data) // 2, 4096):
        data[at] ^= 1
    path.write_bytes(bytes(data))


def met(trial: Path, recorded: tuple[int | None, int], resource: str) -> str | None:
    """Where the damage of the replica `trial` is met: "opening" (the engine cannot open it),
    "check" (reading its version, or its quads not as `recorded`), "read" (the check passes
    and reading `resource`'s description meets it); None: nowhere."""
    opened = Replica.opened(trial)
    if opened is None:
        return "opening"
    try:
        if (opened.marked, opened.quads) != recorded:
            return "check"
    except RuntimeError as error:
        assert str(error).startswith("Corruption"), error
        return "check"
    try:
        opened.version(resource)
    except RuntimeError as error:
        assert str(error).startswith("Corruption"), error
        return "read"
    finally:
        with contextlib.suppress(RuntimeError):  # its flush may report the damage too
            opened.close()
    return None


def damaged_where(replica: Path, where: str, resource: str, elsewhere: Path) -> str:
    """Flip bytes in the first file of the replica (its server stopped) whose damage is met
    `where` (`met`, tried on copies); that file's name."""
    sound = Replica(replica)
    recorded = (sound.marked, sound.quads)
    sound.close()
    for name in sorted(p.name for p in replica.glob("*.sst")):
        trial = elsewhere / name
        shutil.copytree(replica, trial)
        flipped(trial, name)
        if met(trial, recorded, resource) == where:
            flipped(replica, name)
            return name
    raise AssertionError(f"no damage of one file that is met at the {where}")


@pytest.mark.parametrize("where", ["check", "read"])
def test_a_damaged_replica_is_made_again(
    store: Path, tmp_path: Path, followed: Follower, where: str
) -> None:
    """Bytes flipped in a replica's file that the check on opening reads (its version,
    `check`), or in one that still opens at its version with its quads (`read`: the engine
    meets the damage only when the advance reads `r1`'s description; the advance was a 500,
    since the replica, closed to be made again, reported the damage once more): the replica
    is made again from the log, and the advance done on it."""
    damaged_where(stream_directory(store) / "replica", where, f"{EX}r1", tmp_path / "trials")
    with serving(store) as http:
        update(http, statement(f'<{EX}note> "a note"'))
        followed.follow(http)
        found = rebuilt(http)
    assert found["replica_rebuilt"] == 1
    assert str(found["replica_rebuilt_why"]).startswith("Corruption")
    assert_as_if_never_interrupted(store, followed, followed.token, tmp_path / "again")


@pytest.mark.parametrize("where", ["check", "read"])
def test_a_page_read_that_meets_a_damaged_replica_makes_it_again(
    store: Path, tmp_path: Path, followed: Follower, where: str
) -> None:
    """An advance cut short (a crash), then the replica damaged: the first read of a full
    page takes the advance back on the replica without advancing, and met the damage there:
    a 500. The replica is made again from the log and the page served in that request."""
    with serving(store, SRG_FAULTS="crash@stream-page#1") as http:
        update(http, statement(f'<{EX}note> "a note"'))
        with pytest.raises(httpx.TransportError):
            http.get("/ldes/root", headers=NT)
    damaged_where(stream_directory(store) / "replica", where, f"{EX}r1", tmp_path / "trials")
    with serving(store) as http:
        response = http.get(f"/ldes/{followed.token}/1", headers=NT)
        assert response.status_code == 200, response.text
        assert response.text.replace(str(http.base_url).rstrip("/"), "") == followed.frozen[1]
        found = rebuilt(http)
        assert str(found["replica_rebuilt_why"]).startswith("Corruption")
        assert found["replica_rebuilt"] == 1
        followed.follow(http)
    assert_as_if_never_interrupted(store, followed, followed.token, tmp_path / "again")


def test_an_empty_index_makes_the_pages_anew(
    store: Path, tmp_path: Path, followed: Follower
) -> None:
    (stream_directory(store) / "state.json").write_bytes(b"")
    with serving(store) as http:
        update(http, statement(f'<{EX}note> "a note"'))
        again = Follower()
        again.follow(http)
        assert http.get(f"/ldes/{followed.token}/1", headers=NT).status_code == 410
    assert again.token != followed.token
    assert again.members[: len(followed.members)] == followed.members
    assert_as_if_never_interrupted(store, again, again.token, tmp_path / "again")
