"""Are two warehouses' marts the same? Row for row, column for column, floats within 1e-9.

    python -m tools.parity DATABASE_A DATABASE_B   # two databases of the PG* server

Big-data mode's proof (tests/spark/test_parity.py, make bench-spark): the marts built on
PostgreSQL in one database, and those built on Spark and published (extract/publish.py) into
another, must hold the same rows. Both are read in the order of each mart's primary key (every
column when it has none), so the comparison is exact and linear. Floats may differ in the last
bits, since the engines add in different orders: within a relative 1e-9 (and an absolute 1e-9
around zero, where a relative bound means nothing); everything else must be equal.

Two marts describe the loads themselves, and each engine's chain made loads of its own (the
extract into PostgreSQL, and the one into the lake, at other instants): their load ids and load
times, and what is computed from them, cannot match. Those columns (LOAD_STAMPS) are left out;
every other column of those marts, and every column of the others, is compared.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import closing
from itertools import zip_longest

from psycopg2 import sql
from psycopg2.extensions import connection as Connection

from extract import warehouse

REL_TOL = 1e-9
ABS_TOL = 1e-9
MARTS_SCHEMA = "marts"
MAX_SHOWN = 5  # differing rows quoted per mart
LOAD_STAMPS = {
    "fct_pipeline_loads": ("dlt_load_id", "loaded_at", "data_lag_hours"),
    "fct_source_coverage": ("last_loaded_at",),
}


def mart_columns(conn: Connection) -> dict[str, list[tuple[str, str]]]:
    """{mart: [(column, type), ...]} in column order."""
    with conn.cursor() as cur:
        cur.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = %s order by table_name, ordinal_position",
            (MARTS_SCHEMA,),
        )
        found: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in cur.fetchall():
            found.setdefault(table, []).append((column, data_type))
    return found


def primary_key(conn: Connection, table: str) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(
            "select a.attname from pg_index as i"
            " join pg_attribute as a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)"
            " where i.indrelid = %s::regclass and i.indisprimary"
            " order by array_position(i.indkey, a.attnum)",
            (f"{MARTS_SCHEMA}.{table}",),
        )
        return [row[0] for row in cur.fetchall()]


def rows(conn: Connection, table: str, columns: list[str], order: list[str]) -> Iterator[tuple]:
    """The mart's `columns` in `order`, streamed (a named cursor: no full copy in memory)."""
    query = sql.SQL("select {} from {} order by {}").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.Identifier(MARTS_SCHEMA, table),
        sql.SQL(", ").join(map(sql.Identifier, order)),
    )
    with conn.cursor(name=f"parity_{table}") as cur:
        cur.itersize = 20_000
        cur.execute(query)
        yield from cur


def same_value(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def compare_mart(a: Connection, b: Connection, table: str, columns: list[str]) -> list[str]:
    """The differences between one mart's rows in `a` and in `b` (empty: the same), in the
    order of its primary key (of all compared columns when the key holds a load stamp)."""
    key = primary_key(a, table)
    order = key if key and set(key) <= set(columns) else columns
    differences, count = [], 0
    for count, (row_a, row_b) in enumerate(
        zip_longest(rows(a, table, columns, order), rows(b, table, columns, order)), start=1
    ):
        if row_a is None or row_b is None:
            side = "first" if row_b is None else "second"
            differences.append(f"{table}: row {count} and after only in the {side} database")
            break
        if len(row_a) != len(row_b) or not all(map(same_value, row_a, row_b)):
            differences.append(f"{table}: row {count} differs: {row_a!r} != {row_b!r}")
            if len(differences) >= MAX_SHOWN:
                differences.append(f"{table}: more differences not shown")
                break
    return differences


def compare(a: Connection, b: Connection) -> tuple[list[str], dict[str, int]]:
    """(differences, rows compared per mart) between the marts of two databases."""
    columns_a, columns_b = mart_columns(a), mart_columns(b)
    differences = [
        f"{table}: only in the {'first' if table in columns_a else 'second'} database"
        for table in sorted(set(columns_a) ^ set(columns_b))
    ]
    counts: dict[str, int] = {}
    for table in sorted(set(columns_a) & set(columns_b)):
        if columns_a[table] != columns_b[table]:
            differences.append(f"{table}: columns differ: {columns_a[table]} != {columns_b[table]}")
            continue
        stamps = LOAD_STAMPS.get(table, ())
        compared = [name for name, _ in columns_a[table] if name not in stamps]
        differences += compare_mart(a, b, table, compared)
        with a.cursor() as cur:
            cur.execute(sql.SQL("select count(*) from {}").format(sql.Identifier("marts", table)))
            counts[table] = int(cur.fetchone()[0])
    return differences, counts


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tools.parity DATABASE_A DATABASE_B", file=sys.stderr)
        return 2
    try:
        with closing(warehouse.connect(argv[0])) as a, closing(warehouse.connect(argv[1])) as b:
            differences, counts = compare(a, b)
    except warehouse.WarehouseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for line in differences:
        print(line)
    verdict = "differ" if differences else "are the same"
    print(f"{len(counts)} marts, {sum(counts.values())} rows: {argv[0]} and {argv[1]} {verdict}.")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
