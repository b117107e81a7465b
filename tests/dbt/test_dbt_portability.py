"""The dbt models run on PostgreSQL and on Spark (big-data mode): a static check, no database.

One set of models serves both engines. Every form that differs between them (time zones,
epoch arithmetic, type names, PostgreSQL-only functions and casts) lives in a dispatched macro
under dbt_project/macros/ (`adapter.dispatch(..., 'wattlake')`, a `default__` PostgreSQL form
and a `spark__` one). So a file under dbt_project/models/ (its SQL, and the SQL fixtures of its
unit tests) must not name any of them; and every dispatched project macro has both forms.
Each checker is also run on a bad example, so none can pass vacuously.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]  # no types-PyYAML stubs in the venv

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MODELS_DIR = DBT_DIR / "models"
MACROS_DIR = DBT_DIR / "macros"

# Engine-specific forms, each with the macro that replaces it (dbt_project/macros/).
ENGINE_SPECIFIC = {
    r"\bat\s+time\s+zone\b": "local_wall_clock / local_timestamp_to_utc (time_zones.sql)",
    r"\btimestamptz\b": "type_instant / offset_timestamp_to_utc (engine_types.sql, time_zones.sql)",
    r"\btimestamp\s+with(out)?\s+time\s+zone\b": "type_instant (engine_types.sql)",
    r"\bdouble\s+precision\b": "dbt.type_float() (double on both engines)",
    r"\bas\s+(text|numeric|float|float8|int4|int8)\b": "dbt.type_string/numeric/float/int()",
    r"::": "cast(... as {{ dbt.type_...() }})",
    r"\bto_char\s*\(": "iso_date_text (incremental.sql)",
    r"\bgenerate_series\s*\(": "dbt.date_spine / dbt.generate_series",
    r"\bpg_typeof\s*\(": "type_name_of (engine_types.sql)",
    r"\bconvert_to\s*\(": "utf8_sort_key (engine_types.sql)",
    r"\bextract\s*\(\s*(epoch|isodow|dow|dayofweek_iso)\b": "seconds_between / iso_day_of_week",
    r"\binterval\s+'": "dbt.dateadd",
    r"\bmake_interval\s*\(": "dbt.dateadd",
    # Spark-only forms belong in the spark__ macros just as much
    r"\b(from|to)_utc_timestamp\s*\(": "local_wall_clock / local_timestamp_to_utc",
    r"\b(date_format|typeof|unix_seconds|unix_timestamp|timestampadd)\s*\(": "a spark__ macro",
}


def strip_comments(sql: str) -> str:
    """SQL without Jinja comments and `--` line comments (the checks read code, not prose)."""
    sql = re.sub(r"\{#.*?#\}", " ", sql, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", " ", sql)


def three_argument_date_trunc(sql: str) -> bool:
    """Whether a date_trunc() call in `sql` has three arguments (PostgreSQL's time-zone form)."""
    for match in re.finditer(r"\bdate_trunc\s*\(", sql, flags=re.IGNORECASE):
        depth, commas = 1, 0
        for char in sql[match.end() :]:
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    break
            elif char == "," and depth == 1:
                commas += 1
        if commas >= 2:
            return True
    return False


def engine_specific_forms(sql: str) -> list[str]:
    """The engine-specific forms `sql` names, each with the macro to use instead."""
    code = strip_comments(sql)
    found = [
        f"{pattern} -> use {fix}"
        for pattern, fix in ENGINE_SPECIFIC.items()
        if re.search(pattern, code, flags=re.IGNORECASE)
    ]
    if three_argument_date_trunc(code):
        found.append("date_trunc with 3 arguments -> use utc_hour (time_zones.sql)")
    return found


def unit_test_sql_fixtures(path: Path) -> list[tuple[str, str]]:
    """(unit test name, SQL) of each `format: sql` fixture in a model's YAML file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    fixtures = []
    for test in document.get("unit_tests", []):
        for given in test.get("given", []):
            if given.get("format") == "sql":
                fixtures.append((test["name"], given["rows"]))
        if test.get("expect", {}).get("format") == "sql":
            fixtures.append((test["name"], test["expect"]["rows"]))
    return fixtures


def portability_problems(models_dir: Path) -> list[str]:
    """One line per engine-specific form named in a model or a unit-test fixture."""
    problems = []
    for path in sorted(models_dir.rglob("*.sql")):
        for form in engine_specific_forms(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(models_dir)}: {form}")
    for path in sorted(models_dir.rglob("*.yml")):
        for name, sql in unit_test_sql_fixtures(path):
            for form in engine_specific_forms(sql):
                problems.append(f"{path.relative_to(models_dir)} unit test {name}: {form}")
    return problems


def dispatch_problems(macros_dir: Path) -> list[str]:
    """Project macros dispatched in namespace wattlake that lack a default__ or spark__ form."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(macros_dir.rglob("*.sql")))
    defined = set(re.findall(r"\{%-?\s*macro\s+(\w+)\s*\(", text))
    dispatched = set(re.findall(r"adapter\.dispatch\(\s*'(\w+)'\s*,\s*'wattlake'\s*\)", text))
    return [
        f"{name}: no {prefix}{name}"
        for name in sorted(dispatched)
        for prefix in ("default__", "spark__")
        if prefix + name not in defined
    ]


def test_models_name_no_engine_specific_form():
    assert portability_problems(MODELS_DIR) == []


def test_every_dispatched_macro_has_both_forms():
    assert dispatch_problems(MACROS_DIR) == []


@pytest.mark.parametrize(
    "sql",
    [
        "select ts at time zone 'Europe/Paris' from t",
        "select cast(x as timestamptz) from t",
        "select cast(x as timestamp with time zone) from t",
        "select cast(x as double precision) from t",
        "select cast(x as text) from t",
        "select x::date from t",
        "select to_char(d, 'YYYY-MM-DD') from t",
        "select * from generate_series(1, 3)",
        "select pg_typeof(x) from t",
        "select extract(epoch from b - a) from t",
        "select extract( isodow from d) from t",
        "select d + interval '1 day' from t",
        "select date_trunc('hour', ts, 'UTC') from t",
        "select date_trunc('hour', coalesce(a, b), 'UTC') from t",
        "select from_utc_timestamp(ts, 'Europe/Paris') from t",
    ],
)
def test_engine_specific_forms_are_found(sql):
    assert engine_specific_forms(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "select {{ utc_hour('ts') }}, date_trunc('month', coalesce(a, b)) from t",
        "select cast(x as {{ dbt.type_float() }}) from t  -- at time zone, in a comment",
        "{# timestamptz in a Jinja comment #} select 1",
        "select extract(month from d), extract(hour from ts) from t",
    ],
)
def test_portable_sql_passes(sql):
    assert engine_specific_forms(sql) == []


def test_bad_model_and_fixture_are_reported(tmp_path):
    (tmp_path / "m.sql").write_text("select ts at time zone 'UTC' as x from t\n", encoding="utf-8")
    (tmp_path / "m.yml").write_text(
        "unit_tests:\n"
        "  - name: t\n"
        "    given:\n"
        "      - input: ref('a')\n"
        "        format: sql\n"
        "        rows: select * from generate_series(1, 2)\n",
        encoding="utf-8",
    )
    problems = portability_problems(tmp_path)
    assert len(problems) == 2
    assert problems[0].startswith("m.sql: ")
    assert problems[1].startswith("m.yml unit test t: ")


def test_a_dispatch_without_its_spark_form_is_reported(tmp_path):
    (tmp_path / "x.sql").write_text(
        "{% macro x() %}{{ return(adapter.dispatch('x', 'wattlake')()) }}{% endmacro %}\n"
        "{% macro default__x() %}1{% endmacro %}\n",
        encoding="utf-8",
    )
    assert dispatch_problems(tmp_path) == ["x: no spark__x"]
