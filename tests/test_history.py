"""The model's memory (issue 15): every accepted change kept with who, when and why, as data;
revert and purge; rebuilds that keep the writes; one writer a store.

Real servers and real `srg` processes on private copies of the built store.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, TOKEN, fresh_store, running_server
from server import REMOTE, Server, run_srg

from srg_graph.config import Settings
from srg_graph.dataset import history
from srg_graph.dataset.embedded import log_path
from srg_graph.validation.report import Report

NAMED = "secretariaat:s3cret"
AUTH = {"authorization": "Bearer s3cret"}
BARE = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {"content-type": "application/sparql-update"}
HISTORY = "https://w3id.org/srg/graph/history"
SRG = "https://w3id.org/srg/ns#"
ID = "https://w3id.org/srg/id/"
MATCHMAKING = f"{ID}werkbank/matchmaking"
LEAD = (
    "INSERT DATA { GRAPH <https://w3id.org/srg/graph/werkbanken> { "
    f"<{MATCHMAKING}> <{SRG}lead> <{ID}organisation/vlaio> }} }}"
)
WHO_APPOINTED = f"""
PREFIX srg: <{SRG}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?change ?version ?time ?agent ?note WHERE {{ GRAPH <{HISTORY}> {{
  ?change srg:added ?statement ; srg:version ?version ; prov:endedAtTime ?time ;
          prov:wasAssociatedWith/rdfs:label ?agent .
  OPTIONAL {{ ?change rdfs:comment ?note }}
  ?statement rdf:subject <{MATCHMAKING}> ; rdf:predicate srg:lead ; rdf:object ?lead }} }}
"""


def rows(http: httpx.Client, query: str) -> list[dict[str, str]]:
    answer = http.get("/sparql", params={"query": query}, headers={"accept": "application/json"})
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in r.items()} for r in answer.json()["results"]["bindings"]]


def version(http: httpx.Client) -> int:
    return http.get("/health").json()["version_number"]


@pytest.fixture
def named(settings: Settings, seed_report: Report, tmp_path: Path) -> Iterator[Server]:
    """A server whose tokens are a named one and a bare one."""
    with running_server(settings, seed_report, tmp_path, f"{NAMED},{TOKEN}") as server:
        yield server


def test_every_write_is_a_change_with_who_when_and_why(named: Server) -> None:
    with named.client() as http:
        start = version(http)
        note = "benoemd door het SRO — 1 december"  # UTF-8, as the header carries it
        headers = {**AUTH, **UPDATE, "SRG-Change-Note": note.encode()}
        assert http.post("/sparql", content=LEAD, headers=headers).status_code == 204
        assert version(http) == start + 1
        (found,) = rows(http, WHO_APPOINTED)
        assert int(found["version"]) == start + 1
        assert found["agent"] == "secretariaat" and found["note"] == note
        assert found["time"].endswith("Z")
        # a form update with its note field; a bare token is `anonymous`
        form = {
            "update": "INSERT DATA { <urn:x:a> <urn:x:p> 1 }",
            "change-note": "via een formulier",
        }
        assert http.post("/sparql", data=form, headers=BARE).status_code == 204
        # a Graph Store write and a mapping import are changes too
        body = '<urn:x:b> <urn:x:p> "2" .'
        gsp = {**BARE, "content-type": "application/n-triples"}
        put = http.put("/graph-store", params={"graph": "urn:x:g"}, content=body, headers=gsp)
        assert put.status_code == 201
        assert version(http) == start + 3
        # an update of no operation changes nothing, and is no change
        assert (
            http.post("/sparql", content="# niets", headers={**BARE, **UPDATE}).status_code == 204
        )
        assert version(http) == start + 3
        changes = rows(
            http,
            f"PREFIX srg: <{SRG}> PREFIX prov: <http://www.w3.org/ns/prov#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"SELECT ?v ?agent ?note WHERE {{ GRAPH <{HISTORY}> {{ ?c srg:version ?v ; "
            "prov:wasAssociatedWith/rdfs:label ?agent OPTIONAL { ?c rdfs:comment ?note } "
            f"FILTER(?v > {start}) }} }} ORDER BY ?v",
        )
        assert [(int(c["v"]), c["agent"], c.get("note")) for c in changes] == [
            (start + 1, "secretariaat", note),
            (start + 2, "anonymous", "via een formulier"),
            (start + 3, "anonymous", None),
        ]


def test_the_history_graph_is_read_only(named: Server) -> None:
    with named.client() as http:
        text = f"INSERT DATA {{ GRAPH <{HISTORY}> {{ <urn:x:s> <urn:x:p> 1 }} }}"
        answer = http.post("/sparql", content=text, headers={**AUTH, **UPDATE})
        assert answer.status_code == 403 and "history" in answer.text
        for text in (f"DROP GRAPH <{HISTORY}>", f"CLEAR SILENT GRAPH <{HISTORY}>"):
            answer = http.post("/sparql", content=text, headers={**AUTH, **UPDATE})
            assert answer.status_code == 403 and "history" in answer.text, text
        delete = http.delete("/graph-store", params={"graph": HISTORY}, headers=AUTH)
        assert delete.status_code == 403


@pytest.mark.skipif(REMOTE, reason="the embedded store's log and kill -9")
def test_the_history_is_as_durable_as_the_data(named: Server) -> None:
    """A change is in the history if and only if its write was acknowledged: after kill -9,
    a restart, and a compaction, the history holds exactly the acknowledged changes."""
    acknowledged = []
    with named.client() as http:
        for i in range(5):
            text = f"INSERT DATA {{ <urn:x:durable-{i}> <urn:x:p> {i} }}"
            headers = {**AUTH, **UPDATE, "SRG-Change-Note": f"write {i}"}
            assert http.post("/sparql", content=text, headers=headers).status_code == 204
            acknowledged.append(version(http))
    named.kill()
    notes = {c.number: c.meta.note for c in history.changes(log_path(named.store))}
    assert [notes[n] for n in acknowledged] == [f"write {i}" for i in range(5)]
    assert run_srg("compact", store=named.store).returncode == 0
    after = {c.number: c.meta.note for c in history.changes(log_path(named.store))}
    assert after == notes  # a compaction keeps the history
    restarted = Server(named.store, NAMED).start()
    try:
        with restarted.client() as http:
            assert version(http) == acknowledged[-1]
            found = rows(
                http,
                f"PREFIX srg: <{SRG}> SELECT ?v WHERE {{ GRAPH <{HISTORY}> "
                "{ ?c srg:version ?v } }",
            )
            assert set(acknowledged) <= {int(r["v"]) for r in found}
    finally:
        restarted.stop()


def test_a_statement_about_a_triple_is_kept_and_described(named: Server) -> None:
    """An RDF 1.2 triple term as object: its description in the history graph was once
    written without its `<<( … )>>`, which no load could read again (every request 503)."""
    statement = "<urn:x:claim> <urn:x:about> <<( <urn:x:a> <urn:x:b> <urn:x:c> )>>"
    text = f"INSERT DATA {{ GRAPH <urn:x:g> {{ {statement} }} }}"
    ask = f"ASK {{ {statement} }}"
    with named.client() as http:
        assert http.post("/sparql", content=text, headers={**AUTH, **UPDATE}).status_code == 204
        body = f"{statement} ."
        gsp = {**AUTH, "content-type": "application/n-triples"}
        put = http.put("/graph-store", params={"graph": "urn:x:h"}, content=body, headers=gsp)
        assert put.status_code == 201
        assert http.get("/health").status_code == 200
        described = rows(
            http,
            f"PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> SELECT ?o "
            f"WHERE {{ GRAPH <{HISTORY}> {{ ?s rdf:subject <urn:x:claim> ; rdf:object ?o }} }}",
        )
        assert len(described) == 2
    named.stop()
    restarted = Server(named.store, NAMED).start()
    try:
        with restarted.client() as http:
            assert http.get("/health").status_code == 200
            answer = http.get("/sparql", params={"query": ask}, headers={"accept": "text/csv"})
            assert answer.status_code == 200 and answer.text.strip().endswith("true")
    finally:
        restarted.stop()


# -- the command line on a store of its own --------------------------------------------------
@pytest.fixture
def store(settings: Settings, seed_report: Report, tmp_path: Path) -> Path:
    return fresh_store(settings, seed_report, tmp_path / "store")


def srg(store: Path, *args: str) -> tuple[int, str, str]:
    done = run_srg(*args, store=store)
    return done.returncode, done.stdout, done.stderr


def test_history_lists_and_revert_undoes_as_a_new_change(store: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.nt"
    extra.write_text(f'<{ID}test/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    assert srg(store, "load", str(extra), "--agent", "ci", "--note", "a test")[0] == 0
    code, out, _ = srg(store, "history", "--format", "json")
    changes = json.loads(out)
    load = changes[-1]
    assert (load["kind"], load["agent"], load["note"], load["added"]) == ("load", "ci", "a test", 1)
    code, out, err = srg(store, "revert", str(load["number"]), "--note", "undo")
    assert code == 0, err
    code, out, _ = srg(store, "history", "--since", str(load["number"]), "--format", "json")
    (undone,) = json.loads(out)
    assert (undone["kind"], undone["reverts"], undone["removed"]) == ("revert", load["number"], 1)
    code, _, err = srg(store, "revert", "999999")
    assert code == 2 and "there is no change 999999" in err


def test_a_note_stays_on_its_line_of_the_listing(store: Path, tmp_path: Path) -> None:
    """A note with line breaks or a terminal escape is listed escaped, one line a change; its
    RDF Patch escapes a carriage return as N-Triples does."""
    extra = tmp_path / "noted.nt"
    extra.write_text(f'<{ID}test/noted> <http://www.w3.org/2000/01/rdf-schema#label> "n" .\n')
    note = "first\r\n     9  forged\x1b[31m"
    assert srg(store, "load", str(extra), "--note", note)[0] == 0
    code, out, _ = srg(store, "history")
    last = out.splitlines()[-1]
    assert code == 0 and last.endswith("first\\r\\n     9  forged\\x1b[31m")
    number = json.loads(srg(store, "history", "--format", "json")[1])[-1]["number"]
    server = Server(store, TOKEN).start()
    try:
        with server.client() as http:
            patch = http.get(f"/changes/{number}.rdfp").text
    finally:
        server.stop()
    assert 'H note "first\\r\\n     9  forged\x1b[31m" .' in patch.splitlines()


def test_a_revert_is_refused_where_a_write_would_be(store: Path) -> None:
    """Undoing the build would change the ontology and the shapes, which only a build may."""
    code, _, err = srg(store, "revert", "1")
    assert code == 1 and "only through `srg build`" in err
    assert json.loads(srg(store, "history", "--format", "json")[1])[-1]["kind"] != "revert"


@pytest.mark.skipif(REMOTE, reason="the embedded store's command line")
def test_a_revert_is_validated_like_any_write(workspace: Settings) -> None:
    """A lead is appointed, taken away, another appointed: putting the first back (reverting
    its removal) would give the body two leads, a violation."""
    body, graph = f"{ID}body/ambtelijke-stuurgroep", f"{ID[:-3]}graph/bodies"
    first = f"<{body}> <{SRG}lead> <{ID}organisation/vlaio>"
    second = f"<{body}> <{SRG}lead> <{ID}organisation/abb>"
    update(
        workspace,
        *(
            f"{verb} DATA {{ GRAPH <{graph}> {{ {triple} }} }}"
            for verb, triple in (("INSERT", first), ("DELETE", first), ("INSERT", second))
        ),
    )
    removal = [c.number for c in history.changes(log_path(workspace.store))][-2]
    done = run_srg("revert", str(removal), store=workspace.store, root=workspace.root)
    assert done.returncode == 1 and "Violation" in done.stderr, done.stderr
    assert holds(workspace, second) and not holds(workspace, first)


@pytest.mark.skipif(REMOTE, reason="the embedded store's command line")
def test_reverting_the_creation_of_a_graph_keeps_what_was_written_to_it_since(
    workspace: Settings,
) -> None:
    """A revert undoes change N "as far as the data still shows it": the graph N created
    goes only if nothing else is in it; it was dropped whole, with a later write."""
    graph = f"{ID[:-3]}graph/reverted"
    first, later = "<urn:x:a> <urn:x:p> 1", "<urn:x:b> <urn:x:p> 2"
    update(workspace, *(f"INSERT DATA {{ GRAPH <{graph}> {{ {t} }} }}" for t in (first, later)))
    creation = [c.number for c in history.changes(log_path(workspace.store))][-2]
    done = run_srg("revert", str(creation), store=workspace.store, root=workspace.root)
    assert done.returncode == 0, done.stderr
    assert holds(workspace, f"GRAPH <{graph}> {{ {later} }}")
    assert not holds(workspace, f"GRAPH <{graph}> {{ {first} }}")
    again = [c.number for c in history.changes(log_path(workspace.store))][-2]
    done = run_srg("revert", str(again), store=workspace.store, root=workspace.root)
    assert done.returncode == 0, done.stderr  # the later write undone: the graph is empty
    assert not holds(workspace, f"GRAPH <{graph}> {{ ?s ?p ?o }}")


def test_purge_erases_from_the_history_and_records_that_it_did(store: Path, tmp_path: Path) -> None:
    secret = (
        f'<{ID}person/x> <http://xmlns.com/foaf/0.1/name> "Jan Janssens" <{ID[:-3]}graph/people> .'
    )
    added = tmp_path / "people.nq"
    added.write_text(secret + "\n")
    statement = tmp_path / "purge.nq"
    statement.write_text(secret + "\n")
    assert srg(store, "load", str(added))[0] == 0
    code, _, err = srg(store, "purge", "--statements", str(statement), "--note", "AVG art. 17")
    assert code == 2 and "delete them with a write first" in err  # still in the data
    loaded = json.loads(srg(store, "history", "--format", "json")[1])[-1]["number"]
    assert srg(store, "revert", str(loaded))[0] == 0
    code, _, err = srg(store, "purge", "--statements", str(statement), "--note", "AVG art. 17")
    assert code == 0, err
    assert "Jan Janssens" not in log_path(store).read_text("latin-1")
    last = list(history.changes(log_path(store)))[-1]
    assert last.meta.kind == "purge" and last.meta.note.startswith("AVG art. 17 (2 statement(s)")


def test_a_purge_that_matches_nothing_says_so_and_why(store: Path, tmp_path: Path) -> None:
    """Statements given without their graph match only the default graph's: the usual slip
    (N-Triples for what was loaded into a named graph) is pointed out."""
    named = f'<{ID}person/y> <http://xmlns.com/foaf/0.1/name> "Piet" <{ID[:-3]}graph/people> .'
    (tmp_path / "people.nq").write_text(named + "\n")
    assert srg(store, "load", str(tmp_path / "people.nq"))[0] == 0
    before = log_path(store).read_bytes()
    (tmp_path / "piet.nt").write_text(named.rsplit(" <", 1)[0] + " .\n")
    code, out, err = srg(store, "purge", "--statements", str(tmp_path / "piet.nt"), "--note", "x")
    assert code == 0, err
    assert "Nothing purged" in out and "1 of them name no graph" in out
    assert log_path(store).read_bytes() == before


def test_a_purge_after_a_compaction_erases_from_the_snapshot_too(
    store: Path, tmp_path: Path
) -> None:
    """The snapshot holds no description of the history (it is made from the log at every
    start), so no copy of a purged statement is left in it."""
    secret = f'<{ID}person/y> <http://xmlns.com/foaf/0.1/name> "Piet Pieters" <{ID[:-3]}graph/p> .'
    (tmp_path / "secret.nq").write_text(secret + "\n")
    assert srg(store, "load", str(tmp_path / "secret.nq"))[0] == 0
    loaded = json.loads(srg(store, "history", "--format", "json")[1])[-1]["number"]
    assert srg(store, "revert", str(loaded))[0] == 0
    assert srg(store, "compact")[0] == 0
    assert f"> <{HISTORY}> .".encode() not in (store / "dump.nq").read_bytes()
    ask = tmp_path / "ask.rq"
    ask.write_text(f'ASK {{ GRAPH <{HISTORY}> {{ ?statement ?p "Piet Pieters" }} }}')
    assert json.loads(srg(store, "query", str(ask), "--format", "json")[1])["boolean"]
    code, _, err = srg(store, "purge", "--statements", str(tmp_path / "secret.nq"), "--note", "AVG")
    assert code == 0, err
    assert not json.loads(srg(store, "query", str(ask), "--format", "json")[1])["boolean"]
    assert not [f for f in store.iterdir() if f.is_file() and b"Piet Pieters" in f.read_bytes()]


def test_a_purge_of_a_statement_the_snapshot_still_holds_keeps_it_deleted(
    store: Path, tmp_path: Path
) -> None:
    """`srg load` folds the statement into a new snapshot; the server's write that deletes it
    is only in the log. Replayed onto that snapshot, the rewritten log no longer removed it:
    the acknowledged deletion was lost and the statement came back. The purge writes the
    data as it is as the snapshot first."""
    graph, triple = (
        f"{ID[:-3]}graph/q",
        f'<{ID}person/z> <http://xmlns.com/foaf/0.1/name> "Mia Maes"',
    )
    (tmp_path / "secret.nq").write_text(f"{triple} <{graph}> .\n")
    assert srg(store, "load", str(tmp_path / "secret.nq"))[0] == 0
    server = Server(store, TOKEN).start()
    try:
        with server.client() as http:
            deletion = f"DELETE DATA {{ GRAPH <{graph}> {{ {triple} }} }}"
            deleted = http.post("/sparql", content=deletion, headers={**BARE, **UPDATE})
            assert deleted.status_code == 204, deleted.text
    finally:
        server.stop()
    code, _, err = srg(store, "purge", "--statements", str(tmp_path / "secret.nq"), "--note", "AVG")
    assert code == 0, err
    ask = tmp_path / "ask.rq"
    ask.write_text('ASK { GRAPH ?g { ?s ?p "Mia Maes" } }')
    assert not json.loads(srg(store, "query", str(ask), "--format", "json")[1])["boolean"]
    assert not [f for f in store.rglob("*") if f.is_file() and b"Mia Maes" in f.read_bytes()]


# -- rebuilds keep the writes ---------------------------------------------------------------
@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    """A private copy of the sources and a store built from it."""
    root = tmp_path / "src"
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    settings = Settings(root=root, store=tmp_path / "store")
    done = run_srg("build", store=settings.store, root=root)
    assert done.returncode == 0, done.stderr
    return settings


def build(settings: Settings, *args: str) -> tuple[int, str]:
    done = run_srg("build", *args, store=settings.store, root=settings.root)
    return done.returncode, done.stdout + done.stderr


def holds(settings: Settings, triple: str) -> bool:
    query = settings.store.parent / "ask.rq"
    query.write_text(f"ASK {{ {triple} }}")
    done = run_srg(
        "query", str(query), "--format", "json", store=settings.store, root=settings.root
    )
    return json.loads(done.stdout)["boolean"]


SOURCE = "data/next-steps.ttl"


def test_a_rebuild_keeps_the_writes_and_brings_the_sources_changes(workspace: Settings) -> None:
    update(
        workspace,
        f"INSERT DATA {{ GRAPH <{ID[:-3]}graph/next-steps> {{ <urn:x:written> <urn:x:p> 1 }} }}",
    )
    with (workspace.root / SOURCE).open("a") as file:
        file.write("\n<urn:x:edited> <urn:x:p> 2 .\n")
    code, out = build(workspace)
    assert code == 0, out
    assert holds(workspace, "<urn:x:written> <urn:x:p> 1") and holds(
        workspace, "<urn:x:edited> <urn:x:p> 2"
    )
    assert build(workspace)[0] == 0  # nothing changed since: no change is made
    kinds = [c.meta.kind for c in history.changes(log_path(workspace.store))]
    assert kinds == ["build", "write", "build"]


def update(settings: Settings, *texts: str) -> None:
    """SPARQL Updates through a server on the store, which then stops (one writer)."""
    server = Server(settings.store, TOKEN, SRG_ROOT=str(settings.root)).start()
    try:
        with server.client() as http:
            for text in texts:
                answer = http.post("/sparql", content=text, headers={**BARE, **UPDATE})
                assert answer.status_code == 204, answer.text
    finally:
        server.stop()


EXTRA = f"{ID[:-3]}graph/extra"
Q = "<urn:x:s> <urn:x:p> 1"


def data_file(settings: Settings, *lines: str) -> None:
    (settings.root / "data" / "extra.ttl").write_text("".join(f"{line} .\n" for line in lines))


@pytest.mark.skipif(REMOTE, reason="builds work on the embedded store")
def test_the_sources_re_adding_what_a_write_removed_is_a_conflict(workspace: Settings) -> None:
    data_file(workspace, "<urn:x:t> <urn:x:p> 2")
    assert build(workspace)[0] == 0
    add, remove = (f"{verb} DATA {{ GRAPH <{EXTRA}> {{ {Q} }} }}" for verb in ("INSERT", "DELETE"))
    update(workspace, add, remove)
    data_file(workspace, "<urn:x:t> <urn:x:p> 2", Q)
    code, out = build(workspace)
    assert code == 1 and "disagree" in out and "add again" in out and "--prefer-sources" in out
    assert not holds(workspace, Q)  # nothing changed
    assert build(workspace, "--prefer-sources")[0] == 0 and holds(workspace, Q)


@pytest.mark.skipif(REMOTE, reason="builds work on the embedded store")
def test_the_sources_removing_what_a_write_added_is_a_conflict(workspace: Settings) -> None:
    data_file(workspace, Q)
    assert build(workspace)[0] == 0
    add, remove = (f"{verb} DATA {{ GRAPH <{EXTRA}> {{ {Q} }} }}" for verb in ("INSERT", "DELETE"))
    update(workspace, remove, add)
    data_file(workspace, "<urn:x:t> <urn:x:p> 2")
    code, out = build(workspace)
    assert code == 1 and "the sources remove" in out
    assert holds(workspace, Q)
    assert build(workspace, "--prefer-writes")[0] == 0  # the write's statement stays
    assert holds(workspace, Q) and holds(workspace, "<urn:x:t> <urn:x:p> 2")
    assert build(workspace, "--discard-writes")[0] == 0  # the graph becomes the file
    assert not holds(workspace, Q) and holds(workspace, "<urn:x:t> <urn:x:p> 2")


def test_export_writes_the_store_back_and_the_next_build_changes_nothing(
    workspace: Settings,
) -> None:
    update(
        workspace,
        f"INSERT DATA {{ GRAPH <{ID[:-3]}graph/next-steps> {{ <urn:x:exported> <urn:x:p> 1 }} }}",
    )
    done = run_srg("export", store=workspace.store, root=workspace.root)
    assert done.returncode == 0, done.stderr
    assert "next-steps.ttl" in done.stdout
    assert "urn:x:exported" in (workspace.root / SOURCE).read_text()
    # the history describes the changes; it is in the log, never a source file
    assert "history" not in done.stdout and not (workspace.root / "data/history.ttl").exists()
    before = len(list(history.changes(log_path(workspace.store))))
    assert build(workspace)[0] == 0
    assert len(list(history.changes(log_path(workspace.store)))) == before


# -- one writer a store ----------------------------------------------------------------------
@pytest.mark.skipif(REMOTE, reason="the embedded store's owner")
def test_a_command_that_writes_is_refused_while_a_server_owns_the_store(
    writable: Server, tmp_path: Path
) -> None:
    csv = ROOT / "tests" / "fixtures" / "mappings" / "valid.csv"
    extra = tmp_path / "x.nt"
    extra.write_text("<urn:x:s> <urn:x:p> 1 .\n")
    for args in (
        ["mappings", "import", str(csv)],
        ["load", str(extra)],
        ["compact"],
        ["revert", "1"],
    ):
        done = run_srg(*args, store=writable.store)
        assert done.returncode == 3, (args, done.stdout, done.stderr)
        assert "in use by process" in done.stderr and "Stop the server first" in done.stderr
    # the README's preview of an import only reads, as an export does: it was refused (3) too
    done = run_srg("mappings", "import", str(csv), "--dry-run", store=writable.store)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Would import: ") and "0 added" not in done.stdout
    exported = run_srg("mappings", "export", "--format", "json", store=writable.store)
    assert json.loads(exported.stdout) == []  # nothing was imported
    writable.stop()
    assert run_srg("compact", store=writable.store).returncode == 0
