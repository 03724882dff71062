"""The floor of a Python endpoint, beside in-memory `oxigraph serve` and the product.

    python -m bench.floor --workdir /tmp/b18/seed [--rounds 3] [--modes cold repeated] \
        [--client wrk]

`--workdir` is what `bench/prepare.py` made for a scale (`dataset.nq`, `expected.json`,
`product-store/`; `run.py` makes it). Three servers on the servers' core, the client on the
other: in-memory `oxigraph serve`, the product (`srg serve`), and the barest Python endpoint
("floor": uvloop and httptools, the query run by pyoxigraph in the HTTP process, the answer
of a request that comes again kept by its bytes; no guard, no query worker, no time or
memory limit, no ETag, no log). It tells what answering in the HTTP process could reach at
most, having given up every promise of the product's. Interleaved timed passes of the mix
(`load.py`, the servers' order rotating each round); per server, mode and concurrency the
median answers a second and the server's CPU per answer (its process tree). A benchmark, not
a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from statistics import median
from urllib.parse import parse_qs

import pyoxigraph as ox

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers, wrk
from bench.load import Bounds, Checker, Texts, load_queries, timed_pass
from bench.wrk import wrk_pass


def serve_floor(nquads: Path, port: int) -> None:
    """The floor endpoint on `port`, serving `nquads` (runs until killed)."""
    import httptools
    import uvloop

    store, kept = ox.Store(), {}
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)

    def answer(body: bytes) -> tuple[bytes, bytes]:
        text = parse_qs(body.decode())["query"][0]
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return ox.serialize(result, format=ox.RdfFormat.TURTLE), b"text/turtle"
        json_results = ox.QueryResultsFormat.JSON
        return result.serialize(format=json_results), b"application/sparql-results+json"

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport, self.body = transport, b""
            self.parser = httptools.HttpRequestParser(self)

        def data_received(self, data: bytes) -> None:
            self.parser.feed_data(data)

        def on_body(self, body: bytes) -> None:
            self.body += body

        def on_message_complete(self) -> None:
            body, self.body = self.body, b""
            if body not in kept:
                kept[body] = answer(body)
            content, media = kept[body]
            head = b"HTTP/1.1 200 OK\r\ncontent-type: %b\r\ncontent-length: %d\r\n\r\n"
            self.transport.write(head % (media, len(content)) + content)  # type: ignore[attr-defined]

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Protocol, "127.0.0.1", port)
        await server.serve_forever()

    uvloop.run(main())


def floor_server(nquads: Path, core: int) -> servers.Server:
    port = servers.free_port()
    command = [str(servers.BIN / "python"), "-m", "bench.floor", "--serve-floor", str(nquads)]
    command += ["--port", str(port)]
    return servers.Server("floor", command, f"http://127.0.0.1:{port}/query", core=core)


def measure(args: argparse.Namespace) -> dict[str, list[tuple[float, float]]]:
    """(answers a second, server CPU µs per answer) of every pass, by server, mode, level."""
    where, core = args.workdir, args.server_core
    expected = json.loads((where / "expected.json").read_text())
    started = [
        servers.oxigraph_memory(where / "dataset.nq", core),
        servers.product(where / "product-store", core, 60.0),
        floor_server(where / "dataset.nq", core),
    ]
    logs = where / "floor-logs"
    logs.mkdir(exist_ok=True)
    queries, results = load_queries(), {}
    mix = wrk.mix_file(queries, logs) if args.client == "wrk" else None
    try:
        for server in started:
            server.start(logs)
        for r in range(args.rounds):
            order = started[r % 3 :] + started[: r % 3]
            for mode in args.modes:
                for level in (1, 8):
                    for server in order:
                        servers.quiet(started, 30)
                        cpu = server.cpu_s()
                        texts, checker = Texts(server.url, queries), Checker(expected)
                        bounds = Bounds(args.seconds, 60.0)
                        stats = (
                            wrk_pass(texts, mix, mode, level, bounds)
                            if mix is not None
                            else timed_pass(
                                server.url, queries, checker, texts, mode, level, bounds
                            )
                        )
                        summary = stats.summary()
                        answers = max(1, int(summary["answers"]))
                        per = (server.cpu_s() - cpu) / answers * 1e6
                        name = f"{server.name} {mode} c={level}"
                        results.setdefault(name, []).append((summary["qps"], round(per)))
                        print(name, summary["qps"], f"{per:.0f} µs", summary["failures"] or "")
    finally:
        for server in started:
            server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="what prepare.py made for one scale")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="a pass's length")
    parser.add_argument("--modes", nargs="+", choices=("cold", "repeated"), default=["cold"])
    parser.add_argument("--client", choices=("python", "wrk"), default="python")
    parser.add_argument("--server-core", type=int, default=1)
    parser.add_argument("--client-core", type=int, default=0)
    parser.add_argument("--serve-floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_floor:
        serve_floor(args.serve_floor, args.port)
        return 0
    if args.workdir is None:
        parser.error("--workdir is required")
    os.sched_setaffinity(0, {args.client_core})
    for name, passes in measure(args).items():
        qps, cpu = median(p[0] for p in passes), median(p[1] for p in passes)
        print(f"{name}: median {qps:,.0f} answers/s, {cpu:,.0f} µs server CPU an answer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
