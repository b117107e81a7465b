"""The dashboard's only door to the warehouse: read-only queries on the `marts` schema.

Connection settings are the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) with
the embedded server's defaults, like extract/warehouse.py and dbt_project/profiles.yml. The
session is read-only and its search_path is `marts`, so a query cannot write nor reach `raw`.
"""

from __future__ import annotations

import os

import pandas as pd
import psycopg2
import streamlit as st

DEFAULTS = {
    "PGHOST": "127.0.0.1",
    "PGPORT": "54320",
    "PGUSER": "postgres",
    "PGDATABASE": "wattlake",
}
CACHE_TTL_S = 600


class WarehouseUnavailable(RuntimeError):
    """The database cannot be reached or the marts are not built yet; the message says why."""


def connection_settings() -> dict[str, str]:
    settings = {name: os.environ.get(name, default) for name, default in DEFAULTS.items()}
    settings["PGPASSWORD"] = os.environ.get("PGPASSWORD", "")
    return settings


def _connect() -> psycopg2.extensions.connection:
    s = connection_settings()
    try:
        conn = psycopg2.connect(
            host=s["PGHOST"],
            port=s["PGPORT"],
            user=s["PGUSER"],
            password=s["PGPASSWORD"],
            dbname=s["PGDATABASE"],
            connect_timeout=3,
            options="-c search_path=marts -c default_transaction_read_only=on",
        )
    except psycopg2.OperationalError as error:
        last_line = (str(error).strip().splitlines() or ["no answer"])[-1]
        raise WarehouseUnavailable(
            f"The warehouse at {s['PGHOST']}:{s['PGPORT']} (database {s['PGDATABASE']}) "
            f"does not answer ({last_line}). Start it with `make db`, then reload this page."
        ) from None
    conn.autocommit = True
    return conn


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def query(sql: str, params: tuple = ()) -> pd.DataFrame:
    """Run one SELECT with bound parameters; results are cached for CACHE_TTL_S seconds."""
    conn = _connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            columns = [column.name for column in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=columns)
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName):
        raise WarehouseUnavailable(
            "The marts are not built yet: run `make demo` (sample data, offline) "
            "or `make run` (real data), then reload this page."
        ) from None
    finally:
        conn.close()
