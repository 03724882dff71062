"""Faults survived: a full disk, a failed fsync, a crash at each step of the write path, a
torn or damaged log, a damaged snapshot.

After each: every acknowledged write is there, no refused write is, and the store opens, or
is refused with the documented message. The faults are real where the machine allows: a
size-limited tmpfs for a full disk (as root, which CI is; skipped with the reason
otherwise), processes ended at named points of the write path (`SRG_FAULTS`, see
`srg_graph/dataset/faults.py`: `os._exit`, which leaves what `kill -9` leaves) and `kill -9`,
and the log cut and corrupted at every byte of its last records. A failed fsync cannot be
had from a real disk on demand, so `SRG_FAULTS` makes the call fail with EIO.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import FIXTURES, TOKEN, fill, fresh_store
from server import REMOTE, ROOT, Server

from srg_graph.config import Settings
from srg_graph.dataset import faults, wal
from srg_graph.dataset.build import build, write_snapshot
from srg_graph.dataset.embedded import (
    Dataset,
    log_path,
    open_log,
    read_prefix,
    recovered,
    snapshot_version,
)
from srg_graph.dataset.repair import repair
from srg_graph.errors import LogDamaged, SnapshotDamaged, StorageFull, WritesStopped
from srg_graph.store import Delta, GraphStore
from srg_graph.store.history_graph import HISTORY
from srg_graph.store.snapshot import BLANK, GROUND, INDEX
from srg_graph.validation.report import Report

pytestmark = pytest.mark.skipif(REMOTE, reason="the embedded store's durability")

EX = "http://example.org/"
AUTH = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {**AUTH, "content-type": "application/sparql-update"}


def quad(name: str, value: str = "o") -> bytes:
    return f'<{EX}{name}> <{EX}p> "{value}" <{EX}g> .\n'.encode()


def text(name: str, value: str = "o") -> str:
    """The quad of `quad` as the store writes it."""
    return f'<{EX}{name}> <{EX}p> "{value}" <{EX}g>'


def quads(store: GraphStore) -> frozenset[str]:
    """The data (the history graph, which describes the changes, aside)."""
    return frozenset(
        str(q) for q in store.quads() if getattr(q.graph_name, "value", None) != HISTORY
    )


def names(found: frozenset[str]) -> set[str]:
    """The names of the `quad`s among these quads."""
    return {m.group(1) for q in found if (m := re.match(f"<{EX}([^>/]+)> <{EX}p>", q))}


def legacy(snapshot: Path) -> None:
    """Make the snapshot's index one of before versions and checksums (format 1 logs were
    written beside such snapshots only)."""
    index = json.loads((snapshot / INDEX).read_text())
    for key in ("version", "files", "checksum"):
        del index[key]
    (snapshot / INDEX).write_text(json.dumps(index))


def content(snapshot: Path) -> frozenset[str]:
    """What a server started now would serve: the owner opens, the worker reads."""
    open_log(snapshot)
    return quads(read_prefix(snapshot))


def srg(*args: str, store: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`srg ARGS` as a real process on `store`, with extra environment (`SRG_FAULTS`)."""
    environment = {**os.environ, "SRG_ROOT": str(ROOT), "SRG_STORE": str(store), **env}
    command = [sys.executable, "-m", "srg_graph", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)


@pytest.fixture
def armed() -> Iterator[object]:
    """Arm faults in this process (`armed(spec)`); disarmed after the test."""
    yield faults.configure
    faults.configure("")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A snapshot of a few quads: one with a blank node, an empty named graph."""
    store = GraphStore()
    blank = f'_:kept <{EX}p> "blank" <{EX}g> .\n'.encode()
    store.apply(Delta(b"", quad("base") + blank, created=(f"{EX}empty",)))
    target = tmp_path / "store"
    write_snapshot(store, target)
    return target


def changes(data: Dataset, count: int, size: int = 40) -> list[frozenset[str]]:
    """Commit `count` changes of different kinds; the content after each (index 0: before)."""
    states = [quads(data.store)]  # type: ignore[arg-type]
    for i in range(count):
        kind = i % 4
        if kind == 0:
            delta = Delta(b"", quad(f"n{i}", "x" * size))
        elif kind == 1:  # a blank node, and a graph of its own
            added = f'_:b{i} <{EX}p> "{i}" <{EX}h{i}> .\n'.encode()
            delta = Delta(b"", added, created=(f"{EX}h{i}",))
        elif kind == 2:  # removes a quad of the snapshot
            delta = Delta(quad("base"), quad(f"n{i}"))
        else:  # puts it back
            delta = Delta(b"", quad("base"))
        data.commit(delta)
        states.append(quads(data.store))  # type: ignore[arg-type]
    return states


# -- the log: a full disk, a failed fsync, a failed rollback (in this process) -----------------
@pytest.mark.parametrize("spec", ["ENOSPC@log-write", "EDQUOT@log-write", "ENOSPC@log-fsync"])
def test_a_full_disk_refuses_the_write_rolls_it_back_and_the_next_one_succeeds(
    tiny: Path, armed, spec: str
) -> None:
    data = Dataset.recovered(tiny)
    data.commit(Delta(b"", quad("one")))
    size = log_path(tiny).stat().st_size
    armed(spec)
    with pytest.raises(StorageFull) as refused:
        data.commit(Delta(b"", quad("two")))
    message = refused.value.message
    assert "is full" in message and "needs at least" in message and "Nothing of it" in message
    assert refused.value.needed > len(quad("two"))
    assert log_path(tiny).stat().st_size == size  # rolled back to the last complete record
    assert not data.store.ask(f"ASK {{ <{EX}two> ?p ?o }}")
    assert data.stopped is None
    data.commit(Delta(b"", quad("three")))  # space is back: no restart needed
    assert names(content(tiny)) == {"base", "one", "three"}
    assert [r.change for r in wal.scan(log_path(tiny)).records] == [1, 2]


def test_a_failed_fsync_stops_writes_until_the_log_is_read_again(tiny: Path, armed) -> None:
    data = Dataset.recovered(tiny)
    data.commit(Delta(b"", quad("one")))
    armed("EIO@log-fsync#1")
    with pytest.raises(WritesStopped) as stopped:
        data.commit(Delta(b"", quad("two")))
    assert "fsync" in stopped.value.message and "it was not made" in stopped.value.message
    assert data.stopped is not None and "restart" in data.stopped
    with pytest.raises(WritesStopped, match="writes are stopped"):
        data.commit(Delta(b"", quad("three")))  # nothing reaches the disk any more
    assert not data.store.ask(f"ASK {{ <{EX}two> ?p ?o }}")
    armed("")
    reopened = Dataset.recovered(tiny)  # a restart
    assert reopened.stopped is None and reopened.writes == 1
    reopened.commit(Delta(b"", quad("four")))
    assert names(content(tiny)) == {"base", "one", "four"}


@pytest.mark.parametrize(
    ("spec", "present"),
    [
        ("ENOSPC@log-write#1,EIO@log-truncate#1", False),  # half a record: cut at the restart
        ("EIO@log-fsync#1,EIO@log-truncate#1", True),  # the whole record stayed: in doubt
    ],
)
def test_a_failed_rollback_stops_writes_and_the_write_is_in_doubt(
    tiny: Path, armed, spec: str, present: bool
) -> None:
    data = Dataset.recovered(tiny)
    armed(spec)
    with pytest.raises(WritesStopped) as stopped:
        data.commit(Delta(b"", quad("doubt")))
    assert "in doubt" in stopped.value.message
    assert not data.store.ask(f"ASK {{ <{EX}doubt> ?p ?o }}")  # never applied here
    armed("")
    with pytest.raises(WritesStopped):
        data.commit(Delta(b"", quad("later")))
    assert ("doubt" in names(content(tiny))) is present


# -- the log cut or corrupted at every byte of its last records ----------------------------
@pytest.fixture
def logged(tiny: Path) -> tuple[Path, bytes, list[wal.Record], list[frozenset[str]]]:
    """The tiny store with five changes logged: the log's bytes, its records, the content
    after each change."""
    states = changes(Dataset.recovered(tiny), 5)
    found = wal.scan(log_path(tiny))
    assert len(found.records) == 5 and not found.torn and found.damage is None
    return tiny, found.data, found.records, states


def test_a_log_cut_at_any_byte_loses_only_the_cut_record(logged, caplog) -> None:
    snapshot, data, records, states = logged
    log = log_path(snapshot)
    caplog.set_level(logging.WARNING, "srg.storage")
    for cut in [*range(len(wal.FILE_HEADER) + 1), *range(records[-3].offset, len(data))]:
        log.write_bytes(data[:cut])
        complete = [r for r in records if r.end <= cut]
        caplog.clear()
        assert open_log(snapshot) == len(complete), cut
        assert quads(read_prefix(snapshot)) == states[len(complete)], cut
        end = complete[-1].end if complete else (len(wal.FILE_HEADER) if cut >= 16 else 0)
        assert log.stat().st_size == end, cut
        if cut != end:
            assert f"cut a torn record off the end of the write-ahead log {log}" in caplog.text
            [copy] = snapshot.parent.glob("store.wal.torn-*")
            assert copy.read_bytes() == data[end:cut]
            copy.unlink()
        else:
            assert "torn" not in caplog.text
    # and the log takes writes after it, numbered on
    log.write_bytes(data[: records[-1].offset + 7])
    Dataset.recovered(snapshot).commit(Delta(b"", quad("after")))
    assert [r.change for r in wal.scan(log).records] == [1, 2, 3, 4, 5]


def test_a_byte_flipped_in_the_last_records_is_a_torn_tail_or_refused_as_damage(
    logged, tmp_path: Path
) -> None:
    snapshot, data, records, states = logged
    log = log_path(snapshot)
    for offset in range(records[-3].offset, len(data)):
        damaged = bytearray(data)
        damaged[offset] ^= 0xFF
        log.write_bytes(damaged)
        index = next(i for i, r in enumerate(records) if r.offset <= offset < r.end)
        if index == len(records) - 1:  # the last record: as a crash mid-append leaves it
            assert open_log(snapshot) == len(records) - 1, offset
            assert quads(read_prefix(snapshot)) == states[-2]
            for copy in snapshot.parent.glob("store.wal.torn-*"):
                copy.unlink()
            continue
        with pytest.raises(LogDamaged) as refused:
            open_log(snapshot)
        error = refused.value
        assert (error.file, error.offset) == (str(log), records[index].offset), offset
        assert f"{log} is damaged at byte {records[index].offset}" in error.message
        assert "srg repair" in error.message
        assert log.read_bytes() == damaged  # untouched, for `srg repair`
        with pytest.raises(LogDamaged):
            read_prefix(snapshot)  # nor does a reader (the query worker) skip it
        # `srg repair`: the records before the damage are kept; those after it depended on
        # the lost change, so they are dropped, listed and written out
        report = repair(snapshot)
        assert report.kept == list(range(1, index + 1)), offset
        assert [change for change, _, _ in report.dropped] == list(range(index + 2, 6))
        assert report.copy is not None and report.copy.read_bytes() == damaged
        assert report.dropped_file is not None
        assert report.dropped_file.read_text().count("TX .") == len(report.dropped)
        assert content(snapshot) == states[index], offset
        for leftover in snapshot.parent.glob("store.wal.*-*"):
            leftover.unlink()


def test_a_byte_flipped_in_the_file_header_is_damage_that_loses_nothing(logged) -> None:
    snapshot, data, _, states = logged
    for offset in range(len(wal.FILE_HEADER)):
        damaged = bytearray(data)
        damaged[offset] ^= 0x01
        log_path(snapshot).write_bytes(damaged)
        with pytest.raises(LogDamaged, match="damaged at byte 0: a damaged file header"):
            open_log(snapshot)
        report = repair(snapshot)
        assert report.kept == [1, 2, 3, 4, 5] and not report.dropped, offset
        assert content(snapshot) == states[5]


def test_repair_keeps_the_records_after_junk_that_lost_no_change(logged) -> None:
    """A region that held no change (the change numbers go on) costs nothing."""
    snapshot, data, records, states = logged
    junk = b"\x93SRG" + b"\x00" * 30  # a record header cut short, then the next record
    log_path(snapshot).write_bytes(data[: records[2].offset] + junk + data[records[2].offset :])
    with pytest.raises(LogDamaged):
        open_log(snapshot)
    report = repair(snapshot)
    assert report.kept == [1, 2, 3, 4, 5] and not report.dropped
    assert content(snapshot) == states[5]


def v1_log(payloads: list[bytes], torn_after: int | None = None) -> bytes:
    """A log in format 1 (before this one), with a torn record after the `torn_after`-th."""
    records = [struct.pack(">II", len(p), zlib.crc32(p)) + p for p in payloads]
    if torn_after is not None:
        torn = records[torn_after]
        records.insert(torn_after, torn[: len(torn) // 2])  # a failed append, as old versions left
    return b"".join(records)


def delta_payload(delta: Delta) -> bytes:
    record = {"removed": delta.removed.decode(), "added": delta.added.decode()}
    record |= {"created": list(delta.created), "dropped": list(delta.dropped)}
    return json.dumps(record).encode()


def test_the_issues_torn_record_in_the_middle_of_an_old_log_loses_no_acknowledged_write(
    tiny: Path,
) -> None:
    """The state the issue found: a failed append left half a record in the middle of the
    log and acknowledged writes came after it. The store is refused (not cut there), and
    `srg repair` keeps every acknowledged write."""
    legacy(tiny)
    payloads = [delta_payload(Delta(b"", quad(f"acked{i}"))) for i in range(5)]
    log_path(tiny).write_bytes(v1_log(payloads, torn_after=2))
    before = log_path(tiny).read_bytes()
    with pytest.raises(LogDamaged, match="damaged at byte"):
        open_log(tiny)
    assert log_path(tiny).read_bytes() == before
    done = srg("repair", store=tiny)
    assert done.returncode == 0, done.stderr
    assert "5 change(s) can be replayed" in done.stdout and "no change lost" in done.stdout
    assert names(content(tiny)) == {"base", *(f"acked{i}" for i in range(5))}
    assert log_path(tiny).read_bytes().startswith(wal.FILE_HEADER)  # now in format 2


def test_an_old_log_is_read_and_rewritten_in_the_new_format(tiny: Path) -> None:
    legacy(tiny)
    payloads = [delta_payload(Delta(b"", quad(f"old{i}"))) for i in range(3)]
    log_path(tiny).write_bytes(v1_log(payloads))
    expected = quads(read_prefix(tiny))  # a reader reads format 1 as it is
    assert names(expected) == {"base", "old0", "old1", "old2"}
    assert content(tiny) == expected
    assert [r.change for r in wal.scan(log_path(tiny)).records] == [1, 2, 3]


# -- a crash at each step of the write path: real servers, ended at named points --------------
POINTS = {  # the point: is the write that the crash cut off there after the restart?
    "commit-before-append": False,
    "log-write": False,  # half the record written: a torn tail, cut at the restart
    "commit-appended": True,  # durable, never acknowledged: in doubt, and present
    "commit-applied": True,
}


def insert(http: httpx.Client, name: str, size: int = 0) -> httpx.Response:
    literal = "x" * size
    text = f'INSERT DATA {{ <{EX}w/{name}> <{EX}p> "{literal}" }}'
    return http.post("/sparql", content=text, headers=UPDATE)


def present(http: httpx.Client) -> set[str]:
    query = f'SELECT ?s WHERE {{ ?s <{EX}p> ?o FILTER(STRSTARTS(STR(?s), "{EX}w/")) }}'
    response = http.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return {
        row["s"]["value"].removeprefix(f"{EX}w/") for row in response.json()["results"]["bindings"]
    }


@pytest.fixture
def store(settings: Settings, seed_report: Report, tmp_path: Path) -> Path:
    return fresh_store(settings, seed_report, tmp_path / "store")


def test_a_crash_at_each_step_of_the_write_path_keeps_every_acknowledged_write(
    store: Path,
) -> None:
    """One store through a crash at each point: each server is started with the next
    point armed (it crashes on its second write) and first checks what the last one left."""
    acknowledged: set[str] = set()
    refused: set[str] = set()
    servers: list[Server] = []
    try:
        for point, kept in [*POINTS.items(), ("", False)]:
            spec = f"crash@{point}#2" if point else ""
            server = Server(store, TOKEN, SRG_FAULTS=spec).start()
            servers.append(server)
            with server.client() as http:
                assert present(http) == acknowledged, point
                if not point:
                    break
                assert insert(http, f"{point}-acked").status_code == 204
                acknowledged.add(f"{point}-acked")
                with pytest.raises(httpx.TransportError):
                    insert(http, f"{point}-cut")
            assert server.process is not None and server.process.wait(10) == faults.CRASH_STATUS
            (acknowledged if kept else refused).add(f"{point}-cut")
        assert "cut a torn record off the end of the write-ahead log" in "".join(servers[2].log)
    finally:
        for server in servers:
            server.stop()


# -- a full disk: a real one (tmpfs of a few MiB), the issue's scenario ----------------------
NEEDS = re.compile(r"needs at least (\d+) bytes")


def test_the_issues_scenario_a_full_disk_and_kill_9_lose_no_acknowledged_write(
    settings: Settings, seed_report: Report, small_disk: Path, tmp_path: Path
) -> None:
    store = fresh_store(settings, seed_report, small_disk / "store")
    acknowledged: list[str] = []
    refused: list[str] = []
    server = Server(store, TOKEN).start()
    try:
        with server.client() as http:
            for i in range(3):
                assert insert(http, f"before-{i}", 1500).status_code == 204
                acknowledged.append(f"before-{i}")
            ballast = fill(small_disk, leave=12_000)
            for i in range(40):  # writes until the disk is full
                response = insert(http, f"filling-{i}", 1500)
                if response.status_code == 507:
                    refused.append(f"filling-{i}")
                    break
                assert response.status_code == 204, response.text
                acknowledged.append(f"filling-{i}")
            assert refused, "the disk never filled up"
            assert "is full" in response.text and "Nothing of it was applied" in response.text
            needed = NEEDS.search(response.text)
            assert needed is not None and int(needed.group(1)) > 1500, response.text
            assert "retry-after" not in response.headers
            # reads and validation go on; writes are refused, not stopped
            for i in range(3):
                assert insert(http, f"full-{i}", 1500).status_code == 507
                refused.append(f"full-{i}")
            assert present(http) == set(acknowledged)
            assert http.get("/health").json()["writes"] == "ok"
            assert http.get("/validate", headers={"accept": "application/json"}).status_code == 200
            # space comes back: five more writes, acknowledged, without a restart
            ballast.unlink()
            for i in range(5):
                assert insert(http, f"after-{i}", 1500).status_code == 204
                acknowledged.append(f"after-{i}")
        server.kill()
        scanned = wal.scan(log_path(store))
        assert not scanned.torn and scanned.damage is None  # no torn record in the middle
        server = Server(store, TOKEN).start()
        with server.client() as http:
            assert present(http) == set(acknowledged)
            assert not set(refused) & present(http)
    finally:
        server.stop()

    # The commands write through the same path: on a full disk each refuses with the
    # space it needs, exit status 3, and changes nothing.
    expected = content(store)
    loadable = tmp_path / "more.nt"
    # (more than the slack of the log's last page: a load is one change of the log)
    loadable.write_text("".join(f'<{EX}loaded-{i}> <{EX}p> "o" .\n' for i in range(2000)))
    ballast = fill(small_disk)
    for args in (["compact"], ["load", str(loadable)]):
        done = srg(*args, store=store)
        assert done.returncode == 3, (args, done.stdout, done.stderr)
        assert "is full" in done.stderr and "needs at least" in done.stderr, done.stderr
        assert "Nothing was changed" in done.stderr or "Nothing of it was applied" in done.stderr
        assert content(store) == expected
    ballast.unlink()
    done = srg("compact", store=store)
    assert done.returncode == 0, done.stderr
    assert snapshot_version(store) == Dataset.recovered(store).change_number
    assert content(store) == expected
    ballast = fill(small_disk)
    done = srg("mappings", "import", str(FIXTURES / "mappings" / "valid.csv"), store=store)
    assert done.returncode == 3 and "is full" in done.stderr, done.stderr
    assert content(store) == expected
    ballast.unlink()
    done = srg("mappings", "import", str(FIXTURES / "mappings" / "valid.csv"), store=store)
    assert done.returncode == 0, done.stderr
    assert len(content(store)) > len(expected)


# -- a failed fsync in the server: writes stop, reads go on, a restart resumes ---------------
def test_a_full_disk_stops_neither_a_start_nor_the_event_stream_for_good(store: Path) -> None:
    """The lock file's note of its owner cannot be written on a full disk: the server starts
    all the same (it was a traceback). The event stream's pages cannot be written: 507 with
    what to do (it was a bare 500), and the stream answers once there is room again."""
    server = Server(store, TOKEN, SRG_FAULTS="ENOSPC@lock-note,ENOSPC@stream-write").start()
    try:
        with server.client() as http:
            assert http.get("/health").status_code == 200
            full = http.get("/ldes/root", headers={"accept": "text/turtle"})
            assert full.status_code == 507, full.text
            assert "event stream's pages could not be written" in full.text
            assert "no restart is needed" in full.text
            again = http.get("/ldes/root", headers={"accept": "text/turtle"})
            assert again.status_code == 200, again.text
    finally:
        server.stop()


def test_a_log_it_may_not_write_refuses_the_write_saying_what_to_do(store: Path) -> None:
    """EACCES on the log (its owner or mode changed under the server): the write is refused
    whole, the message says to let the server's user write it, and once it may (here: the
    fault is gone) the next write succeeds without a restart."""
    server = Server(store, TOKEN, SRG_FAULTS="EACCES@log-open").start()
    try:
        with server.client() as http:
            refused = insert(http, "one")
            assert refused.status_code == 500, refused.text
            assert "Permission denied" in refused.text and "no restart is needed" in refused.text
            assert insert(http, "two").status_code == 204
            assert present(http) == {"two"}
    finally:
        server.stop()


def test_a_failed_fsync_stops_the_servers_writes_until_a_restart(store: Path) -> None:
    server = Server(store, TOKEN, SRG_FAULTS="EIO@log-fsync#3").start()
    try:
        with server.client() as http:
            assert insert(http, "one").status_code == 204
            assert insert(http, "two").status_code == 204
            response = insert(http, "three")
            assert response.status_code == 503, response.text
            assert "writes are stopped" in response.text and "it was not made" in response.text
            assert "retry-after" not in response.headers
            health = http.get("/health")
            assert health.status_code == 200
            assert health.json()["writes"] == "stopped"
            assert "fsync" in health.json()["writes_stopped"]
            for attempt in (
                insert(http, "four"),
                http.put(
                    "/graph-store",
                    params={"graph": f"{EX}gsp"},
                    content=f'<{EX}w/gsp> <{EX}p> "1" .',
                    headers={**AUTH, "content-type": "application/n-triples"},
                ),
            ):
                assert attempt.status_code == 503 and "writes are stopped" in attempt.text
            assert present(http) == {"one", "two"}  # reads go on
        server.stop()
        server = Server(store, TOKEN).start()
        with server.client() as http:
            assert present(http) == {"one", "two"}
            assert http.get("/health").json()["writes"] == "ok"
            assert insert(http, "five").status_code == 204
            assert present(http) == {"one", "two", "five"}
    finally:
        server.stop()


# -- a crash during compaction, a load, a build: the snapshot swap ----------------------------
SWAP_POINTS = ["snapshot-dumped", "swap-staged", "swap-retired", "swap-replaced"]


@pytest.mark.parametrize("point", SWAP_POINTS)
def test_a_crash_at_each_step_of_compaction_loses_nothing_and_replays_nothing_twice(
    tiny: Path, point: str
) -> None:
    states = changes(Dataset.recovered(tiny), 6)
    done = srg("compact", store=tiny, SRG_FAULTS=f"crash@{point}")
    assert done.returncode == faults.CRASH_STATUS, done.stderr
    assert content(tiny) == states[-1]
    assert not tiny.with_name("store.new").exists() and not tiny.with_name("store.old").exists()
    data = Dataset.recovered(tiny)
    assert data.change_number == 6
    data.commit(Delta(b"", quad("next")))
    assert [r.change for r in wal.scan(log_path(tiny)).records][-1] == 7
    assert content(tiny) == states[-1] | {text("next")}


# the load is one change, durable once logged: a crash while it is folded into a new snapshot
# (after the log) keeps it
@pytest.mark.parametrize(("point", "loaded"), [("swap-retired", True), ("swap-replaced", True)])
def test_a_crash_during_a_load_leaves_the_old_store_or_the_new_one_never_a_mix(
    tiny: Path, tmp_path: Path, point: str, loaded: bool
) -> None:
    """The log removed a quad that the loaded file puts back: replaying that removal onto the
    new snapshot (which holds the log already) would lose the loaded quad."""
    data = Dataset.recovered(tiny)
    data.commit(Delta(quad("base"), b""))
    before = quads(data.store)  # type: ignore[arg-type]
    data.close()  # one writer a store: the command owns it now
    path = tmp_path / "again.nq"
    path.write_bytes(quad("base"))
    done = srg("load", str(path), store=tiny, SRG_FAULTS=f"crash@{point}")
    assert done.returncode == faults.CRASH_STATUS, done.stderr
    assert content(tiny) == (before | {text("base")} if loaded else before)


@pytest.mark.parametrize("point", ["commit-before-append", "log-write"])
def test_a_first_build_that_failed_is_built_again_not_served_empty(
    tmp_path: Path, point: str
) -> None:
    """A first build writes an empty snapshot, then its change: ended between the two, it
    left a store that `srg query` and `srg serve` took as built, answering from no data."""
    new = tmp_path / "store"
    crashed = srg("build", store=new, SRG_FAULTS=f"crash@{point}")
    assert crashed.returncode == faults.CRASH_STATUS, crashed.stderr
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    done = srg("query", str(query), "--format", "csv", store=new)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 1000  # built from the sources this time


def test_a_build_whose_record_of_the_sources_does_not_fit_says_what_it_made(
    tmp_path: Path,
) -> None:
    """The build's change is in the log when the record of what it read is written: a full
    disk there was a traceback (exit 1) leaving a `.new` file; now exit 3 saying so."""
    new = tmp_path / "store"
    done = srg("build", store=new, SRG_FAULTS="ENOSPC@base-write")
    assert done.returncode == 3, done.stderr
    assert "is full" in done.stderr and "Change 1 is made" in done.stderr
    assert not list(tmp_path.glob("*.new"))
    assert srg("build", store=new).returncode == 0


@pytest.mark.parametrize("point", ["snapshot-dumped", "swap-retired", "swap-replaced"])
def test_a_crash_during_a_rebuild_keeps_the_writes_and_replays_nothing_twice(
    store: Path, settings: Settings, point: str
) -> None:
    """A rebuild brings the sources' changes onto the store (issue 15): the writes accepted
    since stay, whether the build finishes or a crash stops it while it folds the store into
    a new snapshot."""
    Dataset.recovered(store).commit(Delta(b"", quad("kept")))
    before = content(store)
    done = srg("build", store=store, SRG_FAULTS=f"crash@{point}")
    assert done.returncode == faults.CRASH_STATUS, done.stderr
    assert content(store) == before
    assert "kept" in names(content(store))
    assert srg("build", store=store).returncode == 0
    assert content(store) == before


# -- damage refused at start, with the documented message ------------------------------------
def test_the_server_refuses_a_damaged_log_naming_the_file_and_offset(logged) -> None:
    snapshot, data, records, _ = logged
    damaged = bytearray(data)
    damaged[records[1].offset + 20] ^= 0x01
    log_path(snapshot).write_bytes(damaged)
    done = srg("serve", "--port", "0", store=snapshot)
    assert done.returncode == 3
    assert f"the write-ahead log {log_path(snapshot)} is damaged at byte {records[1].offset}" in (
        done.stderr
    )
    assert "srg repair" in done.stderr
    assert log_path(snapshot).read_bytes() == damaged
    dry = srg("repair", "--dry-run", store=snapshot)
    assert dry.returncode == 1 and "Dry run: nothing was changed" in dry.stdout
    assert log_path(snapshot).read_bytes() == damaged
    fixed = srg("repair", store=snapshot)
    assert fixed.returncode == 1  # changes were dropped: the operator has to look
    assert "1 change(s) can be replayed (change 1)." in fixed.stdout
    assert "change 3 at byte" in fixed.stdout and "RDF Patch" in fixed.stdout
    assert srg("repair", store=snapshot).stdout.endswith("nothing to do.\n")


def test_the_snapshot_index_records_checksums_and_its_last_change(
    settings: Settings, seed_report: Report
) -> None:
    index = json.loads((settings.store / INDEX).read_text())
    for name in (GROUND, BLANK):
        digest = hashlib.sha256((settings.store / name).read_bytes()).hexdigest()
        assert index["files"][name]["sha256"] == digest
    assert isinstance(index["version"], int) and index["checksum"]


@pytest.mark.parametrize("name", [GROUND, BLANK, INDEX])
def test_a_damaged_snapshot_is_refused_naming_the_file(tiny: Path, name: str) -> None:
    path = tiny / name
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    path.write_bytes(damaged)
    with pytest.raises(SnapshotDamaged) as refused:
        recovered(tiny)
    assert refused.value.file == str(path)
    assert f"the snapshot file {path} is damaged" in refused.value.message
    done = srg("compact", store=tiny)
    assert done.returncode == 3 and str(path) in done.stderr


def test_the_server_refuses_a_damaged_snapshot_naming_the_file(tiny: Path) -> None:
    path = tiny / GROUND
    path.write_bytes(path.read_bytes().replace(b"base", b"bass"))
    done = srg("serve", "--port", "0", store=tiny)
    assert done.returncode != 0
    assert f"the snapshot file {path} is damaged" in done.stderr


def test_build_after_a_damaged_snapshot_puts_a_whole_one_in_place(
    settings: Settings, store: Path
) -> None:
    (store / GROUND).write_bytes(b"")
    build(Settings(root=settings.root, store=store))
    assert content(store)


def test_a_point_named_twice_fails_at_each_time_named(armed) -> None:
    """`EIO@log-read#1,corrupt@log-read#3`: a point named twice kept only its last rule."""
    armed("EIO@log-read#1,corrupt@log-read#3")
    assert [faults.armed("log-read") for _ in range(4)] == ["EIO", None, "corrupt", None]
    with pytest.raises(RuntimeError, match=r"^Corruption"):
        faults.fire("corrupt")
