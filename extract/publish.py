"""`make publish`: copy every mart dbt built on Spark into PostgreSQL's `marts`, all at once.

    python -m extract.publish [--manifest target/manifest.json] [--spark-dir .local/spark]

The dashboard reads PostgreSQL's `marts` through its read-only role, whichever engine built
them. This load step makes the Spark build look exactly like the PostgreSQL one:
1. the marts' definitions come from dbt for the PostgreSQL target (extract/mart_contracts.py):
   the contract's column names and types, not-null columns, primary key, indexes, comments;
2. each Spark mart is read from its Parquet files as Arrow (extract/spark_marts.py) and cast to
   those types;
3. in one transaction: create a scratch schema `marts_publish`, create each table there, COPY
   its rows in (Arrow writes CSV; PostgreSQL parses it), add the keys and indexes; then drop
   each old mart and move the new one into `marts`, grant the reader role as
   dbt_project/macros/reader_role.sql does, and drop the scratch schema. Commit.
Nothing is visible before the commit: a publish that fails or is killed at any point is rolled
back by PostgreSQL, and the dashboard keeps the previous marts.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

from extract import reader_role, warehouse
from extract.mart_contracts import MARTS_SCHEMA, ContractError, Mart, postgres_marts
from extract.spark_marts import SparkMartsError, check_built, read_mart, warehouse_dir

SCRATCH_SCHEMA = "marts_publish"
BATCH_ROWS = 100_000  # rows per COPY: bounded memory for the CSV text


class PublishError(RuntimeError):
    """A problem the user can fix; its message is one sentence naming the fix."""


def publish(
    marts: list[Mart], spark_warehouse: str | Path, log: Callable[[str], object] = print
) -> dict[str, int]:
    """Replace PostgreSQL's marts by the Spark ones in one transaction; rows per mart."""
    check_built(spark_warehouse, marts)
    conn = warehouse.connect()
    conn.set_session(autocommit=False)
    rows: dict[str, int] = {}
    try:
        with conn.cursor() as cur:
            cur.execute("set local application_name = 'wattlake publish'")
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(_scratch()))
            cur.execute(sql.SQL("create schema {}").format(_scratch()))
            for mart in marts:
                started = time.monotonic()
                table = read_mart(spark_warehouse, mart)
                with _unchanged_on_error(f"loading {mart.name}"):
                    rows[mart.name] = load_mart(cur, mart, table)
                log(f"  {mart.name}: {rows[mart.name]} rows ({time.monotonic() - started:.1f} s)")
            with _unchanged_on_error("replacing the marts"):
                swap(cur, marts)
                grant_reader(cur)
                conn.commit()
    finally:
        conn.rollback()  # a no-op after the commit; otherwise nothing of this run remains
        conn.close()
    return rows


@contextmanager
def _unchanged_on_error(step: str) -> Iterator[None]:
    """A database error as one line; the transaction is rolled back by the caller."""
    try:
        yield
    except psycopg2.Error as error:
        reason = (error.pgerror or str(error)).strip().splitlines()[0]
        raise PublishError(
            f"{step} failed in PostgreSQL ({reason}): nothing was published, the previous marts "
            "are unchanged; fix the cause and run make publish again."
        ) from None


def _scratch(*name: str) -> sql.Identifier:
    return sql.Identifier(SCRATCH_SCHEMA, *name)


def load_mart(cur: Cursor, mart: Mart, table: pa.Table) -> int:
    """Create the mart in the scratch schema with the contract's types, COPY `table` in, then
    add its primary key, indexes and comments (after the load: each index is built once)."""
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}{}").format(
            sql.Identifier(column.name),
            sql.SQL(column.data_type),
            sql.SQL(" not null" if column.not_null else ""),
        )
        for column in mart.columns
    )
    cur.execute(sql.SQL("create table {} ({})").format(_scratch(mart.name), columns))
    copy = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
        _scratch(mart.name), sql.SQL(", ").join(map(sql.Identifier, mart.column_names))
    )
    for chunk in csv_chunks(table):
        cur.copy_expert(copy.as_string(cur), chunk)
    if mart.primary_key:
        cur.execute(
            sql.SQL("alter table {} add primary key ({})").format(
                _scratch(mart.name), sql.SQL(", ").join(map(sql.Identifier, mart.primary_key))
            )
        )
    for index in mart.indexes:
        cur.execute(
            sql.SQL("create index on {} ({})").format(
                _scratch(mart.name), sql.SQL(", ").join(map(index_column, index))
            )
        )
    comment(cur, mart)
    cur.execute(sql.SQL("analyze {}").format(_scratch(mart.name)))
    return int(table.num_rows)


def index_column(entry: str) -> sql.Composable:
    """An index column as a model's `indexes` config gives it: a name, then `asc` or `desc`
    (`peak_consumption_mw desc`), as dbt-postgres writes it into its own `create index`."""
    name, *order = entry.split()
    if [word.lower() for word in order] not in ([], ["asc"], ["desc"]):
        raise PublishError(f"index column {entry!r}: write a column name, then asc or desc.")
    return sql.SQL(" ").join([sql.Identifier(name), *(sql.SQL(word.lower()) for word in order)])


def csv_chunks(table: pa.Table) -> Iterator[io.BytesIO]:
    """The rows as CSV, a batch at a time. Arrow quotes every text value (an empty one is "")
    and leaves nulls empty, which is what PostgreSQL's CSV reads as null; floats are written in
    their shortest exact form, so they arrive bit for bit."""
    options = pa_csv.WriteOptions(include_header=False)
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, write_options=options)
        buffer.seek(0)
        yield buffer


def comment(cur: Cursor, mart: Mart) -> None:
    """The descriptions dbt persists on PostgreSQL (persist_docs), so the two builds document
    the same in psql and in the database's catalog."""
    cur.execute(
        sql.SQL("comment on table {} is {}").format(
            _scratch(mart.name), sql.Literal(mart.description)
        )
    )
    for column in mart.columns:
        cur.execute(
            sql.SQL("comment on column {} is {}").format(
                _scratch(mart.name, column.name), sql.Literal(column.description)
            )
        )


def swap(cur: Cursor, marts: list[Mart]) -> None:
    """Move the new marts in place of the old ones (as dbt-postgres does, dropping the old ones
    with cascade), then drop the scratch schema, which is empty by then."""
    cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(MARTS_SCHEMA)))
    for mart in marts:
        old = sql.Identifier(MARTS_SCHEMA, mart.name)
        cur.execute(sql.SQL("drop table if exists {} cascade").format(old))
        cur.execute(
            sql.SQL("alter table {} set schema {}").format(
                _scratch(mart.name), sql.Identifier(MARTS_SCHEMA)
            )
        )
    cur.execute(sql.SQL("drop schema {}").format(_scratch()))


def grant_reader(cur: Cursor) -> bool:
    """The grants of dbt_project/macros/reader_role.sql (on-run-end of a PostgreSQL build):
    USAGE on marts, SELECT on its tables now and later. False when the role does not exist."""
    role = reader_role.user()
    cur.execute("select 1 from pg_roles where rolname = %s", (role,))
    if cur.fetchone() is None:
        return False
    schema, reader = sql.Identifier(MARTS_SCHEMA), sql.Identifier(role)
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(schema, reader))
    cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema, reader))
    cur.execute(
        sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(
            schema, reader
        )
    )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.publish", description=__doc__)
    parser.add_argument("--manifest", type=Path, help="a dbt manifest (default: dbt parse)")
    parser.add_argument("--spark-dir", type=Path, help="Spark's state (default .local/spark)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    spark_warehouse = warehouse_dir(args.spark_dir)
    try:
        marts = postgres_marts(args.manifest)
        contracts_s = time.monotonic() - started
        print(f"Read the PostgreSQL contracts of {len(marts)} marts in {contracts_s:.1f} s")
        print(f"Publishing them from Spark to {warehouse.describe()}, schema marts")
        rows = publish(marts, spark_warehouse)
    except (
        ContractError,
        PublishError,
        SparkMartsError,
        reader_role.ReaderRoleError,
        warehouse.WarehouseError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"Published {len(rows)} marts, {sum(rows.values())} rows, in "
        f"{time.monotonic() - started:.1f} s (the previous marts were replaced in one commit)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
