"""The project's raw load of an éCO2mix CSV, timed against PostgreSQL's own COPY of the same file.

`python -m tools.bench.bench_load [--rows 1000000] [--rounds 3]` runs both side by side in fresh
databases of the server the PG* variables name, in alternating order, each from settled disks
(sync, CHECKPOINT), and prints each round, the medians, their ratio (target ≤ 2) and the load's
peak memory. `make bench` reports the same comparison. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2.errors

from extract import warehouse

DATASET = "eco2mix-regional-cons-def"
ROWS_PER_DAY = 12 * 48  # regions × half hours
PROJECT_DIR = Path(__file__).resolve().parents[2]
# The targets (issue 20), and the ratio target they replaced.
LOAD_VS_COPY, LOAD_VS_COPY_BEFORE = 1.5, 2  # × PostgreSQL's own COPY of the same file
LOAD_PEAK_MB = 400  # peak RSS of that load, in MB (10^6 bytes)


def write_sample(path: Path, rows: int) -> int:
    """An export of about `rows` rows, whole days from 2015-01-01 (ODRÉ's format and quirks)."""
    from tools.standin.generator import write_dataset

    start = dt.date(2015, 1, 1)
    end = start + dt.timedelta(days=-(-rows // ROWS_PER_DAY))
    return write_dataset(DATASET, path, start, end)


def _as_admin(*statements: str) -> None:
    with closing(warehouse.connect("postgres")) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)


def fresh_database(name: str) -> None:
    _as_admin(f'drop database if exists "{name}" with (force)', f'create database "{name}"')


def drop_database(name: str) -> None:
    _as_admin(f'drop database if exists "{name}" with (force)')


def settle() -> None:
    """Write out the dirty pages of the system (the sample just generated) and of the server (the
    last step's rows) now, so that the next timed step does not pay for them."""
    os.sync()
    # CHECKPOINT needs a superuser or the pg_checkpoint role; without it the alternating order
    # still shares that cost between the two steps
    with suppress(psycopg2.errors.InsufficientPrivilege):
        _as_admin("checkpoint")


def time_copy(path: Path, database: str) -> float:
    """Seconds for PostgreSQL to COPY the file into an all-text table of the same shape."""
    header = path.open(encoding="utf-8-sig").readline().rstrip("\r\n").split(";")
    with closing(warehouse.connect(database)) as conn, conn.cursor() as cur:
        columns = ", ".join(f'"{name}" text' for name in header)
        cur.execute(f"create table eco2mix_regional ({columns})")
        conn.commit()
        started = time.perf_counter()
        with open(path, "rb") as handle:
            cur.copy_expert(
                "copy eco2mix_regional from stdin with (format csv, delimiter ';', header true)",
                handle,
                size=1 << 20,
            )
        conn.commit()
        return time.perf_counter() - started


# Linux carries a process's peak RSS over fork and exec, so a command started straight from
# this (large) process would report at least our own size. A small Python starts it instead and
# reports the peak of its only child.
_PEAK_REPORTER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def run_measured(
    command: list[str], env: dict[str, str], cwd: Path = PROJECT_DIR
) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run a command; return its wall seconds, its own peak RSS in bytes, and its result."""
    with tempfile.NamedTemporaryFile("r", suffix=".maxrss") as peak:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", _PEAK_REPORTER, peak.name, *command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        peak_kib = int(peak.read() or 0)
    return seconds, peak_kib * 1024, result


def time_project_load(path: Path, database: str, workdir: Path) -> tuple[float, int, str]:
    """Seconds, peak RSS (bytes) and output of `python -m extract eco2mix` on the file."""
    env = _load_env(path, database, workdir)
    seconds, peak_bytes, result = run_measured([sys.executable, "-m", "extract", "eco2mix"], env)
    if result.returncode != 0:
        raise SystemExit(f"the project's load failed:\n{result.stdout}\n{result.stderr}")
    return seconds, peak_bytes, result.stdout


# The progress lines `python -m extract` prints as it goes (extract/pipeline.py `progress`),
# each starting a phase of the load; the last phase ends when the process exits.
PHASES = {
    "eco2mix: extract": "extract: read the CSV, write dlt's extract files",
    "eco2mix: normalize": "normalize: write the load files",
    "eco2mix: load": "load: COPY, merge, dlt's state and load log",
}


def load_phases(path: Path, database: str, workdir: Path) -> dict[str, float]:
    """Seconds of each phase of one `python -m extract eco2mix` of the file into a fresh
    `database`, read from when its progress lines arrive: process start and imports (timed on
    their own), the bookkeeping before the first phase (lock, dlt state sync, duplicate check),
    then each phase of PHASES."""
    fresh_database(database)
    env = _load_env(path, database, workdir)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import extract.__main__"], env=env, check=True)
    imports_s = time.perf_counter() - started
    settle()
    arrivals: list[tuple[str, float]] = []
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-u", "-m", "extract", "eco2mix"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        for line in process.stdout or []:
            if line.strip() in PHASES:
                arrivals.append((PHASES[line.strip()], time.perf_counter() - started))
    ended = time.perf_counter() - started
    if process.returncode != 0 or len(arrivals) < len(PHASES):
        raise SystemExit(
            f"the project's load failed or printed no progress (exit {process.returncode})"
        )
    # The imports are timed in a process of their own, the rest in the load's: the two can differ
    # by a tenth of a second, so the bookkeeping is what remains before the first phase, or 0.
    phases = {"process start and imports": imports_s}
    phases["bookkeeping before extract (lock, dlt state)"] = max(0.0, arrivals[0][1] - imports_s)
    phases["process start to the first phase, in the load's process"] = arrivals[0][1]
    for (name, at), (_, until) in zip(arrivals, [*arrivals[1:], ("", ended)], strict=True):
        phases[name] = phases.get(name, 0) + until - at  # a deferred file means a second load
    return phases


def timed_phases(path: Path, workdir: Path) -> dict[str, float]:
    """load_phases in a database of its own, dropped afterwards."""
    database = f"{warehouse.settings()['PGDATABASE']}_bench_phases"
    try:
        return load_phases(path, database, workdir / "phases")
    finally:
        drop_database(database)


def _load_env(path: Path, database: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PGDATABASE=database,
        WATTLAKE_LANDING_DIR=str(workdir / "raw"),
        WATTLAKE_STATE_DIR=str(workdir / "dlt"),
        SOURCES__ECO2MIX__LOCAL_PATH=str(path),
        PYTHONPATH=str(PROJECT_DIR),
    )
    env.setdefault("PGHOST", warehouse.settings()["PGHOST"])
    return env


@dataclass
class Comparison:
    """Wall seconds of each round's COPY and project load, the loads' peak RSS and last output."""

    copy_s: list[float] = field(default_factory=list)
    load_s: list[float] = field(default_factory=list)
    peak_bytes: int = 0
    output: str = ""

    @property
    def ratio(self) -> float:
        """The project's median load time over COPY's median time."""
        return statistics.median(self.load_s) / statistics.median(self.copy_s)

    @property
    def round_ratios(self) -> list[float]:
        return [load / copy for copy, load in zip(self.copy_s, self.load_s, strict=True)]


def compare(path: Path, workdir: Path, rounds: int = 3, report=None) -> Comparison:
    """COPY of `path` against the project's load of it, `rounds` times side by side.

    Each round uses fresh databases and its own landing zone and dlt state; COPY goes first in
    odd rounds and second in even ones; each step starts settled (`settle`).
    `report(round, copy_s, load_s)` is called after each round.
    """
    base = warehouse.settings()["PGDATABASE"]
    copy_db, load_db = f"{base}_bench_copy", f"{base}_bench_load"
    result = Comparison()
    try:
        for number in range(1, rounds + 1):
            fresh_database(copy_db)
            fresh_database(load_db)
            for step in ("copy", "load") if number % 2 else ("load", "copy"):
                settle()
                if step == "copy":
                    result.copy_s.append(time_copy(path, copy_db))
                else:
                    seconds, peak, result.output = time_project_load(
                        path, load_db, workdir / f"round-{number}"
                    )
                    result.load_s.append(seconds)
                    result.peak_bytes = max(result.peak_bytes, peak)
            if report:
                report(number, result.copy_s[-1], result.load_s[-1])
    finally:
        drop_database(copy_db)
        drop_database(load_db)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.bench_load", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the sample file")
    parser.add_argument("--file", type=Path, help="use this export instead of generating one")
    parser.add_argument("--rounds", type=int, default=3, help="side-by-side rounds (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wattlake_bench_") as folder:
        workdir = Path(folder)
        path = args.file or workdir / f"{DATASET}.csv"
        if not args.file:
            started = time.perf_counter()
            rows = write_sample(path, args.rows)
            print(
                f"Sample: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB "
                f"({time.perf_counter() - started:.1f} s to generate)"
            )
        print(f"Server: {warehouse.describe()}")
        result = compare(
            path,
            workdir,
            args.rounds,
            report=lambda n, copy_s, load_s: print(
                f"Round {n}: COPY {copy_s:5.2f} s, project load (whole CLI) {load_s:5.2f} s, "
                f"ratio {load_s / copy_s:.2f}",
                flush=True,
            ),
        )
        summary = [line.strip() for line in result.output.splitlines() if "rows" in line]
        print(f"  {summary[-1] if summary else result.output.strip().splitlines()[-1]}")
        low, high = min(result.round_ratios), max(result.round_ratios)
        print(f"COPY of the file (median):  {statistics.median(result.copy_s):6.2f} s")
        print(
            f"Project load (median):      {statistics.median(result.load_s):6.2f} s, "
            f"peak RSS {result.peak_bytes / 2**20:.0f} MiB"
        )
        print(
            f"Ratio load / COPY:          {result.ratio:6.2f} "
            f"(rounds {low:.2f}–{high:.2f}; target ≤ {LOAD_VS_COPY})"
        )
        print("One more load, phase by phase:")
        for phase, seconds in timed_phases(path, workdir).items():
            print(f"  {phase + ':':<50} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
