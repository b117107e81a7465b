"""The dashboard's read-only role (extract/reader_role.py, docs/security.md): no well-known
password, generated once and kept in a git-ignored file, never reset, never seen by dbt, and
scoped to the project's database so that it can persist nothing.

Roles are server-wide: each test makes a database and a role of its own, and drops both. The
built warehouse is the session's demo warehouse (tests/demo_warehouse.py).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from extract import reader_role
from tests.demo_warehouse import DBT, DBT_DIR, DemoWarehouse, demo_warehouse_once
from tests.helpers import PROJECT_DIR, admin, assert_reads_marts_only, connect


@dataclass(frozen=True)
class ProjectDatabase:
    name: str
    role: str
    secrets: Path  # where this test's generated password is kept (not the checkout's file)

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        with closing(admin()) as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []

    def verifier(self) -> str:
        return self.sql("select rolpassword from pg_authid where rolname = %s", (self.role,))[0][0]


def _make_database(suffix: str) -> ProjectDatabase:
    name = f"{os.environ.get('PGDATABASE', 'wattlake')}_r{uuid.uuid4().hex[:8]}{suffix}"
    with closing(admin()) as conn, conn.cursor() as cur:
        cur.execute(f'create database "{name}"')
    return ProjectDatabase(name, f"{name}_reader", Path())


def _drop(database: ProjectDatabase) -> None:
    with closing(admin()) as conn, conn.cursor() as cur:
        cur.execute(f'drop database if exists "{database.name}" with (force)')
        cur.execute(f'drop role if exists "{database.role}"')


@pytest.fixture
def project_db(tmp_path, monkeypatch) -> Iterator[ProjectDatabase]:
    """A private database and reader role name in this process's environment, no password set."""
    made = _make_database("")
    database = ProjectDatabase(made.name, made.role, tmp_path / ".streamlit" / "secrets.toml")
    monkeypatch.setenv("PGDATABASE", database.name)
    monkeypatch.setenv("WATTLAKE_READER_USER", database.role)
    monkeypatch.delenv("WATTLAKE_READER_PASSWORD", raising=False)
    yield database
    _drop(database)


def test_scram_verifier_is_the_one_postgresql_stores() -> None:
    """The role is given a verifier computed here: it must match what the server makes itself."""
    role, secret = f"wattlake_scram_{uuid.uuid4().hex[:8]}", "pa$$'wattlake$ word"
    with closing(admin()) as conn, conn.cursor() as cur:
        cur.execute("set password_encryption = 'scram-sha-256'")
        cur.execute(f"create role {role} password %s", (secret,))
        try:
            cur.execute("select rolpassword from pg_authid where rolname = %s", (role,))
            stored = cur.fetchone()[0]
        finally:
            cur.execute(f"drop role {role}")
    assert reader_role.verifies(stored, secret)
    assert not reader_role.verifies(stored, secret + "x")
    assert not reader_role.verifies(reader_role.scram_sha_256(secret), "wattlake_reader")


def test_first_use_generates_a_password_into_the_secrets_file(project_db) -> None:
    project_db.secrets.parent.mkdir()
    project_db.secrets.write_text('[elsewhere]\ntoken = "kept"\n', encoding="utf-8")
    lines = reader_role.ensure(project_db.secrets)
    assert lines[0] == (
        f"Reader role {project_db.role} created; its password is in {project_db.secrets}."
    )
    kept = tomllib.loads(project_db.secrets.read_text(encoding="utf-8"))
    generated = kept["wattlake"]["reader_password"]
    assert kept["elsewhere"] == {"token": "kept"}  # the file's other secrets stay
    assert len(generated) >= 40 and project_db.role not in generated
    assert stat.S_IMODE(project_db.secrets.stat().st_mode) & 0o077 == 0
    assert reader_role.verifies(project_db.verifier(), generated)
    # the next run finds the same password and leaves the role alone
    assert reader_role.ensure(project_db.secrets)[0].endswith("its password is left as it is.")
    assert reader_role.stored_password(project_db.secrets) == generated
    assert reader_role.verifies(project_db.verifier(), generated)


def test_two_checkouts_generate_different_passwords(tmp_path) -> None:
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    assert reader_role.password(first) != reader_role.password(second)


def test_explicit_password_wins_and_an_existing_password_is_never_changed(
    project_db, monkeypatch
) -> None:
    monkeypatch.setenv("WATTLAKE_READER_PASSWORD", "first-choice")
    reader_role.ensure(project_db.secrets)
    assert reader_role.verifies(project_db.verifier(), "first-choice")
    assert not project_db.secrets.exists()  # an explicit password is not written anywhere
    # a database administrator changes it; the next runs, with another password, keep theirs
    project_db.sql(f"alter role {project_db.role} password 'chosen-by-the-dba'")
    monkeypatch.setenv("WATTLAKE_READER_PASSWORD", "second-choice")
    lines = reader_role.ensure(project_db.secrets)
    assert reader_role.verifies(project_db.verifier(), "chosen-by-the-dba")
    assert any(line.startswith("warning:") and "set-password" in line for line in lines)
    # the one explicit way to change it
    reader_role.set_password(project_db.secrets)
    assert reader_role.verifies(project_db.verifier(), "second-choice")


def test_role_is_scoped_to_its_own_database(project_db, monkeypatch) -> None:
    monkeypatch.setenv("WATTLAKE_READER_PASSWORD", "scoped")
    reader_role.ensure(project_db.secrets)
    attributes = project_db.sql(
        "select rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication,"
        " rolbypassrls, rolconfig from pg_roles where rolname = %s",
        (project_db.role,),
    )[0]
    assert attributes[:7] == (True, False, False, False, False, False, False)
    assert sorted(attributes[7]) == [
        "default_transaction_read_only=on",
        "jit=off",
        "statement_timeout=30s",
    ]
    # another project database on the same server: its reader may not connect to ours
    other = _make_database("_other")
    try:
        monkeypatch.setenv("PGDATABASE", other.name)
        monkeypatch.setenv("WATTLAKE_READER_USER", other.role)
        reader_role.ensure(project_db.secrets)
        for role, database, allowed in (
            (project_db.role, project_db.name, True),
            (project_db.role, other.name, False),
            (other.role, project_db.name, False),
        ):
            assert project_db.sql(
                "select has_database_privilege(%s, %s, 'connect'),"
                " has_database_privilege(%s, %s, 'temporary')",
                (role, database, role, database),
            )[0] == (allowed, False)
        with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
            reader_connection(project_db.name, project_db.role, "scoped", other.name).close()
    finally:
        _drop(other)


def test_bad_settings_are_refused_in_one_line(project_db, monkeypatch) -> None:
    monkeypatch.setenv("WATTLAKE_READER_USER", "Reader; drop table x")
    with pytest.raises(reader_role.ReaderRoleError, match="WATTLAKE_READER_USER"):
        reader_role.ensure(project_db.secrets)
    monkeypatch.setenv("WATTLAKE_READER_USER", project_db.role)
    monkeypatch.setenv("WATTLAKE_READER_PASSWORD", "mot de passe réglé")
    with pytest.raises(reader_role.ReaderRoleError, match="printable ASCII"):
        reader_role.ensure(project_db.secrets)
    monkeypatch.delenv("WATTLAKE_READER_PASSWORD")
    project_db.secrets.parent.mkdir()
    project_db.secrets.write_text("[wattlake]\nother = 1\n", encoding="utf-8")
    with pytest.raises(reader_role.ReaderRoleError, match="without reader_password"):
        reader_role.ensure(project_db.secrets)
    assert project_db.sql("select 1 from pg_roles where rolname = %s", (project_db.role,)) == []


def test_dashboard_without_a_password_names_the_command_that_makes_one(
    project_db, monkeypatch
) -> None:
    from dashboard import db

    monkeypatch.setattr(reader_role, "SECRETS_FILE", project_db.secrets)
    with pytest.raises(db.MartsMissing, match="No password for the reader role") as raised:
        db._connect()
    assert "make demo" in str(raised.value) and str(project_db.secrets) in str(raised.value)
    # the password `make demo` generated is the one the dashboard logs in with
    assert reader_role.configured_password() is None
    generated = reader_role.password()
    assert reader_role.configured_password() == generated
    monkeypatch.setenv("WATTLAKE_READER_PASSWORD", "explicit")
    assert reader_role.configured_password() == "explicit"


def test_dashboard_names_the_fixes_when_the_reader_cannot_log_in(project_db, monkeypatch) -> None:
    from dashboard import db

    monkeypatch.setenv("WATTLAKE_READER_PASSWORD", "any")  # the role was never created
    with pytest.raises(db.MartsMissing, match=f"reader role {project_db.role} cannot log in") as e:
        db._connect()
    assert all(fix in str(e.value) for fix in ("make demo", "set-password", "docs/security.md"))


# --- on the built demo warehouse -----------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> DemoWarehouse:
    return demo_warehouse_once(tmp_path_factory)


def reader_connection(database: str, role: str, secret: str, dbname: str = ""):
    return psycopg2.connect(
        host=os.environ["PGHOST"],
        port=os.environ.get("PGPORT", "5432"),
        user=role,
        password=secret,
        dbname=dbname or database,
        connect_timeout=5,
    )


def test_every_write_path_fails_as_the_reader(warehouse: DemoWarehouse) -> None:
    role, secret = warehouse.env["WATTLAKE_READER_USER"], warehouse.env["WATTLAKE_READER_PASSWORD"]
    conn = reader_connection(warehouse.database, role, secret)
    conn.autocommit = True  # no read-only session asked for: the role's own settings apply
    with closing(conn), conn.cursor() as cur:
        cur.execute("select current_setting('statement_timeout'),"
                    " current_setting('default_transaction_read_only')")  # fmt: skip
        assert cur.fetchone() == ("30s", "on")
        with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            cur.execute("insert into marts.dim_regions select * from marts.dim_regions limit 1")
        cur.execute("set default_transaction_read_only = off")  # allowed; nothing else is
        for statement in (
            "insert into marts.dim_regions select * from marts.dim_regions limit 1",
            "create temp table scratch (x integer)",
            "create temporary table scratch as select 1 as x",
            "select lo_create(0)",
            "select lo_creat(-1)",
            "select lo_from_bytea(0, 'persisted')",
            "create table public.scratch (x integer)",
            "create table marts.scratch (x integer)",
            "create schema scratch",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(statement)
        assert_reads_marts_only(cur)
    # libpq's own large-object call (the fast-path protocol, not SQL) is refused too
    conn = reader_connection(warehouse.database, role, secret)
    with closing(conn), pytest.raises(psycopg2.Error, match="permission denied"):
        conn.cursor().execute("set transaction read write")
        conn.lobject()
    with closing(connect(warehouse.database)) as conn, conn.cursor() as cur:
        cur.execute(
            "select count(*) from pg_largeobject_metadata where lomowner = %s::regrole", (role,)
        )
        assert cur.fetchone()[0] == 0


def test_password_is_nowhere_in_dbt_artefacts_logs_or_docs_site(warehouse: DemoWarehouse) -> None:
    """The demo warehouse was built by `extract.reader_role` then `dbt build`, the password in
    the environment; `dbt docs generate` makes the docs site `make docs` serves from target/."""
    env = warehouse.env
    result = subprocess.run(
        [str(DBT), "docs", "generate"], cwd=DBT_DIR, env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    target, logs = Path(env["DBT_TARGET_PATH"]), Path(env["DBT_LOG_PATH"])
    files = [path for folder in (target, logs) for path in folder.rglob("*") if path.is_file()]
    names = {path.name for path in files}
    assert {"manifest.json", "run_results.json", "catalog.json", "index.html", "dbt.log"} <= names
    assert any((target / "run").rglob("*.sql"))  # the SQL dbt ran is there to search too
    secret = env["WATTLAKE_READER_PASSWORD"]
    token = secret.split("'")[0]  # its random part: found whatever the quoting around it
    leaks = [str(path) for path in files if token.encode() in path.read_bytes()]
    assert leaks == []
    # the search looked where the role does appear: dbt's grants name it in its log
    assert env["WATTLAKE_READER_USER"].encode() in (logs / "dbt.log").read_bytes()


# --- the dashboard's Streamlit settings ----------------------------------------------------


def test_streamlit_listens_on_loopback_and_sends_no_statistics_by_default() -> None:
    config = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False
    # what a plain `streamlit run` from the project folder uses (no STREAMLIT_* override)
    env = {name: value for name, value in os.environ.items() if not name.startswith("STREAMLIT_")}
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert 'address = "127.0.0.1"' in shown and "gatherUsageStats = false" in shown


def test_the_secrets_file_is_git_ignored() -> None:
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=PROJECT_DIR).returncode == 0

    if subprocess.run(["git", "rev-parse"], cwd=PROJECT_DIR, capture_output=True).returncode:
        pytest.skip("not a git checkout")
    assert ignored(".streamlit/secrets.toml")
    assert not ignored(".streamlit/config.toml")
    assert reader_role.SECRETS_FILE == PROJECT_DIR / ".streamlit" / "secrets.toml"
