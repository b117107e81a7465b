"""The dashboard's only door to the warehouse: read-only queries on `marts`, as the reader role.

Host, port and database are the warehouse's (extract/warehouse.py); the login is the read-only
role of extract/reader_role.py, never PGUSER. Results are cached for CACHE_TTL_S seconds; a
failure is never cached, so the app recovers by itself when the database comes back.
"""

from __future__ import annotations

import os

import pandas as pd
import psycopg2
import psycopg2.errors
import psycopg2.extensions
import streamlit as st

from extract import reader_role, warehouse

# The warehouse's libpq defaults (the embedded server's), and the reader role's login.
DEFAULTS = {
    **{name: warehouse.DEFAULTS[name] for name in ("PGHOST", "PGPORT", "PGDATABASE")},
    "WATTLAKE_READER_USER": reader_role.DEFAULT_USER,
}
CACHE_TTL_S = 600
BUILD_COMMANDS = "`make demo` (sample data, offline) or `make run` (real data)"

# numeric columns (round(), sums of integers) arrive as floats, not decimal.Decimal
NUMERIC_AS_FLOAT = psycopg2.extensions.new_type(
    psycopg2.extensions.DECIMAL.values,
    "NUMERIC_AS_FLOAT",
    lambda value, _cursor: float(value) if value is not None else None,
)


class WarehouseUnavailable(RuntimeError):
    """The dashboard cannot show data; the message says why and which command fixes it."""


class WarehouseDown(WarehouseUnavailable):
    """The database server does not answer."""


class MartsMissing(WarehouseUnavailable):
    """The server answers but the marts are not built (or are empty) in this database."""


def connection_settings() -> dict[str, str]:
    return {name: os.environ.get(name, default) for name, default in DEFAULTS.items()}


def is_embedded_server(settings: dict[str, str]) -> bool:
    """The embedded server that `make db` starts listens on the default host and port."""
    return all(settings[name] == DEFAULTS[name] for name in ("PGHOST", "PGPORT"))


def how_to_start(settings: dict[str, str]) -> str:
    """`make db` starts the embedded server only; a server of one's own is named, with the
    settings that point at it."""
    if is_embedded_server(settings):
        return "Start the embedded server with `make db`"
    return (
        f"Start your PostgreSQL server at {settings['PGHOST']}:{settings['PGPORT']}, or point "
        "PGHOST, PGPORT and PGDATABASE (in .env or the environment) at one that runs"
    )


def _connect() -> psycopg2.extensions.connection:
    s = connection_settings()
    where = f"{s['PGHOST']}:{s['PGPORT']}"
    try:
        password = reader_role.configured_password()
    except reader_role.ReaderRoleError as error:
        raise MartsMissing(f"{error} Then reload this page.") from None
    if password is None:
        raise MartsMissing(
            f"No password for the reader role {s['WATTLAKE_READER_USER']}: run {BUILD_COMMANDS}, "
            f"which creates the role and keeps its password in {reader_role.SECRETS_FILE}, or "
            "set WATTLAKE_READER_PASSWORD, then reload this page."
        )
    try:
        conn = psycopg2.connect(
            host=s["PGHOST"],
            port=s["PGPORT"],
            dbname=s["PGDATABASE"],
            user=s["WATTLAKE_READER_USER"],
            password=password,
            connect_timeout=3,
            application_name="wattlake dashboard",
            options="-c search_path=marts -c default_transaction_read_only=on",
        )
    except psycopg2.OperationalError as error:
        reason = (str(error).strip().splitlines() or ["no answer"])[-1]
        if f'database "{s["PGDATABASE"]}" does not exist' in reason:
            raise MartsMissing(
                f"Database {s['PGDATABASE']} does not exist on {where}: run {BUILD_COMMANDS}, "
                "then reload this page."
            ) from None
        if "authentication failed" in reason or ("role" in reason and "does not exist" in reason):
            raise MartsMissing(
                f"The reader role {s['WATTLAKE_READER_USER']} cannot log in to {where} "
                f"({reason}): run {BUILD_COMMANDS}, which creates it; if it exists with another "
                "password, set WATTLAKE_READER_PASSWORD to it or run `python -m "
                "extract.reader_role set-password` (docs/security.md), then reload this page."
            ) from None
        raise WarehouseDown(
            f"The warehouse at {where} (database {s['PGDATABASE']}) does not answer ({reason}). "
            f"{how_to_start(s)}, then reload this page."
        ) from None
    conn.autocommit = True
    psycopg2.extensions.register_type(NUMERIC_AS_FLOAT, conn)
    return conn


def read_frame(cur, sql: str, params: tuple = (), sort_by: tuple[str, ...] = ()) -> pd.DataFrame:
    """One SELECT's rows as a DataFrame, sorted by the `sort_by` columns when given: pandas sorts
    a large answer faster than the server sorts it and psycopg2 then receives it in order."""
    cur.execute(sql, params)
    frame = pd.DataFrame(cur.fetchall(), columns=[column.name for column in cur.description])
    return frame.sort_values(list(sort_by), ignore_index=True) if sort_by else frame


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def query(sql: str, params: tuple = (), sort_by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Run one SELECT with bound parameters (lists for `= any(%s)`), its rows sorted by `sort_by`
    (read_frame); cached for CACHE_TTL_S."""
    conn = _connect()
    try:
        with conn.cursor() as cur:
            return read_frame(cur, sql, params, sort_by)
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName):
        raise MartsMissing(
            f"The marts are not built yet: run {BUILD_COMMANDS}, then reload this page."
        ) from None
    except psycopg2.errors.InsufficientPrivilege:
        raise MartsMissing(
            f"The reader role {connection_settings()['WATTLAKE_READER_USER']} may not read the "
            f"marts: run {BUILD_COMMANDS} (its last step grants SELECT), then reload this page."
        ) from None
    except psycopg2.OperationalError as error:
        raise WarehouseDown(
            f"The warehouse stopped answering ({str(error).strip()}). "
            f"{how_to_start(connection_settings())}, then reload this page."
        ) from None
    finally:
        conn.close()
