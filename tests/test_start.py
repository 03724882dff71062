"""Setting up and starting: what `make run` installs, what the README needs, and what
`srg serve` says and does when it starts (writes on or off, a busy port, an empty store
directory). Real `make -n`, real `srg` subprocesses, real sockets."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, TOKEN
from server import Server, run_srg

from srg_graph.cli import parser
from srg_graph.config import Settings
from srg_graph.web.server import writes_line


def make_commands(target: str) -> list[str]:
    """The commands `make TARGET` would run on a fresh checkout (`-B`: as if nothing were
    installed yet), without running them."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # run from `make test`, the outer make's settings would reach this one (and its
    # "Entering directory" lines): it is asked as from a shell
    outer = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    env = {name: value for name, value in os.environ.items() if name not in outer}
    command = ["make", "--no-print-directory", "-n", "-B", target]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def installs(commands: list[str]) -> list[str]:
    return [c for c in commands if "pip install" in c and "--upgrade pip" not in c]


def test_make_run_installs_only_what_serving_needs() -> None:
    commands = make_commands("run")
    assert installs(commands) == [".venv/bin/pip install --quiet -e ."]
    assert ".venv/bin/srg validate --format summary" in commands
    assert commands[-1] == ".venv/bin/srg serve"
    tested = installs(make_commands("test"))
    assert tested == [".venv/bin/pip install --quiet -e '.[test]'"]


def test_readme_stands_alone() -> None:
    """A clone has only the repository: the README and the docs it links point inside it."""
    for page in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, page
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if not target.startswith(("http://", "https://", "mailto:")):
                assert (page.parent / target).resolve().exists(), f"{page}: {target}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "SRG_WRITE_TOKENS=" in readme and "SRG_PORT=" in readme


# `srg CMD ...` in a doc (after `.venv/bin/` too), up to the end of its code span or a comment
DOC_COMMAND = re.compile(r"(?<![\w.-])srg ([a-z]+)([^`#\n]*)")


def documented_commands() -> Iterator[tuple[str, str, str]]:
    """(page, command, the rest of its line) for every `srg` command the docs show."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench/README.md"]
    for page in pages:
        for line in page.read_text(encoding="utf-8").splitlines():
            for found in DOC_COMMAND.finditer(line):
                yield page.name, found.group(1), found.group(2)


def test_every_command_and_flag_the_docs_name_exists() -> None:
    """The README, docs/ and bench/README.md name `srg` commands and flags that users and
    saved scripts run: each must be one of the command line's, with that flag."""
    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    seen = set()
    for page, command, rest in documented_commands():
        assert command in commands.choices, f"{page}: `srg {command}` is no command"
        flags = commands.choices[command]._option_string_actions
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
            assert flag in flags, f"{page}: `srg {command}` has no {flag}"
        seen.add(command)
    assert {"build", "validate", "query", "serve", "mappings", "revert"} <= seen


def test_validate_summary_is_one_line() -> None:
    done = run_srg("validate", "--format", "summary")
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert re.fullmatch(
        r"Validation report: 0 violation\(s\), \d+ warning\(s\), \d+ info "
        r"\(the whole report: srg validate\)",
        line,
    )
    whole = run_srg("validate")
    assert len(whole.stdout.splitlines()) > 30  # the whole report is still there


def test_validate_summary_shows_violations_in_full() -> None:
    done = run_srg("validate", str(FIXTURES / "bad" / "second-lead.ttl"), "--format", "summary")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Validation report: 1 violation(s)")
    assert any(line.startswith("Violation: ") for line in lines)
    assert "https://w3id.org/srg/id/werkbank/vloca" in done.stdout
    assert not any(line.startswith("Warning: ") for line in lines)


def started_lines(running: Server) -> str:
    return "".join(running.log)


def test_start_says_writes_are_off_and_how_to_turn_them_on(private_store: Path) -> None:
    running = Server(private_store, "").start()
    try:
        log = started_lines(running)
        assert "Writes are off" in log
        assert "SRG_WRITE_TOKENS=" in log and "--token-file" in log
        assert "Validation" not in log  # no report at start (the store was built already)
        assert len(running.log) < 10
    finally:
        running.stop()


def test_start_says_writes_are_on(private_store: Path) -> None:
    running = Server(private_store, f"{TOKEN},another").start()
    try:
        assert "Writes are on: 2 tokens" in started_lines(running)
    finally:
        running.stop()


def test_busy_port_names_the_flag_and_the_variable(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        store = tmp_path / "store"
        started = time.monotonic()
        done = run_srg("serve", "--port", str(port), store=store)
        seconds = time.monotonic() - started
    assert done.returncode == 2
    assert f"127.0.0.1:{port}" in done.stderr
    assert "--port" in done.stderr and "SRG_PORT=" in done.stderr
    assert "Traceback" not in done.stderr
    assert not store.exists()  # it stopped before building anything
    assert seconds < 30


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("serve", "--port", "99999"), "there is no port 99999"),
        (("serve", "--workers", "0"), "--workers: takes a whole number of at least 1"),
        (("serve", "--token-file", "/no/such/file"), "/no/such/file: cannot read it"),
        (("compact",), "no store here: `srg build` makes one"),
        (("load", "x.nt", "--graph", "not an iri"), "--graph takes an absolute IRI"),
    ],
)
def test_a_wrong_argument_is_a_message_not_a_traceback(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    """Each was a traceback (exit 1), a server whose every query got 429 (`--workers 0`), or
    a lock file left where no store is (`compact`)."""
    store = tmp_path / "store"
    done = run_srg(*args, store=store)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing built, locked or written


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("SRG_PORT", "abc", "SRG_PORT takes a whole number, not 'abc'"),
        ("SRG_MAX_ROWS", "lots", "SRG_MAX_ROWS takes a whole number, not 'lots'"),
        ("SRG_QUERY_TIMEOUT", "soon", "SRG_QUERY_TIMEOUT takes a number, not 'soon'"),
        ("SRG_MAX_QUERY_MEMORY", "much", "SRG_MAX_QUERY_MEMORY: 'much' is not a size"),
    ],
)
def test_a_wrong_setting_in_the_environment_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    """The README's settings by environment variable: a value that is no number was a
    traceback (`ValueError: invalid literal for int()`, exit 1) that named no variable."""
    monkeypatch.setenv(variable, value)
    done = run_srg("serve", store=tmp_path / "store")
    assert done.returncode == 2, done.stderr
    assert f"srg: {said}" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing built


def test_a_command_that_builds_a_missing_store_says_so(tmp_path: Path) -> None:
    """`srg query` on a --store that is not there builds it first: said on stderr, so that a
    mistyped path does not answer quietly from a new store."""
    query = tmp_path / "ask.rq"
    query.write_text("ASK {}")
    done = run_srg("query", str(query), store=tmp_path / "typo")
    assert done.returncode == 0 and done.stdout.split() == ["?_askResult", "true"]
    assert f"no store was at {tmp_path / 'typo'}: built it from" in done.stderr


def test_serve_builds_into_an_empty_directory(tmp_path: Path) -> None:
    store = tmp_path / "empty"
    store.mkdir()
    running = Server(store, TOKEN).start(timeout=120)
    try:
        log = started_lines(running)
        (built,) = [line for line in running.log if line.startswith("Built ")]
        assert "0 violation(s)" in built and "srg validate" in built
        assert "Writes are on" in log
        with running.client() as http:
            answer = http.get(
                "/sparql",
                params={"query": "ASK { <https://w3id.org/srg/id/werkbank/vloca> ?p ?o }"},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        running.stop()
    assert any(store.iterdir())


def test_a_read_only_remote_store_says_why_writes_are_off() -> None:
    remote = Settings(sparql_endpoint="http://store/query", write_tokens=("t",))
    assert "--update-endpoint" in writes_line(remote)
    assert writes_line(Settings(write_tokens=("t",))).startswith("Writes are on: 1 token ")
