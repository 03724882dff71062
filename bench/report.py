"""The results of a run as a markdown table, with the product's ratios to each peer.

Memory is compared by PSS, summed over the server's process tree: a page shared by forked
processes counts once in the sum (RSS counts it once per process); RSS is shown beside it.
Results of older runs, which measured RSS only, show `n/a` for PSS.
"""

from __future__ import annotations

from typing import Any

PEERS = ("oxigraph-memory", "oxigraph-disk", "rdflib-endpoint")


def _row(name: str, server: dict[str, Any]) -> str:
    c1, c8 = server["c1"], server["c8"]
    failures = sum(c1["failures"].values()) + sum(c8["failures"].values())
    skipped = c1["skipped"] + c8["skipped"]
    cells = [
        name,
        server["ready_s"],
        server.get("pss_mb_after", "n/a"),
        server["rss_mb_after"],
        c1["qps"],
        c1["p50_ms"],
        c1["p95_ms"],
        c1["p99_ms"],
        c8["qps"],
        c8["p50_ms"],
        c8["p95_ms"],
        c8["p99_ms"],
        c1["answers"] + c8["answers"],
        failures,
        skipped,
    ]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "n/a"


def _pss(server: dict[str, Any]) -> float | None:
    return server.get("pss_mb_after")


def ratios(servers: dict[str, Any]) -> list[str]:
    mine = servers.get("product")
    if mine is None:
        return []
    lines = [
        "| product / peer | qps c=1 | qps c=8 | p50 c=1 (peer/product) | PSS | RSS |",
        "|---|---|---|---|---|---|",
    ]
    for peer in (p for p in PEERS if p in servers):
        theirs = servers[peer]
        lines.append(
            f"| product / {peer} | {_ratio(mine['c1']['qps'], theirs['c1']['qps'])} "
            f"| {_ratio(mine['c8']['qps'], theirs['c8']['qps'])} "
            f"| {_ratio(theirs['c1']['p50_ms'], mine['c1']['p50_ms'])} "
            f"| {_ratio(_pss(mine), _pss(theirs))} "
            f"| {_ratio(mine['rss_mb_after'], theirs['rss_mb_after'])} |"
        )
    return lines


def failures(servers: dict[str, Any]) -> list[str]:
    lines = []
    for name, server in servers.items():
        for level in ("c1", "c8"):
            for what, n in sorted(server[level]["failures"].items()):
                lines.append(f"- {name} {level}: {what} (x{n})")
    return lines


def markdown(results: dict[str, Any]) -> str:
    servers = results["servers"]
    head = [
        f"Data: {results['data']} ({results['quads']} quads), {results['rounds']} interleaved "
        f"rounds per level (rdflib-endpoint: {results['rdflib_rounds']}, "
        f"cap {results['rdflib_timeout_s']} s per request, {results['rdflib_seconds']} s per pass, "
        f"the rest skipped); whole run {results['wall_s']} s.",
        "",
        "| server | ready s | PSS MiB | RSS MiB | qps c=1 | p50 ms | p95 ms | p99 ms | qps c=8 "
        "| p50 ms | p95 ms | p99 ms | answers | failed | skipped |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [_row(name, server) for name, server in servers.items()]
    tail = ["", *ratios(servers)]
    problems = failures(servers)
    if problems:
        tail += ["", "Failed answers:", *problems]
    return "\n".join(head + rows + tail) + "\n"
