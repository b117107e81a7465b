"""tools/parity.py, which proves big-data mode: it must see every kind of difference, and only
floats within 1e-9 (relative) as equal."""

from __future__ import annotations

from contextlib import closing

import pytest

from tests.helpers import Warehouse
from tools import parity

MART = (
    "create schema marts; create table marts.fct_tiny (day date, region_code text, "
    "energy_mwh double precision, hours integer, primary key (region_code, day))"
)
ROWS = [("2024-10-27", "11", 1234.5678, 25), ("2024-10-27", "FR", 0.0, 24)]


@pytest.fixture
def pair(tmp_path):
    made = [Warehouse(tmp_path / "a"), Warehouse(tmp_path / "b")]
    for warehouse in made:
        with closing(warehouse.connect()) as conn, conn.cursor() as cur:
            cur.execute(MART)
            cur.executemany("insert into marts.fct_tiny values (%s, %s, %s, %s)", ROWS)
            conn.commit()
    yield made
    for warehouse in made:
        warehouse.drop()


def _change(warehouse: Warehouse, statement: str) -> None:
    with closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute(statement)
        conn.commit()


def _compare(pair) -> list[str]:
    with closing(pair[0].connect()) as a, closing(pair[1].connect()) as b:
        return parity.compare(a, b)[0]


def test_equal_marts_and_float_noise_are_the_same(pair):
    assert _compare(pair) == []
    _change(pair[1], "update marts.fct_tiny set energy_mwh = energy_mwh * (1 + 1e-12) + 1e-12")
    assert pair[1].scalar("select sum(energy_mwh) from marts.fct_tiny") != 1234.5678
    assert _compare(pair) == []


@pytest.mark.parametrize(
    "change",
    [
        "update marts.fct_tiny set energy_mwh = energy_mwh * (1 + 1e-8) where region_code = '11'",
        "update marts.fct_tiny set hours = 23 where region_code = 'FR'",
        "update marts.fct_tiny set energy_mwh = null where region_code = 'FR'",
        "delete from marts.fct_tiny where region_code = 'FR'",
        "alter table marts.fct_tiny alter column hours type bigint",
        "create table marts.dim_extra (x integer)",
    ],
)
def test_every_kind_of_difference_is_seen(pair, change):
    _change(pair[1], change)
    assert len(_compare(pair)) == 1


def test_the_load_stamps_of_each_chain_are_left_out_and_nothing_else(pair):
    """Each engine's chain made its own loads: their ids and times differ, their rows must not."""
    for number, warehouse in enumerate(pair):
        _change(
            warehouse,
            "create table marts.fct_pipeline_loads (dlt_load_id text, table_name text,"
            " loaded_at timestamptz, row_count bigint, primary key (dlt_load_id, table_name));"
            f" insert into marts.fct_pipeline_loads values ('17900{number}.1', 'eco2mix_national',"
            f" now() - interval '{number} hours', 96), ('17900{number}.2', 'open_meteo_hourly',"
            " now(), 24)",
        )
    assert _compare(pair) == []
    _change(pair[1], "update marts.fct_pipeline_loads set row_count = 95 where row_count = 96")
    assert len(_compare(pair)) == 1
