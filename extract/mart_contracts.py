"""The marts as the PostgreSQL build makes them: columns, types, keys and indexes, read from dbt.

`make publish` loads the marts dbt built on Spark into PostgreSQL, and the dashboard must not
see a difference. So the tables are made from the same definitions dbt-postgres uses: the
enforced contracts of `dbt_project/models/marts/*.yml` (column names, `data_type`, `not_null`,
the primary key), the `indexes` of each model's config, and the descriptions dbt persists as
comments. dbt renders them for the PostgreSQL target with `dbt parse --target dev`, into a
target path of its own, so the Spark build's `target/` is left alone; no connection is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from extract import warehouse

DBT_DIR = warehouse.PROJECT_DIR / "dbt_project"
PARSE_DIR = warehouse.PROJECT_DIR / ".local" / "publish" / "target"
POSTGRES_TARGET = os.environ.get("WATTLAKE_POSTGRES_TARGET", "dev")
MARTS_SCHEMA = "marts"

# The PostgreSQL types the mart contracts use, and the Arrow type each is loaded through.
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "double precision": pa.float64(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
}


class ContractError(RuntimeError):
    """A problem the user can fix; its message is one sentence naming the fix."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    not_null: bool
    description: str

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.data_type]


@dataclass(frozen=True)
class Mart:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...]
    description: str

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def marts_from_manifest(manifest: dict) -> list[Mart]:
    """Every model of schema `marts` in a dbt manifest, with its enforced contract."""
    marts = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["schema"] != MARTS_SCHEMA:
            continue
        if not node["config"].get("contract", {}).get("enforced"):
            raise ContractError(
                f"mart {node['name']} has no enforced contract, so its PostgreSQL types are "
                "unknown: add `contract: {enforced: true}` and data_type to its yml."
            )
        marts.append(_mart(node))
    if not marts:
        raise ContractError("the dbt manifest lists no model in schema marts: check dbt_project/.")
    return sorted(marts, key=lambda mart: mart.name)


def _mart(node: dict) -> Mart:
    columns = []
    for column in node["columns"].values():
        data_type = (column.get("data_type") or "").strip().lower()
        if data_type not in ARROW_TYPES:
            raise ContractError(
                f"{node['name']}.{column['name']} has data_type {data_type!r}, which publish "
                f"cannot load: use one of {', '.join(ARROW_TYPES)} or teach "
                "extract/mart_contracts.py the new one."
            )
        constraints = {constraint["type"] for constraint in column.get("constraints", [])}
        columns.append(
            Column(column["name"], data_type, "not_null" in constraints, column["description"])
        )
    keys = [c["columns"] for c in node.get("constraints", []) if c["type"] == "primary_key"]
    indexes = tuple(tuple(index["columns"]) for index in node["config"].get("indexes") or [])
    return Mart(
        name=node["name"],
        columns=tuple(columns),
        primary_key=tuple(keys[0]) if keys else (),
        indexes=indexes,
        description=node.get("description", ""),
    )


def parse_postgres_manifest(target_path: Path = PARSE_DIR) -> Path:
    """Run `dbt parse` for the PostgreSQL target into `target_path`; the manifest's path."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "parse", "--quiet", "--target", POSTGRES_TARGET]
    command += ["--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    env = {**os.environ, "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(DBT_DIR))}
    done = subprocess.run(command, cwd=DBT_DIR, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["no output"]
        raise ContractError(
            f"`dbt parse --target {POSTGRES_TARGET}` failed ({last[0].strip()}): run it in "
            "dbt_project/ to see why."
        )
    return target_path / "manifest.json"


def postgres_marts(manifest_path: Path | None = None) -> list[Mart]:
    """The marts' contracts from `manifest_path`, or from a fresh parse for PostgreSQL."""
    path = manifest_path or parse_postgres_manifest()
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ContractError(f"cannot read the dbt manifest {path} ({error}).") from None
    return marts_from_manifest(manifest)
