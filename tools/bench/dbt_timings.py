"""Where a dbt command's time went, read from dbt's own log and run_results.json."""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from pathlib import Path

from tools.bench.report import Figure


def dbt_fixed_costs(env: dict[str, str], cli_s: float) -> list[Figure]:
    """Where the last dbt command's `cli_s` went, from its own log and run_results.json: the
    process start before dbt's clock, parsing (partial parsing, warm), running the nodes, and
    the per-test cost; dbt's own CPU time says how much of it is dbt's Python, not the server."""
    log = (Path(env["DBT_LOG_PATH"]) / "dbt.log").read_text(encoding="utf-8")
    last_run = log[log.rfind("\n", 0, log.rindex("Running with dbt=")) + 1 :]  # its line on
    stamps = {
        name: dt.datetime.strptime(found.group(1), "%H:%M:%S.%f")
        for name, pattern in (("start", r"Running with dbt="), ("ready", r"Concurrency: "))
        if (found := re.search(rf"(\d\d:\d\d:\d\d\.\d+) .*{pattern}", last_run))
    }
    resources = json.loads(re.findall(r"Resource report: (\{.*\})", last_run)[-1])
    results = json.loads((Path(env["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    tests = [r["execution_time"] for r in results["results"] if r["unique_id"].startswith("test.")]
    dbt_s = resources["command_wall_clock_time"]
    parse_s = (stamps["ready"] - stamps["start"]).total_seconds()
    run_s = results["elapsed_time"]
    cpu_s = resources["process_user_time"] + resources["process_kernel_time"]
    nodes = len(results["results"])
    return [
        Figure("incremental build: process start, imports", cli_s - dbt_s, "s"),
        Figure("incremental build: parsing (partial, warm)", parse_s, "s"),
        Figure(
            "incremental build: running the nodes",
            run_s,
            "s",
            detail=f"{nodes} nodes; {len(tests)} data tests, median "
            f"{1000 * statistics.median(tests or [0]):.0f} ms each, {sum(tests):.1f} s in all "
            "(summed over the threads)",
        ),
        Figure(
            "incremental build: dbt's own CPU time",
            cpu_s,
            "s",
            detail=f"{100 * cpu_s / cli_s:.0f} % of the command's wall time",
        ),
    ]


NODE_KINDS = {
    "on-run-start and on-run-end hooks": ("operation.",),
    "models and seeds": ("model.", "seed."),
    "data tests": ("test.",),
}


def node_times(env: dict[str, str], cli_s: float, label: str) -> list[Figure]:
    """Where the last dbt build's `cli_s` went, from run_results.json: the time before and
    around the nodes (process start, imports, parsing), then the hooks (on Spark's `session`
    method the first one also starts the Spark session; macros/lake_tables.sql registers the
    lake there), the models and seeds, the data tests, each with its slowest nodes."""
    results = json.loads((Path(env["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    nodes = results["results"]
    in_nodes = sum(node["execution_time"] for node in nodes)
    figures = [
        Figure(
            f"{label}: outside the nodes",
            cli_s - in_nodes,
            "s",
            detail="process start, imports, parsing, dbt's bookkeeping between nodes",
        )
    ]
    for kind, prefixes in NODE_KINDS.items():
        chosen = sorted(
            (node for node in nodes if node["unique_id"].startswith(prefixes)),
            key=lambda node: -node["execution_time"],
        )
        times = [node["execution_time"] for node in chosen]
        slowest = ", ".join(
            f"{node['unique_id'].split('.')[2][:48]} {node['execution_time']:.1f} s"
            for node in chosen[:3]
        )
        figures.append(
            Figure(
                f"{label}: {kind}",
                sum(times),
                "s",
                detail=f"{len(chosen)} nodes, median {1000 * statistics.median(times or [0]):.0f}"
                f" ms; slowest: {slowest or 'none'} (threads summed)",
            )
        )
    return figures
