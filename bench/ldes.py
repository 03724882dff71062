"""The Linked Data Event Stream under load: a store of N triples, 10,000 changes, `ldes-client`.

    python -m bench.ldes --triples 1000000 --changes 10000 --workdir /tmp/ldes-bench

1. The dataset: the seed plus `bench/generate.py --triples N` (or `--data FILE`), written as
   the store's snapshot at version 0 (as `bench.prepare` does; `--base-in-log`: written as
   change 1 of the log instead, as `srg build` does, so every resource is in the stream).
2. `--changes` changes, each committed through `Dataset.commit` (the durable path of every
   write: logged and fsynced one by one; not validated, which is not what is measured): seven
   in ten change a label of an existing resource, one in ten adds a resource with a
   blank-node structure, one links two resources, one deletes a resource added before.
3. `srg serve` on the store; the first `GET /ldes/root` makes the pages (timed: `pages_s`);
   a second one is timed warm.
4. `ldes-client --materialize --last-version-only` (tests/ldes, `npm ci` if needed) replicates
   the stream (timed: `client_s`, the target: under 60 s; `--no-client`: not run); with
   `--check`, what it rebuilt is compared with the store's descriptions of the resources it
   emitted.
5. `--advances K`: K times a write over HTTP (one new statement), then a `GET /ldes/root`
   that writes its one member (timed: `advance_ms`, the median and the slowest): what the
   stream's durable writes cost a reader that follows the writes one by one.

Prints a JSON summary (and writes it to `--out` if given). Only loopback; the server is
stopped at the end (its process group, by id).
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.prepare import dataset
from bench.report import emit
from srg_graph.dataset.build import write_snapshot
from srg_graph.dataset.embedded import Dataset
from srg_graph.dataset.history import Meta
from srg_graph.store import Delta, GraphStore

ROOT = Path(__file__).resolve().parent.parent
CLIENT_DIR = ROOT / "tests" / "ldes"
CLIENT = CLIENT_DIR / "node_modules" / "ldes-client" / "dist" / "bin" / "cli.js"
BIN = ROOT / ".venv" / "bin"
ID = "https://w3id.org/srg/id/"
TOKEN = "bench-ldes-token"  # loopback only; the writes of `--advances`
GRAPH = "https://w3id.org/srg/graph/bench-ldes"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
HISTORY = "https://w3id.org/srg/graph/history"
ENVELOPE = {
    "http://www.w3.org/ns/prov#generatedAtTime",
    "http://www.w3.org/ns/prov#wasGeneratedBy",
    "https://w3id.org/srg/ns#completesChange",
}


def nquads(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


class Changes:
    """The changes, made against the store as it is after the previous ones."""

    def __init__(self, store: GraphStore, seed: int):
        self.store, self.rng = store, random.Random(seed)
        labels = store.quads(None, ox.NamedNode(PREF_LABEL), None, None)
        self.labels = [q for q in labels if isinstance(q.subject, ox.NamedNode)]
        self.added: list[list[ox.Quad]] = []

    def make(self, number: int) -> Delta:
        kind = number % 10
        if kind == 7 or (kind == 9 and not self.added):
            return self._add(number)
        if kind == 9:
            quads = self.added.pop(self.rng.randrange(len(self.added)))
            return Delta(nquads(quads), b"", frozenset({GRAPH}))
        if kind == 8:
            one, other = self.rng.sample(self.labels, 2)
            link = ox.Quad(
                one.subject,
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
                other.subject,
                one.graph_name,
            )
            if self.store.contains(link):
                return self._relabel(number)
            return Delta(b"", nquads([link]), frozenset({link.graph_name.value}))
        return self._relabel(number)

    def _relabel(self, number: int) -> Delta:
        index = self.rng.randrange(len(self.labels))
        old = self.labels[index]
        text = old.object.value.split(" (", 1)[0] + f" ({number})"
        new = ox.Quad(old.subject, old.predicate, ox.Literal(text, language="en"), old.graph_name)
        self.labels[index] = new
        return Delta(nquads([old]), nquads([new]), frozenset({old.graph_name.value}))

    def _add(self, number: int) -> Delta:
        thing, amount = ox.NamedNode(f"{ID}bench-ldes/thing-{number}"), ox.BlankNode(f"a{number}")
        graph = ox.NamedNode(GRAPH)
        quads = [
            ox.Quad(thing, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{SCHEMA}Thing"), graph),
            ox.Quad(
                thing, ox.NamedNode(PREF_LABEL), ox.Literal(f"Ding {number}", language="nl"), graph
            ),
            ox.Quad(
                thing, ox.NamedNode(PREF_LABEL), ox.Literal(f"Thing {number}", language="en"), graph
            ),
            ox.Quad(thing, ox.NamedNode(f"{SCHEMA}amount"), amount, graph),
            ox.Quad(amount, ox.NamedNode(f"{SCHEMA}value"), ox.Literal(str(number)), graph),
            ox.Quad(amount, ox.NamedNode(f"{SCHEMA}currency"), ox.Literal("EUR"), graph),
        ]
        self.added.append(quads)
        created = () if self.store.has_graph(GRAPH) else (GRAPH,)
        return Delta(b"", nquads(quads), frozenset({GRAPH}), created)


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SCHEMA = "http://schema.org/"


def prepare(args: argparse.Namespace, seconds: dict[str, float]) -> tuple[Path, int]:
    """The store: the dataset (as its snapshot, or as change 1), then the changes."""
    data_file = args.data
    if data_file is None:
        data_file = args.workdir / f"generated-{args.triples}.nq"
        if not data_file.exists():
            command = [sys.executable, "bench/generate.py", "--triples", str(args.triples)]
            subprocess.run([*command, "--out", str(data_file)], cwd=ROOT, check=True)
    clock = time.perf_counter()
    store = dataset(data_file)
    quads = len(store)
    target = args.workdir / "store"
    for leftover in args.workdir.glob("store*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    if args.base_in_log:
        write_snapshot(GraphStore(), target)
        data = Dataset(target, GraphStore(), 0)
        graphs = frozenset(store.graph_names())
        full = Delta(b"", store.dump("nquads"), graphs, tuple(sorted(graphs)))
        data.commit(full, Meta("bench", "the dataset", "build"))
    else:
        write_snapshot(store, target)
        data = Dataset(target, store, 0)
    seconds["dataset_s"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    changes = Changes(data.store, args.seed)  # type: ignore[arg-type]
    for number in range(args.changes):
        data.commit(changes.make(number), Meta("bench", None, "write"))
    seconds["changes_s"] = round(time.perf_counter() - clock, 2)
    return target, quads


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(store: Path, logs: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "SRG_STORE": str(store), "SRG_WRITE_TOKENS": TOKEN}
    with (logs / "serve.log").open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "srg"), "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"srg serve stopped; see {logs / 'serve.log'}")
        time.sleep(0.5)
    raise RuntimeError("srg serve did not answer")


def client() -> Path:
    if not CLIENT.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT_DIR, check=True)
    return CLIENT


def replicate(url: str, out: Path) -> tuple[float, int]:
    """Run the client; its wall time and how many members it emitted."""
    command = ["node", str(client()), "--materialize", "--last-version-only", url + "/ldes"]
    clock = time.perf_counter()
    # (its state, a LevelDB it leaves in the temporary directory, in one removed afterwards)
    with out.open("wb") as sink, tempfile.TemporaryDirectory(prefix="srg-ldes-client-") as state:
        env = os.environ | {"TMPDIR": state}
        subprocess.run(
            command, stdout=sink, stderr=subprocess.DEVNULL, check=True, timeout=1800, env=env
        )
    elapsed = time.perf_counter() - clock
    members = [c for c in out.read_text(encoding="utf-8").split("\n\n") if c.strip()]
    return round(elapsed, 2), len(members)


def advances(url: str, count: int) -> dict[str, float]:
    """The time of `GET /ldes/root` after each of `count` writes (ms): median and slowest."""
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
    times = []
    for number in range(count):
        thing = f"<{ID}bench-ldes/advance-{number}>"
        text = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ {thing} <{PREF_LABEL}> "advance {number}" }} }}'
        httpx.post(url + "/sparql", content=text, headers=headers, timeout=300).raise_for_status()
        clock = time.perf_counter()
        httpx.get(url + "/ldes/root", timeout=300).raise_for_status()
        times.append((time.perf_counter() - clock) * 1000)
    return {"median": round(statistics.median(times), 2), "max": round(max(times), 2)}


def check(url: str, out: Path) -> dict[str, int]:
    """Compare the latest version of each emitted resource with the store (up to blank-node
    isomorphism, through rdflib)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    dump = httpx.get(url + "/dumps/dataset.nq.gz", timeout=900).content
    about: dict[object, list[ox.Triple]] = {}
    for q in ox.parse(gzip.decompress(dump), format=ox.RdfFormat.N_QUADS):
        if q.graph_name != ox.NamedNode(HISTORY):
            about.setdefault(q.subject, []).append(ox.Triple(q.subject, q.predicate, q.object))
    latest: dict[str, tuple[int, list[ox.Triple]]] = {}
    for chunk in out.read_text(encoding="utf-8").split("\n\n"):
        if not chunk.strip():
            continue
        parsed = ox.parse(chunk.encode(), format=ox.RdfFormat.TURTLE)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]
        (change,) = [t for t in triples if t.predicate.value.endswith("#wasGeneratedBy")]
        number = int(change.object.value.rsplit("/", 1)[1])
        if change.subject.value not in latest or latest[change.subject.value][0] < number:
            latest[change.subject.value] = (number, triples)
    counts = {"resources": 0, "deleted": 0, "equal": 0, "differ": 0}
    for resource, (_, triples) in latest.items():
        node = ox.NamedNode(resource)
        deleted = any(t.object == ox.NamedNode("https://w3id.org/srg/ns#Deletion") for t in triples)
        expected: set[ox.Triple] = set()
        todo, seen = [node], {node}
        while todo:
            for triple in about.get(todo.pop(), []):
                expected.add(triple)
                if isinstance(triple.object, ox.BlankNode) and triple.object not in seen:
                    seen.add(triple.object)
                    todo.append(triple.object)
        counts["resources"] += 1
        if deleted:
            counts["deleted"] += 1
            counts["equal" if not expected else "differ"] += 1
            continue
        got = {t for t in triples if not (t.subject == node and t.predicate.value in ENVELOPE)}

        def graph(found: set[ox.Triple]) -> Graph:
            text = (ox.serialize(found, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
            return Graph().parse(data=text, format="nt")

        counts["equal" if isomorphic(graph(got), graph(expected)) else "differ"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, help="a generated N-Quads file (else generated)")
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ldes-bench"))
    parser.add_argument("--base-in-log", action="store_true", help="the dataset as change 1")
    parser.add_argument("--check", action="store_true", help="compare with the store")
    parser.add_argument("--no-client", action="store_true", help="no ldes-client replication")
    parser.add_argument("--advances", type=int, default=0, help="writes, each then read")
    parser.add_argument("--out", type=Path, help="write the summary (JSON) here")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    store, quads = prepare(args, seconds)
    process, url = serve(store, args.workdir)
    summary: dict[str, object] = {"quads": quads, "changes": args.changes}
    try:
        for key in ("pages_s", "pages_warm_s"):
            clock = time.perf_counter()
            response = httpx.get(url + "/ldes/root", timeout=3600)
            response.raise_for_status()
            seconds[key] = round(time.perf_counter() - clock, 2)
        summary["pages"] = response.text.count("GreaterThanOrEqualToRelation")
        if not args.no_client:
            replicated = replicate(url, args.workdir / "out.nt")
            seconds["client_s"], summary["members_emitted"] = replicated
        if args.check and not args.no_client:
            summary["check"] = check(url, args.workdir / "out.nt")
        if args.advances:
            summary["advance_ms"] = advances(url, args.advances)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    summary["seconds"] = seconds
    summary["base_in_log"] = args.base_in_log
    emit(summary, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
