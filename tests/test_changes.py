"""Reading the history over HTTP: the named query `change-log`, `/changes`, `/changes/{n}`, a
resource's own history on its page. Real servers, real writes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from conftest import TOKEN, running_server
from server import Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report

ID = "https://w3id.org/srg/id/"
SRG = "https://w3id.org/srg/ns#"
MATCHMAKING = ID + "werkbank/matchmaking"
VVSG = ID + "organisation/vvsg"
WERKBANKEN = "https://w3id.org/srg/graph/werkbanken"
SCRATCH = "https://w3id.org/srg/graph/changes-test"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NAMED = f"name-a:other-token,secretariaat:{TOKEN}"


def statement(predicate: str, organisation: str) -> str:
    return f"GRAPH <{WERKBANKEN}> {{ <{MATCHMAKING}> <{SRG}{predicate}> <{organisation}> }}"


@dataclass(frozen=True)
class Made:
    """The changes the module's writes made (their numbers)."""

    server: Server
    appointed: int  # Matchmaking's proposed lead VVSG appointed, by `secretariaat`, with a note
    scratch: int  # a triple in a graph of its own
    removed: int  # that triple removed again


def write(http: httpx.Client, text: str, note: str | None = None) -> int:
    headers = {"Content-Type": "application/sparql-update"}
    if note is not None:
        headers["SRG-Change-Note"] = note.encode().decode("latin-1")
    response = http.post("/sparql", content=text, headers=headers)
    assert response.status_code == 204, response.text
    return http.get("/health").json()["version_number"]


@pytest.fixture(scope="module")
def named_writable(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A writable server of the module whose token is named `secretariaat`."""
    directory = tmp_path_factory.mktemp("changes")
    with running_server(settings, seed_report, directory, NAMED) as running:
        yield running


@pytest.fixture(scope="module")
def made(named_writable: Server) -> Iterator[Made]:
    """Three writes on the module's server (`secretariaat` is the token's name)."""
    running = named_writable
    with running.client(headers=AUTH) as http:
        appointed = write(
            http,
            f"DELETE DATA {{ {statement('proposedLead', VVSG)} }} ; "
            f"INSERT DATA {{ {statement('lead', VVSG)} }}",
            "PBC-besluit van 12 november: de VVSG trekt",
        )
        scratch = write(
            http, f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{ID}thing/t> <{LABEL}> "t" }} }}'
        )
        removed = write(
            http, f'DELETE DATA {{ GRAPH <{SCRATCH}> {{ <{ID}thing/t> <{LABEL}> "t" }} }}'
        )
    yield Made(running, appointed, scratch, removed)


# -- the named query change-log --------------------------------------------------------------
def test_change_log_answers_who_appointed_the_lead(made: Made) -> None:
    with made.server.client() as http:
        params = {"resource": MATCHMAKING, "property": SRG + "lead", "lang": "en"}
        response = http.get("/api/queries/change-log", params=params)
        assert response.status_code == 200, response.text
        rows = response.json()
        both = http.get("/api/queries/change-log", params={"resource": MATCHMAKING}).json()
    assert [(r["action"], r["value"]) for r in rows] == [("added", VVSG)]
    assert [(r["action"], r["predicate"]) for r in both] == [
        ("added", SRG + "lead"),
        ("removed", SRG + "proposedLead"),
    ]
    row = rows[0]
    assert row["version"] == made.appointed
    assert row["change"] == f"{ID}change/{made.appointed}"
    assert row["agent"] == f"{ID}agent/secretariaat" and row["agentName"] == "secretariaat"
    assert row["note"] == "PBC-besluit van 12 november: de VVSG trekt"
    assert row["kind"] == "write" and row["graph"] == WERKBANKEN
    assert row["valueLabel"] == "Association of Flemish Cities and Municipalities"
    assert row["time"].endswith("Z")


def test_change_log_incoming_and_other_resources(made: Made) -> None:
    with made.server.client() as http:
        own = http.get("/api/queries/change-log", params={"resource": VVSG}).json()
        incoming = http.get(
            "/api/queries/change-log", params={"resource": VVSG, "incoming": "true"}
        ).json()
        thing = http.get("/api/queries/change-log", params={"resource": ID + "thing/t"}).json()
    assert own == []
    assert [(r["subject"], r["action"]) for r in incoming] == [
        (MATCHMAKING, "added"),
        (MATCHMAKING, "removed"),
    ]
    assert [(r["version"], r["action"]) for r in thing] == [
        (made.removed, "removed"),
        (made.scratch, "added"),
    ]
