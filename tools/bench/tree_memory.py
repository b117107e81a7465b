"""A command's wall time and the peak resident memory of its whole process tree.

bench_load.run_measured reports a command's own peak (the kernel's ru_maxrss, the largest single
process). dbt on Spark is two big processes: dbt's Python and the JVM that pyspark starts under
it, alive at the same time. Their sum is what the machine must hold, so this samples the RSS of
the command and all its descendants (psutil) every `interval_s` and keeps the largest total.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import psutil

INTERVAL_S = 0.25


def tree_rss(process: psutil.Process) -> int:
    """Bytes resident in `process` and its descendants now (those that vanish count nothing)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def run_sampled(
    command: list[str], env: dict[str, str], cwd: Path, interval_s: float = INTERVAL_S
) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run a command; return its wall seconds, its tree's peak RSS in bytes, and its result
    (output captured in temporary files, so a chatty command cannot fill a pipe)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        watched, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            peak = max(peak, tree_rss(watched))
            time.sleep(interval_s)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, child.returncode, out.read(), err.read())
    return seconds, peak, result
