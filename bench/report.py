"""The results of a run as markdown: a scale's tables, and a summary across the scales.

Memory is compared by PSS, summed over the server's process tree: a page shared by forked
processes counts once in the sum (RSS counts it once per process); RSS is shown beside it.
Ratios are the product's over in-memory `oxigraph serve`'s (higher is better for the product
in throughput, lower in memory and times).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.load import MODES

PEER = "oxigraph-memory"
CLIENTS = {  # what sent the timed passes
    "python": "the timed passes sent by load.py's Python client",
    "wrk": "the timed passes sent by wrk, rdflib-endpoint's by load.py",
}
MODE_WORDS = {
    "cold": "cold: every request's text unique (a first line `# request N`), no cache can help",
    "repeated": "repeated: the mix's texts as they are, sent again and again",
}


def emit(result: dict[str, Any], out: Path | None) -> None:
    """Print a script's results as JSON, and write them to `out` too when given."""
    text = json.dumps(result, indent=1)
    print(text)
    if out:
        out.write_text(text + "\n", encoding="utf-8")


def _cells(values: list[Any]) -> str:
    return "| " + " | ".join("n/a" if v is None else str(v) for v in values) + " |"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "n/a"


def _failed(summary: dict[str, Any]) -> int:
    return sum(summary["failures"].values())


def servers_table(servers: dict[str, Any]) -> list[str]:
    lines = [
        "| server | load s | ready s | PSS MiB ready | PSS MiB after | RSS MiB after "
        "| pinned | verified answers | failed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in servers.items():
        verify = s["verify"]
        lines.append(
            _cells(
                [
                    name,
                    s["load_s"],
                    s["ready_s"],
                    s["pss_mb_ready"],
                    s["pss_mb_after"],
                    s["rss_mb_after"],
                    "yes" if s["pinned"] else "NO",
                    verify["answers"],
                    _failed(verify),
                ]
            )
        )
    return lines


def mode_table(servers: dict[str, Any], mode: str) -> list[str]:
    lines = [
        f"{MODE_WORDS[mode]}:",
        "",
        "| server | qps c=1 | p50 ms | p95 ms | p99 ms | qps c=8 | p50 ms | p95 ms | p99 ms "
        "| answers | failed | skipped | client CPU c=1 / c=8 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in servers.items():
        c1, c8 = s[mode]["c1"], s[mode]["c8"]
        lines.append(
            _cells(
                [
                    name,
                    c1["qps"],
                    c1["p50_ms"],
                    c1["p95_ms"],
                    c1["p99_ms"],
                    c8["qps"],
                    c8["p50_ms"],
                    c8["p95_ms"],
                    c8["p99_ms"],
                    c1["answers"] + c8["answers"],
                    _failed(c1) + _failed(c8),
                    c1["skipped"] + c8["skipped"],
                    f"{c1['client_cpu_share']} / {c8['client_cpu_share']}",
                ]
            )
        )
    return lines


def ratios(servers: dict[str, Any]) -> dict[str, str]:
    """The product's throughput and memory over oxigraph-memory's, and both ready times."""
    mine, theirs = servers.get("product"), servers.get(PEER)
    if mine is None or theirs is None:
        return {}
    found = {
        f"{m} c={c}": _ratio(mine[m][f"c{c}"]["qps"], theirs[m][f"c{c}"]["qps"])
        for m in MODES
        for c in (1, 8)
    }
    found["PSS"] = _ratio(mine["pss_mb_after"], theirs["pss_mb_after"])
    found["RSS"] = _ratio(mine["rss_mb_after"], theirs["rss_mb_after"])
    return found


def failures(servers: dict[str, Any]) -> list[str]:
    lines = []
    for name, server in servers.items():
        passes = [("verify", server["verify"])]
        passes += [(f"{m} c{c}", server[m][f"c{c}"]) for m in MODES for c in (1, 8)]
        for where, summary in passes:
            for what, n in sorted(summary["failures"].items()):
                lines.append(f"- {name} {where}: {what} (x{n})")
    return lines


def preparation(result: dict[str, Any]) -> str:
    prep, own = result["prepare"], result["srg_load"]
    words = [f"generated in {result['generate_s']} s" if result["generate_s"] else "no generation"]
    words.append(
        "prepared (process: "
        + (
            "reused"
            if prep.get("reused")
            else f"{prep.get('wall_s')} s, peak {prep.get('peak_mb')} MiB"
        )
        + "): "
        + ", ".join(f"{k} {v} s" for k, v in prep["seconds"].items())
    )
    if own:
        words.append("`srg build` + `srg load`: " + ", ".join(f"{k} {v}" for k, v in own.items()))
    return "; ".join(words) + "."


def scale_markdown(result: dict[str, Any]) -> str:
    servers, plan = result["servers"], result["plan"]
    before, after = result["load_average"]["before"], result["load_average"]["after"]
    head = [
        f"## {result['scale']}: {result['quads']} quads ({result['generated_quads']} generated)",
        "",
        f"{result['rounds']} interleaved rounds (of {plan['rounds']}); a pass: whole mixes for "
        f"{plan['pass_seconds']} s, nothing sent after {plan['pass_cap_s']} s "
        f"(rdflib-endpoint: {plan['rdflib_rounds']} round, {plan['rdflib_pass_cap_s']} s, "
        f"{plan['rdflib_timeout_s']} s per request); servers on core {plan['server_core']}, "
        f"client on core {plan['client_core']} ({plan.get('client', 'python')}: "
        f"{CLIENTS[plan.get('client', 'python')]}); load average {before[0]:.1f} before, "
        f"{after[0]:.1f} after; whole scale {result['wall_s']} s.",
        "",
        preparation(result),
        "",
        *servers_table(servers),
    ]
    body = []
    for mode in MODES:
        body += ["", *mode_table(servers, mode)]
    found = ratios(servers)
    if found:
        body += [
            "",
            f"product / {PEER}: " + ", ".join(f"{k} {v}" for k, v in found.items()) + ".",
        ]
    problems = failures(servers)
    if problems:
        body += ["", "Failed answers:", *problems]
    return "\n".join(head + body) + "\n"


def _get(servers: dict[str, Any], name: str, *keys: str) -> Any:
    value: Any = servers.get(name)
    for key in keys:
        if value is None:
            return None
        value = value.get(key)
    return value


def summary_markdown(whole: dict[str, Any]) -> str:
    """Per scale: the ratios product / oxigraph-memory, then every server's headline numbers
    and where the run's time went."""
    lines = [
        f"Whole run {whole['wall_s']} s. Ratios: product / {PEER} (throughput: above 1 the "
        "product is faster; PSS: below 1 it uses less).",
        "",
        "| scale | quads | cold c=1 | cold c=8 | repeated c=1 | repeated c=8 | PSS "
        f"| ready s product | ready s {PEER} | load s product | load s oxigraph-disk |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in whole["scales"]:
        s, r = result["servers"], ratios(result["servers"])
        lines.append(
            _cells(
                [
                    result["scale"],
                    result["quads"],
                    *(r.get(f"{m} c={c}") for m in MODES for c in (1, 8)),
                    r.get("PSS"),
                    _get(s, "product", "ready_s"),
                    _get(s, PEER, "ready_s"),
                    _get(s, "product", "load_s"),
                    _get(s, "oxigraph-disk", "load_s"),
                ]
            )
        )
    lines += [
        "",
        "| scale | server | qps cold c=1 | cold c=8 | repeated c=1 | repeated c=8 "
        "| p50 ms cold c=1 | p50 ms repeated c=1 | PSS MiB | ready s | load s | failed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in whole["scales"]:
        for name, s in result["servers"].items():
            failed = _failed(s["verify"]) + sum(
                _failed(s[m][f"c{c}"]) for m in MODES for c in (1, 8)
            )
            lines.append(
                _cells(
                    [
                        result["scale"],
                        name,
                        *(s[m][f"c{c}"]["qps"] for m in MODES for c in (1, 8)),
                        s["cold"]["c1"]["p50_ms"],
                        s["repeated"]["c1"]["p50_ms"],
                        s["pss_mb_after"],
                        s["ready_s"],
                        s["load_s"],
                        failed,
                    ]
                )
            )
    lines += [
        "",
        "| scale | generate s | prepare s (process) | srg load s (peak MiB) | rounds "
        "| scale wall s |",
        "|---|---|---|---|---|---|",
    ]
    for result in whole["scales"]:
        own = result["srg_load"] or {}
        load = f"{own['load_s']} ({own['load_peak_mb']})" if "load_s" in own else None
        lines.append(
            _cells(
                [
                    result["scale"],
                    result["generate_s"],
                    result["prepare"].get("wall_s"),
                    load,
                    result["rounds"],
                    result["wall_s"],
                ]
            )
        )
    return "\n".join(lines) + "\n"
