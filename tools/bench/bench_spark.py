"""`make bench-spark` (2013 → today, into docs/) and `--quick` (one month, into .local/bench/).

Big-data mode measured against the PostgreSQL path, on the same generated data served by the
stand-in: the load into the Parquet lake against the load into PostgreSQL; the full dbt build
and the incremental build after one new day on each engine; the publish of Spark's marts into
PostgreSQL; and whether the two engines' marts are the same (tools/parity.py). Memory is the
peak resident set of each step's whole process tree (dbt and its JVM, tools/bench/
tree_memory.py). The figures go between the `<!-- bench-spark:start -->` and `<!-- bench-spark:end
-->` lines of benchmarks.md (added at the end of the page the first time) and into
benchmarks-spark.json. Targets are reported, never failed on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from extract import warehouse
from tools import parity
from tools.bench import bench_load, dbt_timings
from tools.bench.bench_chain import (
    DBT,
    DBT_BUILD,
    DBT_DIR,
    DOCS_DIR,
    INCREMENTAL_PCT,
    PROJECT_DIR,
    PYTHON,
    QUICK_DIR,
    Run,
    bench_env,
    new_data,
    save_state,
    start_report,
)
from tools.bench.report import Figure, Report, check_page, rewrite_between
from tools.bench.tree_memory import run_sampled

START, END = "<!-- bench-spark:start -->", "<!-- bench-spark:end -->"
SECTION = f"""
## Big-data mode: PostgreSQL and Spark side by side

`make bench-spark` (tools/bench/bench_spark.py) rewrites only the part between the `{START}` and
`{END}` lines.

{START}
{END}
"""
SPARK_BUILD = [*DBT_BUILD, "--target", "spark"]


@dataclass
class SparkRun(Run):
    """Full history, or with --quick one month (bench_chain's quick size is two)."""

    @property
    def start(self) -> dt.date:
        return self.end - dt.timedelta(days=31) if self.quick else dt.date(2013, 1, 1)


def step(report: Report, name: str, command: list[str], env: dict[str, str], cwd: Path) -> float:
    """Run one measured step and report its time and its process tree's peak memory."""
    seconds, peak, result = run_sampled(command, env, cwd)
    if result.returncode != 0:
        sys.stdout.write((result.stdout + result.stderr)[-4000:])
        raise SystemExit(f"bench-spark: `{' '.join(command)}` failed; see its output above.")
    report.add(Figure(name, seconds, "s", detail=f"peak {peak / 2**20:,.0f} MiB"))
    return seconds


def share(
    report: Report, name: str, part: float, whole: float, what: str, target: float = 0
) -> None:
    """A step's time as a share of another's (the incremental build of its full build...)."""
    figure = Figure(name, 100 * part / whole, f"% of {what}", detail=f"{part:.1f} s")
    if target:
        figure.target, figure.met = f"≤ {target:.0f} %", 100 * part / whole <= target
    report.add(figure)


def environments(
    run: SparkRun, workdir: Path, base_url: str
) -> tuple[dict[str, str], dict[str, str]]:
    """(PostgreSQL side, Spark side): private folders each; Spark publishes into its own
    database, so that the two engines' marts can be compared at the end."""
    postgres = bench_env(run, workdir / "postgres", base_url)
    spark = bench_env(run, workdir / "spark", base_url)
    spark.update(
        PGDATABASE=f"{run.database}_spark",
        WATTLAKE_READER_USER=f"{run.database}_spark_reader",
        WATTLAKE_TARGET="lake",
        WATTLAKE_LAKE_DIR=str(workdir / "spark" / "lake"),
        WATTLAKE_SPARK_DIR=str(workdir / "spark" / "state"),
    )
    return postgres, spark


def measure(run: SparkRun, report: Report, workdir: Path) -> None:
    """Both chains step by step, side by side; each figure is printed as it comes."""
    from tools.standin.server import start_standin

    server, base_url = start_standin(port=0, today=run.today)
    try:
        postgres, spark = environments(run, workdir, base_url)
        for env in (postgres, spark):
            for command in ("ensure", "set-password"):
                step_quietly([PYTHON, "-m", "extract.reader_role", command], env)
        extract = [PYTHON, "-m", "extract"]
        pg_load = step(report, "load into PostgreSQL (schema raw)", extract, postgres, PROJECT_DIR)
        lake_load = step(report, "load into the Parquet lake", extract, spark, PROJECT_DIR)
        share(report, "lake load vs PostgreSQL load", lake_load, pg_load, "PostgreSQL load")
        measure_builds(report, postgres, spark, run)
        differences = compare(postgres["PGDATABASE"], spark["PGDATABASE"])
        report.add(
            Figure(
                "marts that differ between the engines",
                len(differences),
                "differences",
                "0",
                not differences,
                "; ".join(differences)[:300] or "every mart row for row (tools/parity.py)",
            )
        )
    finally:
        server.shutdown()


def measure_builds(report: Report, postgres: dict, spark: dict, run: SparkRun) -> None:
    """Full builds, publish, one new day, incremental builds, publish again."""
    manifest = Path(postgres["DBT_TARGET_PATH"]) / "manifest.json"
    publish = [PYTHON, "-m", "extract.publish", "--manifest", str(manifest)]
    pg_full = step(
        report,
        "full dbt build on PostgreSQL",
        [DBT, *DBT_BUILD, "--full-refresh"],
        postgres,
        DBT_DIR,
    )
    spark_full = step(
        report, "full dbt build on Spark", [DBT, *SPARK_BUILD, "--full-refresh"], spark, DBT_DIR
    )
    share(report, "Spark full build vs PostgreSQL's", spark_full, pg_full, "PostgreSQL build")
    save_state(postgres)  # as make transform does after a build that succeeded
    save_state(spark)
    step(report, "publish: Spark's marts into PostgreSQL", publish, spark, PROJECT_DIR)
    new_day = (run.end + dt.timedelta(days=1)).isoformat()
    postgres["SOURCES__END_DATE"] = spark["SOURCES__END_DATE"] = new_day
    extract = [PYTHON, "-m", "extract"]
    step(report, "one new day into PostgreSQL", extract, postgres, PROJECT_DIR)
    step(report, "one new day into the lake", extract, spark, PROJECT_DIR)
    pg_incr = step(
        report,
        "incremental build on PostgreSQL",
        [DBT, *DBT_BUILD, *new_data(postgres)],
        postgres,
        DBT_DIR,
    )
    share(
        report,
        "PostgreSQL incremental vs its full build",
        pg_incr,
        pg_full,
        "full build",
        INCREMENTAL_PCT,
    )
    spark_incr = step(
        report, "incremental build on Spark", [DBT, *SPARK_BUILD, *new_data(spark)], spark, DBT_DIR
    )
    share(report, "Spark incremental vs its full build", spark_incr, spark_full, "full build", 20)
    for figure in dbt_timings.node_times(spark, spark_incr, "Spark incremental build"):
        report.add(figure)
    step(report, "publish after the new day", publish, spark, PROJECT_DIR)


def step_quietly(command: list[str], env: dict[str, str]) -> None:
    _, _, result = bench_load.run_measured(command, env)
    if result.returncode != 0:
        raise SystemExit(f"bench-spark: `{' '.join(command)}` failed: {result.stderr.strip()}")


def compare(database_a: str, database_b: str) -> list[str]:
    with closing(warehouse.connect(database_a)) as a, closing(warehouse.connect(database_b)) as b:
        return parity.compare(a, b)[0]


def generated_part(report: Report) -> str:
    rows = "\n".join(
        f"| {f.step} | {f.value:,.2f} {f.unit} | {f.target or '–'} | "
        f"{'–' if f.met is None else ('met' if f.met else '**missed**')} | {f.detail} |"
        for f in report.figures
    )
    return f"""\
Made by `make bench-spark` ({report.size} size); benchmarks-spark.json beside this file holds the
same figures.

- Machine: {report.machine}
- Date: {report.started_at}
- Server: {report.server}
- Data: generated by the stand-in for {report.period}; each engine loads it from a landing
  zone of its own. Spark: dbt-spark `session` method, `local[2]`, driver memory
  `WATTLAKE_SPARK_DRIVER_MEMORY` (3g by default), state in a temporary folder.
- Commands: `python -m extract` (`WATTLAKE_TARGET=lake` for the lake); `dbt build
  --exclude-resource-type unit_test [--target spark]`, `--full-refresh` first, then after one
  new day with `--selector new_data --state` (the full build's manifest, as `make transform`);
  `python -m extract.publish`; tools/parity.py on the two databases.

| step | measured | target | | detail |
|---|---|---|---|---|
{rows}

Wall-clock seconds of one run on a shared 2-core machine. Peak memory is the largest sum of
the resident sets of the step's process tree (for Spark: dbt's Python and the JVM).
"""


def page_with_section(page: Path) -> None:
    """Give benchmarks.md this harness's markers, at its end, the first time."""
    text = page.read_text(encoding="utf-8") if page.exists() else "# Benchmarks\n"
    if START not in text:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text.rstrip("\n") + "\n" + SECTION, encoding="utf-8")
    check_page(page, START, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one month instead of 2013 → today")
    parser.add_argument("--output", type=Path, help="where to write benchmarks.md/-spark.json")
    args = parser.parse_args(argv)
    output = args.output or (QUICK_DIR if args.quick else DOCS_DIR)
    page_with_section(output / "benchmarks.md")
    run = SparkRun(args.quick, dt.date.today(), f"{warehouse.settings()['PGDATABASE']}_bench")
    report = start_report(run, [run.database, f"{run.database}_spark"])
    print(f"Benchmark, big-data mode, {report.size}: {report.period}", flush=True)
    with tempfile.TemporaryDirectory(prefix="wattlake-bench-spark-") as tmp:
        measure(run, report, Path(tmp))
    (output / "benchmarks-spark.json").write_text(json.dumps(asdict(report), indent=2) + "\n")
    rewrite_between(output / "benchmarks.md", generated_part(report), START, END, SECTION)
    print(f"Wrote {output / 'benchmarks.md'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
