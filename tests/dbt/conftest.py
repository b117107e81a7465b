"""Fixtures of the dbt tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.demo_warehouse import DBT_DIR, DemoWarehouse, demo_warehouse_once
from tests.helpers import PROJECT_DIR


@pytest.fixture
def copy(tmp_path_factory, tmp_path) -> Iterator[DemoWarehouse]:
    """A private copy of the built demo warehouse, dropped afterwards."""
    shared = demo_warehouse_once(tmp_path_factory)
    name = f"{shared.database}_faults"
    shared.admin(f'drop database if exists "{name}" with (force)')
    # A template must have no other session: close the ones our own tests may have left.
    shared.admin(
        "select pg_terminate_backend(pid) from pg_stat_activity "
        f"where datname = '{shared.database}' and pid <> pg_backend_pid()"
    )
    shared.admin(f'create database "{name}" template "{shared.database}"')
    env = {
        **shared.env,
        "PGDATABASE": name,
        "PYTHONPATH": str(PROJECT_DIR),
        "DBT_PROFILES_DIR": str(DBT_DIR),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "WATTLAKE_LANDING_DIR": str(tmp_path / "raw"),
        "WATTLAKE_STATE_DIR": str(tmp_path / "dlt"),
    }
    yield DemoWarehouse(env)
    shared.admin(f'drop database if exists "{name}" with (force)')
