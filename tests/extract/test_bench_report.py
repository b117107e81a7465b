"""The benchmark's report: where an incremental dbt build's time goes (tools/bench/bench_chain.py),
read from dbt's own log and run_results.json, and the targets it shows beside the old ones."""

import json

import pytest

from tools.bench import bench_chain, dbt_timings
from tools.bench.report import Figure, Report


def _invocation(started: str, ready: str, wall_s: float, user_s: float) -> str:
    report = {
        "command_name": "build",
        "command_wall_clock_time": wall_s,
        "process_user_time": user_s,
        "process_kernel_time": 0.5,
    }
    return (
        f"\x1b[0m{started} [info ] [MainThread]: Running with dbt=1.11.16\n"
        f"\x1b[0m{ready} [info ] [MainThread]: Concurrency: 4 threads (target='dev')\n"
        f"\x1b[0m06:39:32.9 [debug] [MainThread]: Resource report: {json.dumps(report)}\n"
    )


def test_fixed_costs_are_read_from_the_last_dbt_command(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "target").mkdir()
    (tmp_path / "logs" / "dbt.log").write_text(
        _invocation("06:36:50.000000", "06:36:58.000000", 139.0, 12.0)
        + _invocation("06:39:22.500000", "06:39:23.750000", 10.0, 8.0)
    )
    results = [
        {"unique_id": "model.wattlake.fct_a", "execution_time": 1.0},
        {"unique_id": "test.wattlake.not_null_a", "execution_time": 0.1},
        {"unique_id": "test.wattlake.unique_a", "execution_time": 0.3},
    ]
    (tmp_path / "target" / "run_results.json").write_text(
        json.dumps({"elapsed_time": 7.5, "results": results})
    )
    env = {"DBT_LOG_PATH": str(tmp_path / "logs"), "DBT_TARGET_PATH": str(tmp_path / "target")}

    start, parse, run, cpu = dbt_timings.dbt_fixed_costs(env, cli_s=12.5)

    assert start.value == pytest.approx(2.5)  # the command's wall time before dbt's clock
    assert parse.value == pytest.approx(1.25)  # the last command's, not the first's 8 s
    assert run.value == 7.5
    assert "3 nodes; 2 data tests, median 200 ms each, 0.4 s in all" in run.detail
    assert cpu.value == pytest.approx(8.5)


def test_node_times_split_a_build_by_kind_with_its_slowest_nodes(tmp_path):
    results = [
        {"unique_id": "operation.wattlake.wattlake-on-run-start-0", "execution_time": 30.0},
        {"unique_id": "model.wattlake.dim_dates", "execution_time": 8.0},
        {"unique_id": "seed.wattlake.regions", "execution_time": 2.0},
        {"unique_id": "test.wattlake.unique_dim_dates_calendar_date.4d1f", "execution_time": 1.0},
        {"unique_id": "test.wattlake.not_null_columns_regions.9e0a", "execution_time": 0.5},
        {"unique_id": "test.wattlake.values_between_dim_dates.77aa", "execution_time": 0.25},
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"elapsed_time": 41, "results": results}))

    outside, hooks, models, tests = dbt_timings.node_times(
        {"DBT_TARGET_PATH": str(tmp_path)}, 50.0, "Spark incremental build"
    )

    assert outside.value == pytest.approx(50 - 41.75)
    assert hooks.value == 30 and "slowest: wattlake-on-run-start-0 30.0 s" in hooks.detail
    assert models.value == 10 and "2 nodes, median 5000 ms; slowest: dim_dates 8.0 s, " in (
        models.detail
    )
    assert tests.value == 1.75 and tests.detail.startswith("3 nodes, median 500 ms; slowest: ")
    assert "unique_dim_dates_calendar_date 1.0 s, not_null_columns_regions 0.5 s," in tests.detail


def test_the_report_shows_each_target_beside_the_one_it_replaced():
    report = Report("quick", "p", "m", "now", "s")
    report.figures.append(Figure("raw load", 1.7, "× COPY", "≤ 1.5×", False, "3 rounds", "≤ 2×"))
    table = bench_chain.generated_part(report)
    assert "| step | measured | target | | previous target | detail |" in table
    assert "| raw load | 1.70 × COPY | ≤ 1.5× | **missed** | ≤ 2× | 3 rounds |" in table
