"""`make bench` (2013 → today, into docs/) and `make bench-quick` (two months, into .local/bench/).

The real chain (dlt, dbt, the dashboard's SQL) runs on the stand-in's generated data, in a private
database `<PGDATABASE>_bench` of the server the PG* variables name. Each step's wall time and peak
memory goes into benchmarks.json and between the `<!-- bench:start -->` and `<!-- bench:end -->`
lines of benchmarks.md (the rest of the page is kept). Targets are flagged, never failed on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from extract import warehouse
from tools.bench import bench_load
from tools.bench.bench_load import LOAD_PEAK_MB, LOAD_VS_COPY, LOAD_VS_COPY_BEFORE
from tools.bench.dbt_timings import dbt_fixed_costs
from tools.bench.report import Figure, Report, check_page, rewrite_between

PROJECT_DIR = Path(__file__).resolve().parents[2]
DOCS_DIR = PROJECT_DIR / "docs"
QUICK_DIR = PROJECT_DIR / ".local" / "bench"
PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))
DBT_DIR = PROJECT_DIR / "dbt_project"
# What `make transform` runs (DBT_BUILD in the Makefile): data tests, no unit tests; once a build
# has succeeded, only selector new_data, against that build's manifest (NEW_DATA, SAVE_STATE).
DBT_BUILD = ["build", "--exclude-resource-type", "unit_test"]


def new_data(env: dict[str, str]) -> list[str]:
    """make transform's NEW_DATA: the selector, against the state `save_state` kept."""
    return ["--selector", "new_data", "--state", str(state_dir(env))]


def state_dir(env: dict[str, str]) -> Path:
    return Path(env["DBT_TARGET_PATH"]).with_name("dbt_state")


def save_state(env: dict[str, str]) -> None:
    """make transform's SAVE_STATE: keep the manifest of the build that just succeeded."""
    state_dir(env).mkdir(exist_ok=True)
    shutil.copyfile(
        Path(env["DBT_TARGET_PATH"]) / "manifest.json", state_dir(env) / "manifest.json"
    )


# The targets (issue 20), each with the one it replaced, shown beside it in the report.
INCREMENTAL_PCT, INCREMENTAL_PCT_BEFORE = 5, 10  # incremental dbt build, % of the full build
QUERY_P95_MS, QUERY_P95_MS_BEFORE = 50, 100  # every dashboard query on full-history marts


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cores = f"{os.cpu_count()} cores ({cpu})"
    return f"{platform.system()} {platform.release()}, {cores}, {memory_gib:.0f} GiB"


def timed(command: list[str], env: dict[str, str], cwd: Path = PROJECT_DIR) -> tuple[float, float]:
    """Run a command; return (wall seconds, its peak RSS in MiB)."""
    seconds, peak_bytes, result = bench_load.run_measured(command, env, cwd)
    if result.returncode != 0:
        sys.stdout.write((result.stdout + result.stderr)[-4000:])
        raise SystemExit(f"bench: `{' '.join(command)}` failed; see its output above.")
    return seconds, peak_bytes / 2**20


def dashboard_query_times(env: dict[str, str], repeats: int) -> list[Figure]:
    """Every query of dashboard/queries.py that has example parameters, timed on the marts."""
    import psycopg2

    from dashboard import db, queries

    examples = getattr(queries, "BENCH_EXAMPLES", {})
    figures = []
    # as the dashboard connects: the reader role, read-only, search_path marts (dashboard/db.py)
    conn = psycopg2.connect(
        host=env.get("PGHOST", warehouse.DEFAULTS["PGHOST"]),
        port=env["PGPORT"],
        user=env["WATTLAKE_READER_USER"],
        password=env["WATTLAKE_READER_PASSWORD"],
        dbname=env["PGDATABASE"],
        options="-c search_path=marts -c default_transaction_read_only=on",
    )
    psycopg2.extensions.register_type(db.NUMERIC_AS_FLOAT, conn)  # as the dashboard reads them
    with closing(conn), conn.cursor() as cur:
        for name, params in examples.items():
            # as db.query reads it: the DataFrame built, and sorted where the page sorts it
            read = (cur, getattr(queries, name), params, getattr(queries, f"{name}_SORT", ()))
            db.read_frame(*read)  # warm the cache once, as a running app would
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                db.read_frame(*read)
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            p50 = statistics.median(samples)
            p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
            figures.append(
                Figure(
                    f"dashboard query {name} p95",
                    p95,
                    "ms",
                    f"≤ {QUERY_P95_MS} ms",
                    p95 <= QUERY_P95_MS,
                    f"p50 {p50:.1f} ms over {repeats} runs",
                    f"≤ {QUERY_P95_MS_BEFORE} ms",
                )
            )
    return figures


START, END = "<!-- bench:start -->", "<!-- bench:end -->"
NEW_PAGE = f"""# Benchmarks

`make bench` rewrites only the part of this page between the `{START}` and `{END}` lines.

{START}
{END}
"""


@dataclass
class Run:
    """One benchmark: its size, its database, and the period of data it loads."""

    quick: bool
    today: dt.date
    database: str

    @property
    def end(self) -> dt.date:
        """The consolidated éCO2mix data stops about a month before today, as the real one does."""
        return self.today - dt.timedelta(days=40)

    @property
    def start(self) -> dt.date:
        return self.end - dt.timedelta(days=61) if self.quick else dt.date(2013, 1, 1)


def generated_part(report: Report) -> str:
    """What goes between the page's markers: the run's setting and its figures."""
    rows = "\n".join(
        f"| {f.step} | {f.value:,.2f} {f.unit} | {f.target or '–'} | "
        f"{'–' if f.met is None else ('met' if f.met else '**missed**')} | "
        f"{f.previous_target or '–'} | {f.detail} |"
        for f in report.figures
    )
    return f"""\
Made by `make bench` ({report.size} size). Re-run it to get figures for your machine; the JSON
beside this file holds the same figures for tools.

- Machine: {report.machine}
- Date: {report.started_at}
- Server: {report.server}
- Data: generated by `tools/standin/generator/` for {report.period}, served by the local
  stand-in in the real formats, loaded by the real chain.
- Commands: `python -m extract` (full, then nothing new, then one new day); `dbt build
  --exclude-resource-type unit_test` (what `make transform` runs) with `--full-refresh`, then
  after the new day with `--selector new_data --state` (the full build's manifest), then again
  on every node, then a plain `dbt build` (unit tests included); `dbt docs generate`; each
  dashboard query repeated on the built marts.

| step | measured | target | | previous target | detail |
|---|---|---|---|---|---|
{rows}

Times are wall-clock seconds of one run on a shared 2-core machine: expect a few percent of noise.
Peak memory is the peak resident set of the step's process tree.
"""


def write_report(report: Report, directory: Path) -> Path:
    """benchmarks.json, whole; benchmarks.md between its markers only (a new page if none)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "benchmarks.json").write_text(json.dumps(asdict(report), indent=2) + "\n")
    page = directory / "benchmarks.md"
    rewrite_between(page, generated_part(report), START, END, NEW_PAGE)
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two months instead of 2013 → today")
    parser.add_argument("--output", type=Path, help="where to write benchmarks.md/.json")
    args = parser.parse_args(argv)
    output = args.output or (QUICK_DIR if args.quick else DOCS_DIR)
    check_page(output / "benchmarks.md", START, END)
    run = Run(args.quick, dt.date.today(), f"{warehouse.settings()['PGDATABASE']}_bench")
    report = start_report(run, [run.database])
    print(f"Benchmark, {report.size}: {report.period} on {report.server}", flush=True)
    with tempfile.TemporaryDirectory(prefix="wattlake-bench-", ignore_cleanup_errors=True) as tmp:
        measure(run, report, Path(tmp))
    page = write_report(report, output)
    missed = [f.step for f in report.figures if f.met is False]
    print(f"Wrote {page}; missed targets: {', '.join(missed) or 'none'}.")
    return 0


def start_report(run: Run, databases: list[str]) -> Report:
    """Start the embedded server if it is the one used, give each of `databases` a fresh start,
    and open the report (both harnesses begin so)."""
    if warehouse.is_embedded():
        warehouse.start_embedded()
    warehouse.wait_until_ready()
    for database in databases:
        bench_load.fresh_database(database)
    return Report(
        size="quick" if run.quick else "full-history",
        period=f"{run.start} → {run.end} (+ one day)",
        machine=machine(),
        started_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        server=f"{warehouse.describe()} (database{'s' * (len(databases) > 1)} "
        f"{', '.join(databases)})",
    )


def measure(run: Run, report: Report, workdir: Path) -> None:
    """The chain's steps in order, on the stand-in's data; each figure is printed as it comes."""
    from tools.standin.server import start_standin

    server, base_url = start_standin(port=0, today=run.today)
    try:
        env = bench_env(run, workdir, base_url)
        for figure in copy_vs_load(workdir, quick=run.quick):
            report.add(figure)
        measure_extract(report, env)
        build_s = measure_full_build(report, env)
        env["SOURCES__END_DATE"] = (run.end + dt.timedelta(days=1)).isoformat()
        measure_new_day(report, env, build_s)
        for figure in dashboard_query_times(env, repeats=5 if run.quick else 30):
            report.add(figure)
    finally:
        server.shutdown()


def bench_env(run: Run, workdir: Path, base_url: str) -> dict[str, str]:
    """The environment of every step: the bench database, private folders, the stand-in."""
    return {
        **os.environ,
        "PGDATABASE": run.database,
        "PGPORT": warehouse.settings()["PGPORT"],
        "PYTHONPATH": str(PROJECT_DIR),
        "WATTLAKE_LANDING_DIR": str(workdir / "raw"),
        "WATTLAKE_STATE_DIR": str(workdir / "dlt"),
        "DBT_TARGET_PATH": str(workdir / "dbt_target"),
        "DBT_LOG_PATH": str(workdir / "dbt_logs"),
        "DBT_PROFILES_DIR": str(DBT_DIR),
        # a reader role of the bench database's own; its password is set here on every run
        "WATTLAKE_READER_USER": f"{run.database}_reader",
        "WATTLAKE_READER_PASSWORD": secrets.token_urlsafe(24),
        "SOURCES__ECO2MIX__BASE_URL": base_url,
        "SOURCES__OPEN_METEO__BASE_URL": base_url,
        "SOURCES__OPEN_METEO__FORECAST_BASE_URL": base_url,
        "SOURCES__OPEN_METEO__PACING": "off",
        "SOURCES__START_DATE": run.start.isoformat(),
        "SOURCES__END_DATE": run.end.isoformat(),
    }


def measure_extract(report: Report, env: dict[str, str]) -> None:
    """The full extract, then the same again with nothing new."""
    full_s, full_mb = timed([PYTHON, "-m", "extract"], env)
    report.add(Figure("full extract", full_s, "s", detail=f"peak {full_mb:,.0f} MiB"))
    again_s, again_mb = timed([PYTHON, "-m", "extract"], env)
    share = again_s / full_s
    report.add(
        Figure(
            "re-run, nothing new",
            100 * share,
            "% of full extract",
            "≤ 5 %",
            share <= 0.05,
            f"{again_s:.1f} s, peak {again_mb:,.0f} MiB",
        )
    )


def measure_full_build(report: Report, env: dict[str, str]) -> float:
    """The reader role as `make transform` sets it up, then a full dbt build; its seconds."""
    for command in ("ensure", "set-password"):
        timed([PYTHON, "-m", "extract.reader_role", command], env)
    build_s, build_mb = timed([DBT, *DBT_BUILD, "--full-refresh"], env, DBT_DIR)
    save_state(env)
    report.add(Figure("full dbt build", build_s, "s", detail=f"peak {build_mb:,.0f} MiB"))
    return build_s


def measure_new_day(report: Report, env: dict[str, str], build_s: float) -> None:
    """One new day: its extract, the incremental build (without, then with unit tests), docs."""
    day_s, day_mb = timed([PYTHON, "-m", "extract"], env)
    report.add(Figure("extract, one new day", day_s, "s", detail=f"peak {day_mb:,.0f} MiB"))
    incr_s, incr_mb = timed([DBT, *DBT_BUILD, *new_data(env)], env, DBT_DIR)
    share = incr_s / build_s
    report.add(
        Figure(
            "incremental dbt build, one new day",
            100 * share,
            "% of full build",
            f"≤ {INCREMENTAL_PCT} %",
            100 * share <= INCREMENTAL_PCT,
            f"{incr_s:.1f} s, peak {incr_mb:,.0f} MiB",
            f"≤ {INCREMENTAL_PCT_BEFORE} %",
        )
    )
    for figure in dbt_fixed_costs(env, incr_s):
        report.add(figure)
    save_state(env)
    every_s, _ = timed([DBT, *DBT_BUILD], env, DBT_DIR)
    report.add(
        Figure(
            "the same, nothing new, every node (`make transform FULL=1`)",
            100 * every_s / build_s,
            "% of full build",
            detail=f"{every_s:.1f} s",
        )
    )
    unit_s, _ = timed([DBT, "build"], env, DBT_DIR)
    report.add(
        Figure(
            "the same with the unit tests (`dbt build`)",
            100 * unit_s / build_s,
            "% of full build",
            detail=f"{unit_s:.1f} s",
        )
    )
    docs_s, docs_mb = timed([DBT, "docs", "generate"], env, DBT_DIR)
    report.add(Figure("dbt docs generate", docs_s, "s", detail=f"peak {docs_mb:,.0f} MiB"))


def copy_vs_load(workdir: Path, quick: bool) -> list[Figure]:
    """COPY of a generated regional CSV vs the project's raw load of the same file (medians of
    side-by-side rounds, tools/bench/bench_load.py)."""
    path = workdir / "sample-regional.csv"
    rows = bench_load.write_sample(path, 50_000 if quick else 1_000_000)
    result = bench_load.compare(path, workdir / "copy_vs_load", rounds=1 if quick else 3)
    rounds = len(result.load_s)
    spread = f"{min(result.round_ratios):.2f}–{max(result.round_ratios):.2f}"
    return [
        Figure(
            f"PostgreSQL COPY of {rows:,} regional rows",
            statistics.median(result.copy_s),
            "s",
            detail=f"median of {rounds}",
        ),
        Figure(
            "raw load of the same file, vs COPY",
            result.ratio,
            "× COPY",
            f"≤ {LOAD_VS_COPY}×",
            result.ratio <= LOAD_VS_COPY,
            f"{statistics.median(result.load_s):.1f} s (median of {rounds}; rounds {spread})",
            f"≤ {LOAD_VS_COPY_BEFORE}×",
        ),
        Figure(
            "peak memory of that load",
            result.peak_bytes / 1e6,
            "MB",
            f"≤ {LOAD_PEAK_MB} MB",
            result.peak_bytes / 1e6 <= LOAD_PEAK_MB,
            "largest resident set of the `python -m extract` process over the rounds",
        ),
        *(
            Figure(f"raw load phase: {phase}", seconds, "s", detail="one more load, same file")
            for phase, seconds in bench_load.timed_phases(path, workdir).items()
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
