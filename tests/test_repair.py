"""`srg repair` keeps the history: every valid record stays in the log, those of the changes
the snapshot holds too (the log is the history), and only what is damaged is dropped.

The audit's bug: repair rewrote only the records numbered above the snapshot's version, so
after a build (change 1, which the snapshot holds) and writes through the server, damage
anywhere took change 1 out of the history (`/changes/1` 404, the event stream without it)
while repair said "no change lost" and exited 0. Real stores built by `srg build`, written
through a real server, damaged on disk, repaired by the real `srg repair`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import TOKEN, fresh_store
from server import REMOTE, Server, run_srg

from srg_graph.config import Settings
from srg_graph.dataset import wal
from srg_graph.dataset.embedded import log_path, open_log, read_prefix, snapshot_version
from srg_graph.errors import LogDamaged
from srg_graph.store.history_graph import HISTORY
from srg_graph.validation.report import Report

pytestmark = pytest.mark.skipif(REMOTE, reason="the embedded store's write-ahead log")

UPDATE = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
WRITES = [2, 3, 4, 5]  # the changes written through the server after the build (change 1)
JUNK = b"junk bytes!!"  # 12 bytes that are no record


def subject(change: int) -> str:
    return f"urn:x:repair-{change}"


@pytest.fixture(scope="module")
def written(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A built store (change 1, held by its snapshot) with four writes made through a real
    server (changes 2-5, in the log only), and the event stream's pages made from that log."""
    store = fresh_store(settings, seed_report, tmp_path_factory.mktemp("written") / "store")
    server = Server(store, TOKEN).start()
    try:
        with server.client() as http:
            for change in WRITES:
                text = f"INSERT DATA {{ <{subject(change)}> <urn:x:p> {change} }}"
                assert http.post("/sparql", content=text, headers=UPDATE).status_code == 204
            assert http.get("/ldes/root").status_code == 200
    finally:
        server.stop()
    return store


def copy_of(store: Path, target: Path) -> Path:
    """The store directory and everything beside it (its log, its event stream's pages)."""
    shutil.copytree(store, target)
    for kept in store.parent.glob(f"{store.name}.*"):
        beside = target.with_name(target.name + kept.name[len(store.name) :])
        if kept.is_dir():
            shutil.copytree(kept, beside)
        else:
            shutil.copy(kept, beside)
    return target


def data(store: Path) -> frozenset[str]:
    """What a server started now would serve (the history graph aside)."""
    open_log(store)
    return frozenset(
        str(q)
        for q in read_prefix(store).quads()
        if getattr(q.graph_name, "value", None) != HISTORY
    )


def without(found: frozenset[str], *changes: int) -> frozenset[str]:
    return frozenset(q for q in found if not any(subject(c) + ">" in q for c in changes))


def listed(store: Path) -> list[int]:
    """The changes `srg history` lists."""
    done = run_srg("history", "--format", "json", store=store)
    assert done.returncode == 0, done.stderr
    return [change["number"] for change in json.loads(done.stdout)]


def record_of(store: Path, change: int) -> wal.Record:
    return next(r for r in wal.scan(log_path(store)).records if r.change == change)


def junk_before(store: Path, change: int) -> None:
    """Twelve junk bytes inserted where the record of `change` starts: nothing lost."""
    data, at = log_path(store).read_bytes(), record_of(store, change).offset
    log_path(store).write_bytes(data[:at] + JUNK + data[at:])


def flipped(store: Path, change: int) -> None:
    """A byte of the record of `change` flipped: that record is lost."""
    data, at = bytearray(log_path(store).read_bytes()), record_of(store, change).offset + 40
    data[at] ^= 0xFF
    log_path(store).write_bytes(bytes(data))


@pytest.fixture
def store(written: Path, tmp_path: Path) -> tuple[Path, frozenset[str]]:
    """A copy of `written`, and the data it serves."""
    copy = copy_of(written, tmp_path / "store")
    assert snapshot_version(copy) == 1 and listed(copy) == [1, *WRITES]
    return copy, data(copy)


def test_repair_keeps_the_changes_the_snapshot_holds_in_the_history(store, tmp_path) -> None:
    """The audit's case: junk at the start of change 2's record lost nothing, and repair says
    so; the history still lists change 1 (the build), which the snapshot holds."""
    copy, before = store
    old_token = json.loads((tmp_path / "store.ldes" / "state.json").read_text())["token"]
    junk_before(copy, 2)
    refused = run_srg("history", store=copy)
    assert refused.returncode == 3 and "srg repair" in refused.stderr
    done = run_srg("repair", store=copy)
    assert done.returncode == 0, done.stdout + done.stderr  # nothing was lost: true
    assert [r.change for r in wal.scan(log_path(copy)).records] == [1, *WRITES]
    assert listed(copy) == [1, *WRITES]
    assert data(copy) == before  # change 1 is not applied twice, 2-5 are replayed
    assert "no change lost: change 2 follows on" in done.stdout
    assert "4 change(s) can be replayed (changes 2-5)" in done.stdout
    assert "the log keeps their records too (change 1): they are the history" in done.stdout
    assert "The log now holds 5 change(s) (changes 1-5); the store opens." in done.stdout
    assert "dropped" not in done.stdout and "loses" not in done.stdout
    assert run_srg("repair", store=copy).stdout.endswith("nothing to do.\n")
    server = Server(copy, TOKEN).start()
    try:
        with server.client() as http:
            assert http.get("/health").json()["version_number"] == 5
            assert http.get("/changes/1").status_code == 200
            changes = http.get("/changes").json()["changes"]
            assert [c["number"] for c in changes] == [5, 4, 3, 2, 1]
            # the log was rewritten: the event stream starts a new generation of pages,
            # made from the whole history again (the build's members first)
            root = http.get("/ldes/root", headers={"accept": "application/n-triples"}).text
            assert f"/ldes/{old_token}/" not in root
            assert http.get(f"/ldes/{old_token}/1").status_code == 410
            token = json.loads((tmp_path / "store.ldes" / "state.json").read_text())["token"]
            first = http.get(f"/ldes/{token}/1", headers={"accept": "application/n-triples"})
            assert first.status_code == 200 and "/id/change/1/member/" in first.text
    finally:
        server.stop()


@pytest.mark.parametrize("damage", ["junk before it", "a byte flipped"])
def test_repair_of_the_newest_record_keeps_change_1(store, damage: str) -> None:
    """Junk before the newest record lost nothing; a bad newest record is a torn tail (as a
    crash mid-append leaves it, never acknowledged: the snapshot does not hold it). Either
    way change 1 and the undamaged writes stay in the history, and the exit status is 0."""
    copy, before = store
    (junk_before if damage == "junk before it" else flipped)(copy, 5)
    done = run_srg("repair", store=copy)
    assert done.returncode == 0, done.stdout + done.stderr
    if damage == "junk before it":
        assert "no change lost: change 5 follows on" in done.stdout
        kept, expected = [1, *WRITES], before
    else:
        assert "a torn tail: an append cut short, never acknowledged" in done.stdout
        kept, expected = [1, 2, 3, 4], without(before, 5)
    assert listed(copy) == kept
    assert data(copy) == expected
    assert f"The log now holds {len(kept)} change(s) (changes 1-{kept[-1]})" in done.stdout


def test_repair_after_a_lost_change_keeps_the_records_before_it(store) -> None:
    """Change 3's record lost: 4 and 5 may depend on it and are dropped (exit 1, written out);
    1 and 2, before the damage, stay."""
    copy, before = store
    flipped(copy, 3)
    done = run_srg("repair", store=copy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "change 3 lost in it" in done.stdout
    assert "change 4 at byte" in done.stdout and "change 5 at byte" in done.stdout
    assert listed(copy) == [1, 2]
    assert "The log now holds 2 change(s) (changes 1-2)" in done.stdout
    assert data(copy) == without(before, 3, 4, 5)


def test_a_lost_change_the_snapshot_holds_costs_its_history_not_the_data(store) -> None:
    """After `srg compact` the snapshot holds every change and the log keeps them all as the
    history. Change 3's record lost: no data is lost and nothing is dropped from it, but the
    log has no gap, so the history goes on from change 4, and repair says so (exit 1)."""
    copy, before = store
    assert run_srg("compact", store=copy).returncode == 0
    assert snapshot_version(copy) == 5 and listed(copy) == [1, *WRITES]
    flipped(copy, 3)
    done = run_srg("repair", store=copy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert listed(copy) == [4, 5]
    assert data(copy) == before
    assert "change 3 lost in it, which the snapshot holds" in done.stdout
    assert "The history loses changes 1-3: the snapshot holds their data" in done.stdout
    assert "valid record(s) after a region" not in done.stdout  # no data dropped
    assert "The log now holds 2 change(s) (changes 4-5)" in done.stdout
    extra = copy.parent / "extra.nt"
    extra.write_text('<urn:x:repair-after> <urn:x:p> "6" .\n')
    assert run_srg("load", str(extra), store=copy).returncode == 0  # the log goes on: change 6
    assert listed(copy) == [4, 5, 6]


def test_a_bad_newest_record_the_snapshot_holds_is_damage_not_a_torn_tail(store) -> None:
    """The snapshot holds change 5: its bad record was acknowledged, and cutting it as a torn
    tail left a log that the next change (6, after a gap) made unopenable. It is refused, and
    `srg repair` keeps the data (the history, which can have no gap, starts anew)."""
    copy, before = store
    assert run_srg("compact", store=copy).returncode == 0
    flipped(copy, 5)
    damaged = log_path(copy).read_bytes()
    with pytest.raises(LogDamaged, match="ends at change 4, then a bad record at byte"):
        open_log(copy)
    assert log_path(copy).read_bytes() == damaged
    done = run_srg("repair", store=copy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "change 5 lost in it, which the snapshot holds" in done.stdout
    assert "The history loses changes 1-5" in done.stdout
    assert data(copy) == before
    extra = copy.parent / "extra.nt"
    extra.write_text('<urn:x:repair-after> <urn:x:p> "6" .\n')
    assert run_srg("load", str(extra), store=copy).returncode == 0
    assert listed(copy) == [6]
    assert "repair-after" in "".join(data(copy))
