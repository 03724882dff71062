"""The event stream after its pages' writing was cut short, and after its pages were damaged.

A full disk that interrupts the writing of the pages (injected where the pages and the state
beside them are written, `SRG_FAULTS`, and a real one: a size-limited tmpfs) is taken back
once there is room: the stream goes on in the same generation of pages, each page byte for
byte what a writer that was never interrupted makes from the same log, and a consumer that
read pages before goes on following their links, taking every member exactly once (a
consumer of this file's own, and rdf-connect's `ldes-client` with its state saved). Pages
damaged on disk are never served: they are made anew under a new token (410 for the old).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import test_ldes
from conftest import TOKEN, fill, fresh_store
from server import REMOTE, Server, run_srg
from test_ldes import DCTERMS, run_client

from srg_graph.config import Settings
from srg_graph.validation.report import Report

pytestmark = pytest.mark.skipif(REMOTE, reason="the embedded store's stream on disk")
ldes_client = test_ldes.ldes_client  # the pinned client, installed once (a session fixture)

EX = "http://example.org/resume/"
GRAPH = "https://w3id.org/srg/graph/ldes-resume"
UPDATE = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
NT = {"accept": "application/n-triples"}
TURTLE = {"accept": "text/turtle"}
NODE = re.compile(r"<https://w3id.org/tree#node> <([^>]+)>")
MEMBER = re.compile(r"^<[^>]+> <https://w3id.org/tree#member> <([^>]+)> \.$", re.M)
IMMUTABLE = '<https://w3id.org/ldes#immutable> "true"'


# -- a consumer ----------------------------------------------------------------------------------
class Follower:
    """A consumer as LDES clients are: from the root, every page in order, each member taken
    once; a page that is not immutable yet is read again for the members added since. It
    never starts again from the root's first page: the token of its pages must stay."""

    def __init__(self) -> None:
        self.token = ""
        self.members: list[str] = []
        self.taken: dict[int, list[str]] = {}  # by page: its members, as last read
        self.frozen: dict[int, str] = {}  # immutable pages, as read (without the address)

    def follow(self, http: httpx.Client) -> None:
        root = http.get("/ldes/root", headers=NT)
        assert root.status_code == 200, root.text
        for node in sorted(set(NODE.findall(root.text)), key=_number):
            self._read(http, node)

    def _read(self, http: httpx.Client, node: str) -> None:
        token, number = node.rsplit("/", 2)[1], _number(node)
        self.token = self.token or token
        assert token == self.token, "the consumer would have to start again from the root"
        page = http.get(node, headers=NT)
        assert page.status_code == 200, page.text
        text = page.text.replace(str(http.base_url).rstrip("/"), "")
        if number in self.frozen:
            assert text == self.frozen[number], f"immutable page {number} changed"
        listed = MEMBER.findall(page.text)
        before = self.taken.get(number, [])
        assert listed[: len(before)] == before, f"page {number} lost or moved members"
        self.members += listed[len(before) :]
        self.taken[number] = listed
        if IMMUTABLE in page.text:
            self.frozen[number] = text


def _number(node: str) -> int:
    return int(node.rsplit("/", 1)[1])


# -- the stream on disk, and the one a writer never interrupted makes ---------------------------
def stream_directory(store: Path) -> Path:
    return store.with_name(store.name + ".ldes")


def page_files(store: Path) -> tuple[str, list[bytes]]:
    """The token of the stream's pages and their files' bytes, in order."""
    directory = stream_directory(store)
    state = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    assert not state["dirty"], state
    files = [directory / state["token"] / f"{page['number']}.nt" for page in state["pages"]]
    assert sorted(p.name for p in (directory / state["token"]).iterdir()) == sorted(
        f.name for f in files
    )
    return state["token"], [file.read_bytes() for file in files]


def uninterrupted(store: Path, elsewhere: Path) -> tuple[list[bytes], list[str]]:
    """The pages and members a writer never interrupted makes from the store's log: those of
    a server on a copy of the store (without its stream), stopped."""
    copy = elsewhere / "store"
    shutil.copytree(store, copy)
    for kept in store.parent.glob(f"{store.name}.*"):
        if kept.is_file():
            shutil.copy(kept, copy.with_name(copy.name + kept.name[len(store.name) :]))
    server = Server(copy, TOKEN).start()
    try:
        with server.client() as http:
            follower = Follower()
            follower.follow(http)
    finally:
        server.stop()
    return page_files(copy)[1], follower.members


def assert_as_if_never_interrupted(
    store: Path, follower: Follower, token: str, elsewhere: Path
) -> None:
    found_token, found = page_files(store)
    expected, members = uninterrupted(store, elsewhere)
    assert found_token == token
    assert len(found) == len(expected)
    differ = [n for n, (a, b) in enumerate(zip(found, expected, strict=True), 1) if a != b]
    assert not differ, f"pages {differ} differ from those of a writer never interrupted"
    assert len(set(follower.members)) == len(follower.members), "a member taken twice"
    assert follower.members == members


# -- writes that fill the open page and begin new ones ------------------------------------------
def update(http: httpx.Client, text: str) -> None:
    response = http.post("/sparql", content=text, headers=UPDATE)
    assert response.status_code == 204, response.text


def write_changes(http: httpx.Client) -> None:
    """Three changes: 300 resources with blank nodes (more than a page), then a change to
    some of them and the deletion of one (statements the first added, removed), then one
    more: the advance that takes them fills the open page and begins new ones."""
    things = "".join(
        f'<{EX}r{i}> <{EX}label> "r{i}" ; <{EX}part> [ <{EX}name> "n{i}" ] .\n' for i in range(300)
    )
    update(http, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {things} }} }}")
    update(
        http,
        f"""DELETE {{ GRAPH <{GRAPH}> {{ ?r <{EX}label> ?l }} }}
        INSERT {{ GRAPH <{GRAPH}> {{ ?r <{EX}label> "changed" }} }}
        WHERE {{ GRAPH <{GRAPH}> {{ ?r <{EX}label> ?l FILTER(?l IN ("r1", "r2", "r299")) }} }};
        DELETE WHERE {{ GRAPH <{GRAPH}> {{ <{EX}r3> ?p ?o . ?o ?q ?v }} }}""",
    )
    update(http, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}last> <{EX}label> "last" }} }}')


@contextmanager
def serving(store: Path, **env: str) -> Iterator[httpx.Client]:
    """A client of a server started on `store` (`env`: its environment), stopped afterwards."""
    server = Server(store, TOKEN, **env).start()
    try:
        with server.client() as http:
            yield http
    finally:
        server.stop()


def is_full(response: httpx.Response) -> None:
    assert response.status_code == 507, response.text
    assert "event stream's pages could not be written" in response.text


@pytest.fixture
def store(settings: Settings, seed_report: Report, tmp_path: Path) -> Path:
    return fresh_store(settings, seed_report, tmp_path / "store")


# -- a full disk, injected -----------------------------------------------------------------------
def test_a_full_disk_when_an_advance_is_recorded_keeps_the_generation(
    store: Path, tmp_path: Path
) -> None:
    """The state of an advance cannot be recorded (its pages and replica are written): the
    server went on from what it held in memory, but the state on disk said "cut short", so
    the next start made a new generation of pages; now the advance is taken back and done
    again, and the pages stay across a restart."""
    # stream-write: #1 the new stream, #2-#3 the first advance, #4-#5 the next one
    with serving(store, SRG_FAULTS="ENOSPC@stream-write#5") as http:
        follower = Follower()
        follower.follow(http)
        token = follower.token
        write_changes(http)
        is_full(http.get("/ldes/root", headers=NT))
        follower.follow(http)
    with serving(store) as http:
        follower.follow(http)
    assert_as_if_never_interrupted(store, follower, token, tmp_path / "again")


@pytest.mark.parametrize(
    "fault",
    [
        "ENOSPC@stream-page#1",  # half the members added to the open page
        "ENOSPC@stream-page#2",  # the open page filled, half of a new one written
        "crash@stream-page#2",  # the same, and the server ends (what kill -9 leaves)
        "crash@stream-write#2",  # the pages and the replica written, not the state
    ],
)
def test_an_advance_cut_short_is_taken_back(store: Path, tmp_path: Path, fault: str) -> None:
    """The changes are written and the server restarted with the fault armed: the advance
    that takes them is cut short. After a full disk the same server goes on, after a crash
    the next one; the consumer goes on across the restarts."""
    with serving(store) as http:
        follower = Follower()
        follower.follow(http)
        write_changes(http)
    with serving(store, SRG_FAULTS=fault) as http:
        if fault.startswith("crash"):
            with pytest.raises(httpx.TransportError):
                http.get("/ldes/root", headers=NT)
        else:
            is_full(http.get("/ldes/root", headers=NT))
            follower.follow(http)
    with serving(store) as http:
        follower.follow(http)
    assert_as_if_never_interrupted(store, follower, follower.token, tmp_path / "again")


@pytest.mark.parametrize("fault", ["ENOSPC@stream-page#1", "crash@stream-page#1"])
def test_an_advance_cut_short_from_an_empty_stream_keeps_its_token(
    store: Path, tmp_path: Path, fault: str
) -> None:
    """A store with no log yet (its data in its snapshot, as one not made by `srg build`):
    its stream is empty and recorded no log, so its first advance cut short was taken for one
    of a rewritten log and the stream made anew under a new token (its replica copied again
    from the whole store); it is taken back like any other."""
    store.with_name(store.name + ".wal").unlink()
    with serving(store) as http:
        empty = Follower()
        empty.follow(http)
    assert not empty.members
    token = json.loads((stream_directory(store) / "state.json").read_text("utf-8"))["token"]
    with serving(store, SRG_FAULTS=fault) as http:
        update(http, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}r1> <{EX}label> "r1" }} }}')
        if fault.startswith("crash"):
            with pytest.raises(httpx.TransportError):
                http.get("/ldes/root", headers=NT)
        else:
            is_full(http.get("/ldes/root", headers=NT))
    with serving(store) as http:
        follower = Follower()
        follower.follow(http)
    assert follower.members
    assert_as_if_never_interrupted(store, follower, token, tmp_path / "again")


def test_a_replica_gone_is_made_again_at_the_streams_version(store: Path, tmp_path: Path) -> None:
    """The stream's replica (the data at its last change, from which members are made)
    removed or lost: an empty one was made, and members lacked the statements made before;
    it is made again from the log."""
    with serving(store) as http:
        follower = Follower()
        follower.follow(http)
        update(http, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}r1> <{EX}label> "r1" }} }}')
        follower.follow(http)
    shutil.rmtree(stream_directory(store) / "replica")
    with serving(store) as http:
        update(http, f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}r1> <{EX}note> "n" }} }}')
        follower.follow(http)
        health = http.get("/health").json()["event_stream"]
    assert health == {"replica_rebuilt": 1, "replica_rebuilt_why": "gone"}
    assert_as_if_never_interrupted(store, follower, follower.token, tmp_path / "again")


# -- a full disk, real ---------------------------------------------------------------------------
def test_a_real_full_disk_in_an_advance_keeps_the_generation(
    settings: Settings, seed_report: Report, small_disk: Path, tmp_path: Path
) -> None:
    """The disk fills while the pages of three changes are made, with more and more room
    left each time until the advance fits (it is cut short where its replica writes, or in
    taking back the advance before): 507 each time, and the stream then goes on, same
    token, as if never interrupted. (The replica's engine reports a full disk without an
    errno: it was a 500, and a new generation of pages.)"""
    store = fresh_store(settings, seed_report, small_disk / "store")
    server = Server(store, TOKEN).start()
    try:
        with server.client() as http:
            follower = Follower()
            follower.follow(http)
            write_changes(http)
            for leave in range(8_000, 4_000_000, 32_000):  # until the advance fits
                ballast = fill(small_disk, leave=leave)
                response = http.get("/ldes/root", headers=NT)
                ballast.unlink()
                if response.status_code == 200:
                    break
                is_full(response)
            assert leave > 8_000, "the disk never filled up"
            follower.follow(http)
    finally:
        server.stop()
    assert_as_if_never_interrupted(store, follower, follower.token, tmp_path)


# -- damaged pages -------------------------------------------------------------------------------
def damage(page: Path, how: str) -> None:
    data = page.read_bytes()
    if how == "cut":
        page.write_bytes(data[: len(data) // 2])
    else:  # one letter changed: still a page that parses, with a wrong statement
        at = data.index(b'"') + 1
        page.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])


@pytest.fixture
def followed(store: Path) -> Iterator[tuple[Server, Follower]]:
    server = Server(store, TOKEN).start()
    try:
        with server.client() as http:
            follower = Follower()
            follower.follow(http)
        yield server, follower
    finally:
        server.stop()


@pytest.mark.parametrize("how", ["cut", "changed"])
def test_a_damaged_immutable_page_is_not_served_but_made_anew(
    followed: tuple[Server, Follower], store: Path, how: str
) -> None:
    server, before = followed
    token, pages = page_files(store)
    damage(stream_directory(store) / token / "1.nt", how)
    with server.client() as http:
        old = f"/ldes/{token}/1"
        # (in Turtle: the N-Triples the consumer read are kept in memory, good as they are)
        assert http.get(old, headers=TURTLE).status_code == 410
        assert http.get(old, headers=NT).status_code == 410  # what was kept is dropped
        again = Follower()
        again.follow(http)
    assert again.token != token
    assert again.members == before.members
    assert page_files(store)[1] == pages  # the same pages, under a new token


@pytest.mark.parametrize("how", ["cut", "changed"])
def test_a_damaged_open_page_is_not_written_on_but_made_anew(
    followed: tuple[Server, Follower], store: Path, tmp_path: Path, how: str
) -> None:
    """The newest page is damaged, then changes come: appending to it would have recorded the
    damage as good; the pages are made anew instead."""
    server, before = followed
    token, pages = page_files(store)
    damage(stream_directory(store) / token / f"{len(pages)}.nt", how)
    with server.client() as http:
        write_changes(http)
        again = Follower()
        again.follow(http)
        assert http.get(f"/ldes/{token}/{len(pages)}", headers=NT).status_code == 410
    assert again.token != token
    assert again.members[: len(before.members)] == before.members
    server.stop()
    assert_as_if_never_interrupted(store, again, again.token, tmp_path / "again")


def test_a_page_damaged_before_a_start_is_not_served(
    followed: tuple[Server, Follower], store: Path
) -> None:
    server, before = followed
    server.stop()
    token, _ = page_files(store)
    damage(stream_directory(store) / token / "1.nt", "changed")
    restarted = Server(store, TOKEN).start()
    try:
        with restarted.client() as http:
            assert http.get(f"/ldes/{token}/1", headers=NT).status_code == 410
            again = Follower()
            again.follow(http)
    finally:
        restarted.stop()
    assert again.token != token and again.members == before.members


# -- the LDES client ---------------------------------------------------------------------------
def emitted(client: Path, url: str, saved: Path) -> list[str]:
    """The members `ldes-client` emits, by IRI, with its state kept in `saved` (`--save`):
    run again, it goes on from where it was."""
    done = run_client(client, "--save", str(saved), url)
    found = []
    for chunk in done.stdout.split("\n\n"):
        for line in chunk.splitlines():
            match = re.match(rf"<([^>]+)> <{DCTERMS}isVersionOf> ", line)
            if match:
                found.append(match.group(1))
    return found


def tokens_fetched(server: Server) -> set[str]:
    """The tokens of the pages the server was asked for (its access log)."""
    paths = [json.loads(line)["path"] for line in server.log if line.startswith('{"method"')]
    return {path.split("/")[2] for path in paths if path.count("/") == 3}


def test_the_ldes_client_goes_on_after_a_full_disk(
    store: Path, tmp_path: Path, ldes_client: Path
) -> None:
    """rdf-connect's `ldes-client`, its state saved (`--save`), replicates the stream, then
    again after an advance cut short by a full disk and a restart: it emits only the members
    it had not, from pages of the same token. (This client reads every page again when it
    resumes and knows members by IRI, which stay: a new generation would cost it a reread.)"""
    server = Server(store, TOKEN, SRG_FAULTS="ENOSPC@stream-write#5").start()
    saved = tmp_path / "client"
    try:
        with server.client() as http:
            first = emitted(ldes_client, server.url + "/ldes", saved)
            write_changes(http)
            is_full(http.get("/ldes/root", headers=NT))
    finally:
        server.stop()
    resumed = Server(store, TOKEN).start()
    try:
        second = emitted(ldes_client, resumed.url + "/ldes", saved)
    finally:
        resumed.stop()
    _, members = uninterrupted(store, tmp_path / "again")
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(members)
    assert len(tokens_fetched(server)) == 1
    assert tokens_fetched(resumed) == tokens_fetched(server)


def test_an_advance_cut_short_then_a_purge_makes_the_pages_anew(
    store: Path, tmp_path: Path
) -> None:
    """An advance cut short is taken back only on the log it was made from: `srg purge`
    rewrites the log, and the pages are made anew (the old ones 410), without the secret."""
    secret = f'<{EX}secret> <{EX}label> "a secret"'
    server = Server(store, TOKEN).start()
    try:
        with server.client() as http:
            before = Follower()
            before.follow(http)
            update(http, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {secret} }} }}")
            update(http, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {secret} }} }}")
    finally:
        server.stop()
    server = Server(store, TOKEN, SRG_FAULTS="crash@stream-write#2").start()
    try:
        with server.client() as http, pytest.raises(httpx.TransportError):
            http.get("/ldes/root", headers=NT)
    finally:
        server.stop()
    statements = tmp_path / "secret.nq"
    statements.write_text(f"{secret} <{GRAPH}> .\n", encoding="utf-8")
    done = run_srg("purge", "--statements", str(statements), "--note", "test", store=store)
    assert done.returncode == 0, done.stderr
    server = Server(store, TOKEN).start()
    try:
        with server.client() as http:
            after = Follower()
            after.follow(http)
            assert http.get(f"/ldes/{before.token}/1", headers=NT).status_code == 410
            pages = [http.get(f"/ldes/{after.token}/{n}", headers=NT) for n in after.taken]
    finally:
        server.stop()
    assert after.token != before.token
    assert all("a secret" not in page.text for page in pages)
