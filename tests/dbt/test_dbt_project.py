"""Static checks of the dbt project (no database, no dbt run).

They hold the project to its style brief: every model states its grain and describes every
column it outputs, marts the dashboard reads have enforced contracts and sit in the exposure,
and the SQL is lower case. Each checker is also run on a bad example, so none can pass vacuously.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # no types-PyYAML stubs in the venv

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MODELS_DIR = DBT_DIR / "models"
SEEDS_DIR = DBT_DIR / "seeds"
SQL_DIRS = [MODELS_DIR, DBT_DIR / "macros", DBT_DIR / "tests"]
MARTS_READ_BY_DASHBOARD = {
    "dim_regions",
    "dim_dates",
    "fct_consumption_hourly",
    "fct_consumption_daily",
    "fct_consumption_by_period",
    "fct_co2_intensity_by_month_and_hour",
    "fct_thermosensitivity",
    "fct_energy_mix_monthly",
    "fct_regional_balance",
    "fct_renewables_weather",
    "fct_consumption_peaks",
    "fct_pipeline_loads",
}
# Large facts rebuild a trailing window only (macros/incremental.sql; test_dbt_warehouse.py).
INCREMENTAL_MODELS = {
    "int_consumption_averaged_to_hours",
    "int_weather_weighted_to_regions",
    "fct_consumption_hourly",
    "fct_consumption_daily",
    "fct_energy_mix_monthly",
    "fct_co2_intensity_by_month_and_hour",
    "fct_renewables_weather",
    "fct_pipeline_loads",
}

YAML_MAX_LINES = 300  # issue 17: no property file over about 300 lines

_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_JINJA_STATEMENT = re.compile(r"\{%.*?%\}", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOC_REFERENCE = re.compile(r"""doc\(\s*["']([A-Za-z0-9_]+)["']\s*\)""")
_DOC_BLOCK = re.compile(r"\{%\s*docs\s+([A-Za-z0-9_]+)\s*%\}")


# --- helpers -------------------------------------------------------------------------------


def _yaml_files(directory: Path) -> list[Path]:
    return sorted([*directory.rglob("*.yml"), *directory.rglob("*.yaml")])


def _load_entries(directory: Path, key: str) -> dict[str, dict[str, Any]]:
    """Entries under `key` (models, seeds, exposures, unit_tests…) of every YAML file, by name."""
    entries: dict[str, dict[str, Any]] = {}
    for path in _yaml_files(directory):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in document.get(key) or []:
            entries[entry["name"]] = entry
    return entries


def _model_sql_files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(MODELS_DIR.rglob("*.sql"))}


def strip_sql(sql: str, keep_jinja_placeholder: bool = True) -> str:
    """SQL without Jinja, comments and string contents, so only code words remain."""
    sql = _JINJA_COMMENT.sub("", sql)
    sql = _JINJA_STATEMENT.sub("", sql)
    sql = _JINJA_EXPRESSION.sub("jinja_expression" if keep_jinja_placeholder else "", sql)
    return _STRING_OR_COMMENT.sub(lambda m: "''" if m.group(0).startswith("'") else "", sql)


def uppercase_words(sql: str) -> list[str]:
    """Words written with capitals in the SQL itself (outside strings, comments and Jinja)."""
    return sorted({word for word in _WORD.findall(strip_sql(sql)) if word != word.lower()})


def _closing_paren(text: str, open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced parentheses")


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def output_columns(sql: str) -> list[str]:
    """Columns a model outputs, read from the explicit select list of the CTE it ends on.

    Models end with `select * from <cte>`, and that CTE must name its columns: this is what a
    reader (and this test) uses as the model's interface.
    """
    code = strip_sql(sql)
    ending = re.search(
        r"select\s+(?:jinja_expression\s+)?\*\s+from\s+(\w+)\s*$", code, re.IGNORECASE
    )
    if not ending:
        raise ValueError("the model does not end with `select * from <cte>`")
    cte = re.search(rf"\b{ending.group(1)}\s+as\s*\(", code, re.IGNORECASE)
    if not cte:
        raise ValueError(f"CTE `{ending.group(1)}` not found")
    body = code[cte.end() : _closing_paren(code, cte.end() - 1)]
    select_list = re.search(r"^\s*select\s+(.*?)\s+from\s", body, re.IGNORECASE | re.DOTALL)
    if not select_list:
        raise ValueError(f"CTE `{ending.group(1)}` has no `select … from`")
    columns = []
    for item in _split_top_level(select_list.group(1)):
        if item == "*" or item.endswith(".*"):
            raise ValueError(f"CTE `{ending.group(1)}` must list its columns, not `*`")
        alias = re.search(r"\bas\s+(\w+)$", item, re.IGNORECASE)
        columns.append(alias.group(1) if alias else item.split(".")[-1])
    return columns


def undescribed(entries: dict[str, dict[str, Any]]) -> list[str]:
    """`name` or `name.column` for every entry or column without a description."""
    problems = []
    for name, entry in entries.items():
        if not str(entry.get("description") or "").strip():
            problems.append(name)
        for column in entry.get("columns") or []:
            if not str(column.get("description") or "").strip():
                problems.append(f"{name}.{column['name']}")
    return problems


def contract_problems(entry: dict[str, Any]) -> list[str]:
    """What keeps a model from having an enforced contract with a type on every column."""
    problems = []
    contract = (entry.get("config") or {}).get("contract") or entry.get("contract") or {}
    if contract.get("enforced") is not True:
        problems.append("contract not enforced")
    problems += [
        f"{column['name']} has no data_type"
        for column in entry.get("columns") or []
        if not column.get("data_type")
    ]
    if not entry.get("columns"):
        problems.append("no columns declared")
    return problems


def property_file_problems(models_dir: Path) -> list[str]:
    """Where a model's properties are not in `<model>.yml` beside its SQL (dbt's jaffle-shop
    layout): that file declares the model, and only it, and every unit test of the model."""
    unit_test_files = [
        (test["model"], test["name"], path)
        for path in _yaml_files(models_dir)
        for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests") or []
    ]
    problems = []
    for sql in sorted(models_dir.rglob("*.sql")):
        beside = sql.with_suffix(".yml")
        if not beside.is_file():
            problems.append(f"{sql.stem}: no {beside.name} beside {sql.name}")
            continue
        document = yaml.safe_load(beside.read_text(encoding="utf-8")) or {}
        names = [entry["name"] for entry in document.get("models") or []]
        if names != [sql.stem]:
            problems.append(f"{beside.name} declares {names}, not [{sql.stem!r}]")
        problems += [
            f"unit test {name} of {model} is in {path.name}"
            for model, name, path in unit_test_files
            if model == sql.stem and path != beside
        ]
    return problems


# --- the project ---------------------------------------------------------------------------

MODELS = _load_entries(MODELS_DIR, "models")
MODEL_FILES = _model_sql_files()
MARTS = sorted(name for name, path in MODEL_FILES.items() if "marts" in path.parts)
_REF = re.compile(r"""ref\(\s*['"](\w+)['"]\s*\)""")


def test_project_is_where_expected() -> None:
    assert (DBT_DIR / "dbt_project.yml").is_file()
    assert MODEL_FILES, "no model found under dbt_project/models"


@pytest.mark.parametrize("model", sorted(MODEL_FILES))
def test_model_states_its_grain(model: str) -> None:
    assert model in MODELS, f"{model} has no entry in a models/*.yml file"
    description = str(MODELS[model].get("description") or "")
    assert "one row per" in description.lower(), f"{model}: description must state the grain"


def test_every_model_and_column_is_described() -> None:
    assert undescribed(MODELS) == []


@pytest.mark.parametrize("model", sorted(MODEL_FILES))
def test_every_output_column_is_declared(model: str) -> None:
    """The YAML lists exactly the columns the SQL outputs, so none escapes documentation."""
    sql_columns = output_columns(MODEL_FILES[model].read_text(encoding="utf-8"))
    yaml_columns = [column["name"] for column in MODELS.get(model, {}).get("columns") or []]
    assert sorted(sql_columns) == sorted(yaml_columns), (
        f"{model}: undeclared {sorted(set(sql_columns) - set(yaml_columns))}, "
        f"not in SQL {sorted(set(yaml_columns) - set(sql_columns))}"
    )
    assert len(sql_columns) == len(set(sql_columns)), f"{model}: duplicate output column"


def test_each_model_has_its_properties_and_unit_tests_beside_it() -> None:
    assert property_file_problems(MODELS_DIR) == []


def test_property_files_stay_short() -> None:
    """One file per model or macro file, so none grows into a catalogue nobody reads."""
    long_files = [
        f"{path.relative_to(DBT_DIR)}: {length} lines"
        for path in _yaml_files(DBT_DIR)
        if "target" not in path.parts
        and (length := len(path.read_text(encoding="utf-8").splitlines())) > YAML_MAX_LINES
    ]
    assert long_files == []


def test_every_model_yaml_entry_has_a_sql_file() -> None:
    assert sorted(set(MODELS) - set(MODEL_FILES)) == []


def test_seeds_are_documented_column_by_column() -> None:
    seeds = _load_entries(SEEDS_DIR, "seeds")
    for path in sorted(SEEDS_DIR.glob("*.csv")):
        assert path.stem in seeds, f"seed {path.stem} has no properties"
        with path.open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        declared = [column["name"] for column in seeds[path.stem].get("columns") or []]
        assert sorted(header) == sorted(declared), f"seed {path.stem}: columns differ"
    assert undescribed(seeds) == []


def test_referenced_doc_blocks_exist() -> None:
    defined = {
        name
        for path in DBT_DIR.rglob("*.md")
        if "target" not in path.parts
        for name in _DOC_BLOCK.findall(path.read_text(encoding="utf-8"))
    }
    referenced = {
        name
        for directory in (MODELS_DIR, SEEDS_DIR)
        for path in _yaml_files(directory)
        for name in _DOC_REFERENCE.findall(path.read_text(encoding="utf-8"))
    }
    assert sorted(referenced - defined) == []


@pytest.mark.parametrize("model", MARTS)
def test_mart_has_enforced_contract(model: str) -> None:
    assert contract_problems(MODELS[model]) == []


@pytest.mark.parametrize("model", MARTS)
def test_mart_key_is_an_enforced_primary_key(model: str) -> None:
    """PostgreSQL enforces a mart's primary key (unique and not null) when the mart is written,
    so its key needs no `unique`/`not_null` data test: such a test could never fail."""
    entry = MODELS[model]
    keys = [c["columns"] for c in entry.get("constraints", []) if c["type"] == "primary_key"]
    assert len(keys) == 1, f"{model} declares no primary key constraint"
    tests_on_key = [
        (column["name"], test)
        for column in entry["columns"]
        if column["name"] in keys[0]
        for test in column.get("data_tests", [])
        if test in ("unique", "not_null")
    ]
    assert tests_on_key == []


def test_marts_read_by_dashboard_are_in_its_exposure() -> None:
    exposures = _load_entries(MODELS_DIR, "exposures")
    assert "wattlake_dashboard" in exposures
    dashboard = exposures["wattlake_dashboard"]
    assert dashboard["type"] == "dashboard"
    refs = {_REF.sub(r"\1", item) for item in dashboard["depends_on"]}
    assert sorted(MARTS_READ_BY_DASHBOARD - refs) == []
    assert sorted(MARTS_READ_BY_DASHBOARD - set(MARTS)) == []


@pytest.mark.parametrize(
    "model",
    [
        "stg_eco2mix__regional_consumption",
        "stg_eco2mix__national_consumption",
        "stg_open_meteo__hourly_weather",
        "int_consumption_averaged_to_hours",
        "int_weather_weighted_to_regions",
        "fct_consumption_daily",
        "fct_thermosensitivity",
    ],
)
def test_key_logic_has_unit_tests(model: str) -> None:
    unit_tests = _load_entries(MODELS_DIR, "unit_tests")
    assert any(test["model"] == model for test in unit_tests.values()), f"{model} has no unit test"


@pytest.mark.parametrize(
    "path",
    sorted(path for directory in SQL_DIRS for path in directory.rglob("*.sql")),
    ids=lambda path: str(path.relative_to(DBT_DIR)),
)
def test_sql_is_lower_case(path: Path) -> None:
    assert uppercase_words(path.read_text(encoding="utf-8")) == []


def model_config(sql: str) -> dict[str, str]:
    """Keyword arguments of the model's `config(...)` call, as raw text (no Jinja rendering)."""
    call = re.search(r"\{\{\s*config\(", sql)
    if not call:
        return {}
    body = sql[call.end() : _closing_paren(sql, call.end() - 1)]
    items = [item.strip() for item in _split_top_level(body)]
    config = {
        key.strip(): value.strip()
        for key, value in (
            item.split("=", 1) for item in items if "=" in item and "(" not in item.split("=", 1)[0]
        )
    }
    for item in items:
        call = re.match(r"(\*\*\w+)(\(.*)", item, flags=re.DOTALL)
        if call:
            config[call.group(1)] = call.group(2)
    return config


def incremental_problems(sql: str) -> list[str]:
    """What keeps an incremental model from rebuilding a keyed trailing window only.

    Materialization and strategy come from `**incremental_config([key columns], ...)`
    (macros/incremental_strategy.sql: delete+insert by key on PostgreSQL, insert_overwrite by
    partition on Spark), the one place that chooses them per engine.
    """
    config = model_config(sql)
    chooser = config.get("**incremental_config", "")
    problems = []
    if not chooser:
        problems.append("materialization and strategy not chosen by incremental_config()")
    elif not re.match(r"\(\s*\[\s*'", chooser):
        problems.append("no unique_key")
    if config.get("on_schema_change") not in ("'fail'", "'append_new_columns'"):
        problems.append("on_schema_change would silently ignore a changed contract")
    if not re.search(r"incremental_window\(|lookback_start\(|is_incremental\(\)", sql):
        problems.append("no incremental filter: every run would read the whole history")
    if "partition_column=" in chooser and not re.search(
        r"select\s+\{\{\s*one_file_per_partition\(\)\s*\}\}\s+\*\s+from\s+\w+\s*$", sql
    ):
        problems.append("partitioned on Spark but not ending on one_file_per_partition()")
    return problems


@pytest.mark.parametrize("model", sorted(INCREMENTAL_MODELS))
def test_large_models_are_incremental_over_a_window(model: str) -> None:
    assert incremental_problems(MODEL_FILES[model].read_text(encoding="utf-8")) == []


def test_dbt_grants_the_marts_to_the_reader_role_and_never_sees_its_password() -> None:
    """Python creates the role (extract/reader_role.py); dbt only grants it schema marts, in
    its on-run-end hook, and no dbt file reads the password (dbt writes what it renders)."""
    project = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert "WATTLAKE_READER_USER" in project["vars"]["reader_role"]
    layers = project["models"]["wattlake"]
    assert all("+grants" not in layers[name] for name in ("staging", "intermediate", "marts"))
    assert "reader" not in " ".join(project["on-run-start"])
    assert "grant_reader_on_marts" in " ".join(project["on-run-end"])
    macro = (DBT_DIR / "macros" / "reader_role.sql").read_text(encoding="utf-8")
    assert "grant select on all tables in schema marts" in macro
    assert not re.search(r"(create|alter)\s+role", macro, re.IGNORECASE)
    reads_password = re.compile(r"env_var\(\s*['\"]WATTLAKE_READER_PASSWORD")
    files = [DBT_DIR / "dbt_project.yml", DBT_DIR / "profiles.yml", *DBT_DIR.glob("macros/*")]
    assert [path.name for path in files if reads_password.search(path.read_text())] == []


def test_only_staging_models_call_source() -> None:
    offenders = [
        name
        for name, path in MODEL_FILES.items()
        if "staging" not in path.parts and "source(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# --- the checkers catch what they are meant to catch -----------------------------------------


def test_incremental_check_flags_a_full_rebuild_and_a_silent_schema_change() -> None:
    good = (
        "{{ config(on_schema_change='fail',\n"
        "    **incremental_config(['a', 'b'], partition_column='d')) }}\n"
        "with final as (select * from x {{ incremental_window('t', 't') }})\n"
        "select {{ one_file_per_partition() }} * from final\n"
    )
    assert incremental_problems(good) == []
    assert incremental_problems(good.replace("{{ one_file_per_partition() }} ", "")) == [
        "partitioned on Spark but not ending on one_file_per_partition()"
    ]
    bad = "{{ config(materialized='incremental', unique_key='a') }}\nselect * from x"
    assert incremental_problems(bad) == [
        "materialization and strategy not chosen by incremental_config()",
        "on_schema_change would silently ignore a changed contract",
        "no incremental filter: every run would read the whole history",
    ]
    no_key = "{{ config(on_schema_change='fail', **incremental_config(none)) }}\nselect * from x"
    assert incremental_problems(no_key + " {{ lookback_start('t') }}") == ["no unique_key"]
    assert incremental_problems("select 1") == [
        "materialization and strategy not chosen by incremental_config()",
        "on_schema_change would silently ignore a changed contract",
        "no incremental filter: every run would read the whole history",
    ]


def test_uppercase_check_flags_upper_case_sql_but_not_strings_comments_or_jinja() -> None:
    assert uppercase_words("SELECT a FROM b") == ["FROM", "SELECT"]
    assert uppercase_words("select a As b from c") == ["As"]
    clean = "-- UTC comment\nselect 'ND' as x, {{ dbt.type_float() }} as y {# NOTE #} from t"
    assert uppercase_words(clean) == []


def test_output_columns_reads_the_final_cte_and_rejects_star() -> None:
    sql = (
        "with\n\nsource as (\n    select * from {{ source('a', 'b') }}\n),\n\n"
        "final as (\n    select\n        x,\n        t.y,\n"
        "        cast(z as {{ dbt.type_float() }}) as z_mw,\n"
        "        coalesce(a, 'x, y') as w\n    from source as t\n)\n\nselect * from final\n"
    )
    assert output_columns(sql) == ["x", "y", "z_mw", "w"]
    with pytest.raises(ValueError, match="must list its columns"):
        output_columns("with final as (\n    select * from t\n)\n\nselect * from final\n")
    with pytest.raises(ValueError, match="does not end"):
        output_columns("select a from t")


def test_property_file_check_flags_a_missing_a_shared_and_a_stray_file(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for name in ("a", "b", "c"):
        (models / f"{name}.sql").write_text("select 1 as x\n", encoding="utf-8")
    (models / "a.yml").write_text(
        "models:\n  - name: a\n  - name: b\nunit_tests:\n  - name: test_a\n    model: a\n",
        encoding="utf-8",
    )
    (models / "c.yml").write_text("models:\n  - name: c\n", encoding="utf-8")
    (models / "_tests.yml").write_text(
        "unit_tests:\n  - name: test_c\n    model: c\n", encoding="utf-8"
    )
    assert property_file_problems(models) == [
        "a.yml declares ['a', 'b'], not ['a']",
        "b: no b.yml beside b.sql",
        "unit test test_c of c is in _tests.yml",
    ]


def test_undescribed_and_contract_checks_report_gaps() -> None:
    entries: dict[str, dict[str, Any]] = {
        "fct_x": {
            "description": "One row per x.",
            "columns": [{"name": "a", "description": "A."}, {"name": "b", "description": " "}],
        },
        "fct_y": {"columns": []},
    }
    assert undescribed(entries) == ["fct_x.b", "fct_y"]
    assert contract_problems(entries["fct_x"]) == [
        "contract not enforced",
        "a has no data_type",
        "b has no data_type",
    ]
    typed = {
        "config": {"contract": {"enforced": True}},
        "columns": [{"name": "a", "data_type": "text"}],
    }
    assert contract_problems(typed) == []
