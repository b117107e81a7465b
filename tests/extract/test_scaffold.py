"""`make new-source`: a scaffolded source works from a sample file through to its staging model.

Each test scaffolds into a copy of the project (never into this checkout). The end-to-end test
loads a small local CSV with `python -m extract <name>` and builds the new staging model with
`dbt build`, on a private database of the server the PG* variables name (skipped when unset).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.helpers import PROJECT_DIR, admin, connect, private_paths
from tools.scaffold import main as scaffold_main

PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))
RUFF = str(Path(sys.executable).with_name("ruff"))
MYPY = str(Path(sys.executable).with_name("mypy"))
PACKAGE = ("__init__.py", "fetch.py", "parse.py", "load.py")  # the built-in sources' shape
TIDES = (
    "Station Id;Date;Water Level (m);Comment\n"
    "BREST;2024-01-01;3.2;calm\n"
    "BREST;2024-01-02;4.1;\n"
    "ROSCOFF;2024-01-01;2.5;windy\n"
)
STATIONS = """{"meta": {"count": 2}, "data": {"stations": [
  {"code": "A1", "name": "Brest", "elevation": 12.5, "tags": ["coast"]},
  {"code": "B2", "name": "Lyon", "elevation": null, "tags": []}]}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's code and dbt project, without data, state or virtualenv."""
    copy = tmp_path / "project"
    skip = shutil.ignore_patterns("data", ".local", "target", "logs", "__pycache__")
    for folder in ("extract", "tools", "dbt_project", ".dlt"):
        shutil.copytree(PROJECT_DIR / folder, copy / folder, ignore=skip)
    (copy / "tests" / "extract").mkdir(parents=True)
    for name in ("__init__.py", "conftest.py", "helpers.py", "extract/__init__.py"):
        shutil.copy(PROJECT_DIR / "tests" / name, copy / "tests" / name)
    shutil.copy(PROJECT_DIR / "pyproject.toml", copy / "pyproject.toml")
    return copy


def scaffold(project: Path, *args: str) -> int:
    return scaffold_main([*args, "--project-dir", str(project)])


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result


def generated_code(project: Path, name: str) -> list[str]:
    """The scaffolded package, of the built-in sources' shape, and its test."""
    package = project / "extract" / "sources" / name
    assert sorted(path.name for path in package.iterdir()) == sorted(PACKAGE)
    return [f"extract/sources/{name}/{module}" for module in PACKAGE] + [
        f"tests/extract/test_source_{name}.py"
    ]


def check_lint_and_types(project: Path, generated: list[str]) -> None:
    """ruff (lint and format) and mypy, with the project's settings, on the generated code."""
    run([RUFF, "check", *generated], project)
    run([RUFF, "format", "--check", *generated], project)
    cache = ["--cache-dir", str(project / ".mypy_cache")]
    run([MYPY, "--follow-imports=silent", *cache, *generated], project)


def test_csv_scaffold_is_lint_clean_and_its_own_test_passes(project: Path, tmp_path: Path):
    sample = tmp_path / "tides.csv"
    sample.write_text(TIDES, encoding="utf-8")
    args = ["tides", "--kind", "csv", "--sample", str(sample), "--key", "Station Id,Date"]
    assert scaffold(project, *args, "--delimiter", ";") == 0

    model = project / "dbt_project/models/staging/tides/stg_tides__tides.sql"
    sql = model.read_text()
    assert "cast(nullif(water_level_mx, '') as numeric) as water_level_mx" in sql
    assert "station_id," in sql and "comment," in sql
    assert "[sources.tides]" in (project / ".dlt/config.toml").read_text()
    check_lint_and_types(project, generated_code(project, "tides"))
    env = {**os.environ, "PYTHONPATH": str(project)}
    run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], project, env)


def test_api_scaffold_reads_records_at_their_path(project: Path, tmp_path: Path):
    sample = tmp_path / "stations.json"
    sample.write_text(STATIONS, encoding="utf-8")
    args = ["stations", "--kind", "api", "--sample", str(sample), "--records-path", "data.stations"]
    assert scaffold(project, *args, "--key", "code") == 0
    yml = (project / "dbt_project/models/staging/stations/stg_stations__stations.yml").read_text()
    assert "combination_of_columns: [code]" in yml
    assert "name: tags" not in yml  # a list becomes its own child table in raw, not a column
    check_lint_and_types(project, generated_code(project, "stations"))
    env = {**os.environ, "PYTHONPATH": str(project)}
    run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], project, env)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["Bad-Name", "--kind", "csv"], "is not usable"),
        (["eco2mix", "--kind", "csv"], "is not usable"),
        (["tides", "--kind", "csv", "--key", "nope"], "not in the sample's columns"),
    ],
)
def test_bad_input_is_refused_in_one_line(project: Path, tmp_path, capsys, args, says):
    sample = tmp_path / "tides.csv"
    sample.write_text(TIDES, encoding="utf-8")
    with_sample = [*args, "--sample", str(sample), "--delimiter", ";"]
    assert scaffold(project, *with_sample) == 1
    error = capsys.readouterr().err.strip()
    assert says in error and len(error.splitlines()) == 1
    assert not (project / "extract/sources/tides").exists()


def test_an_existing_source_is_never_overwritten(project: Path, capsys):
    assert scaffold(project, "tides", "--kind", "csv") == 0
    written = [*(project / "extract/sources/tides").iterdir(), project / ".dlt/config.toml"]
    before = {path: path.read_text() for path in written}
    assert scaffold(project, "tides", "--kind", "api") == 1
    assert "exists already" in capsys.readouterr().err
    assert {path: path.read_text() for path in written} == before


def test_a_name_set_up_by_hand_in_the_config_is_refused(project: Path, capsys):
    config = project / ".dlt/config.toml"
    config.write_text(config.read_text() + '\n[sources.tides]\nurl = "https://example.org"\n')
    assert scaffold(project, "tides", "--kind", "csv") == 1
    assert "exists already (.dlt/config.toml)" in capsys.readouterr().err
    assert not (project / "extract/sources/tides").exists()


@pytest.mark.e2e
def test_a_scaffolded_csv_source_runs_through_to_its_staging_model(project: Path, tmp_path):
    sample = tmp_path / "tides.csv"
    sample.write_text(TIDES, encoding="utf-8")
    args = ["tides", "--kind", "csv", "--sample", str(sample), "--key", "Station Id,Date"]
    assert scaffold(project, *args, "--delimiter", ";") == 0
    database = f"{os.environ.get('PGDATABASE', 'wattlake')}_scaffold"
    with closing(admin()) as conn, conn.cursor() as cur:
        cur.execute(f'drop database if exists "{database}" with (force)')
        cur.execute(f'create database "{database}"')
    env = {
        **os.environ,
        "PGDATABASE": database,
        **private_paths(tmp_path, project),
        "SOURCES__TIDES__LOCAL_PATH": str(sample),
    }
    extract = run([PYTHON, "-m", "extract", "tides"], project, env)
    assert "tides 3 rows" in extract.stdout
    again = run([PYTHON, "-m", "extract", "tides"], project, env)
    assert "tides: nothing new to load" in again.stdout  # the unchanged file is not reloaded
    run([DBT, "build", "--select", "stg_tides__tides"], project / "dbt_project", env)
    with closing(connect(database)) as conn, conn.cursor() as cur:
        cur.execute(
            "select station_id, date, water_level_mx, source_file_path"
            " from staging.stg_tides__tides order by 1, 2"
        )
        rows = cur.fetchall()
    assert [(row[0], row[1], float(row[2])) for row in rows] == [
        ("BREST", "2024-01-01", 3.2),
        ("BREST", "2024-01-02", 4.1),
        ("ROSCOFF", "2024-01-01", 2.5),
    ]
    assert {row[3] for row in rows} == {"csv/tides/tides.csv"}
