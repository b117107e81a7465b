"""The read-only role the dashboard logs in with, created from Python so its password never
passes through dbt (dbt writes what it renders into its logs, manifest and docs site).

    python -m extract.reader_role               # create the role if missing, then scope it
    python -m extract.reader_role set-password  # give the existing role the configured password

The role is `WATTLAKE_READER_USER` (default `wattlake_reader`). Its password is
`WATTLAKE_READER_PASSWORD` when set, else the one kept in the git-ignored `.streamlit/secrets.toml`
(`[wattlake] reader_password`), generated at random there on first use. An existing role's
password is never changed, except by `set-password`. The server receives only the SCRAM-SHA-256
verifier, never the password (the way `createuser` and psql's `\\password` send it), so server
logs and pg_stat_statements hold no password either.

Scope (docs/security.md): LOGIN and nothing else; `statement_timeout` and
`default_transaction_read_only` set on the role; CONNECT on the project's database only, from
which PUBLIC loses CONNECT and TEMPORARY; no large-object creation there. dbt grants it USAGE
and SELECT on schema `marts` (dbt_project/macros/reader_role.sql).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import sys
import tomllib
from pathlib import Path

from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

from extract import warehouse

DEFAULT_USER = "wattlake_reader"
SECRETS_FILE = warehouse.PROJECT_DIR / ".streamlit" / "secrets.toml"
SECRETS_TABLE, SECRETS_KEY = "wattlake", "reader_password"
# jit off: the dashboard's queries are small, but a window over 13 years of days is estimated
# large, and compiling it took 0.45 s of a 0.5 s query (TOP_PEAKS, EXPLAIN ANALYZE, full history)
ROLE_SETTINGS = {"statement_timeout": "30s", "default_transaction_read_only": "on", "jit": "off"}
# The functions that create a large object; lo_import is already superuser-only by default.
LARGE_OBJECT_CREATORS = ("lo_create(oid)", "lo_creat(integer)", "lo_from_bytea(oid, bytea)")
SCRAM_ITERATIONS = 4096  # PostgreSQL's default (scram_iterations)
DOCS = "docs/security.md"


class ReaderRoleError(RuntimeError):
    """A problem the user can fix; its message is one sentence naming the fix."""


def user() -> str:
    name = os.environ.get("WATTLAKE_READER_USER", DEFAULT_USER)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ReaderRoleError(
            f"WATTLAKE_READER_USER={name!r} is not a plain PostgreSQL role name: use lower-case "
            "letters, digits and _ (at most 63)."
        )
    return name


# --- the password --------------------------------------------------------------------------


def stored_password(path: Path | None = None) -> str | None:
    """The password kept in the secrets file, or None when there is none yet."""
    path = path or SECRETS_FILE
    if not path.exists():
        return None
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(SECRETS_TABLE, {})
    except tomllib.TOMLDecodeError as error:
        raise ReaderRoleError(f"{path} is not valid TOML ({error}): fix or delete it.") from None
    stored = table.get(SECRETS_KEY)
    return None if stored is None else str(stored)


def configured_password(path: Path | None = None) -> str | None:
    """WATTLAKE_READER_PASSWORD when set, else the stored one; what the dashboard logs in with."""
    explicit = os.environ.get("WATTLAKE_READER_PASSWORD")
    if explicit is not None:
        if not explicit or not (explicit.isascii() and explicit.isprintable()):
            raise ReaderRoleError(
                "WATTLAKE_READER_PASSWORD must be non-empty printable ASCII (PostgreSQL "
                "normalises other characters): choose another, or unset it for the generated one."
            )
        return explicit
    return stored_password(path)


def password(path: Path | None = None) -> str:
    """The configured password; on first use, a random one, stored in the secrets file."""
    found = configured_password(path)
    if found is not None:
        return found
    path = path or SECRETS_FILE
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if f"[{SECRETS_TABLE}]" in existing:
        raise ReaderRoleError(
            f"{path} has a [{SECRETS_TABLE}] table without {SECRETS_KEY}: add "
            f'{SECRETS_KEY} = "<the role\'s password>" to it, or remove the table.'
        )
    generated = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)  # an existing file, too: it now holds the password
    with os.fdopen(fd, "a", encoding="utf-8") as secrets_file:
        secrets_file.write(
            f"{'' if not existing or existing.endswith(chr(10)) else chr(10)}"
            f"# The reader role's password, generated by extract/reader_role.py ({DOCS}).\n"
            f'[{SECRETS_TABLE}]\n{SECRETS_KEY} = "{generated}"\n'
        )
    return generated


def _source(path: Path | None) -> str:
    """Where the configured password comes from, for messages."""
    if "WATTLAKE_READER_PASSWORD" in os.environ:
        return "WATTLAKE_READER_PASSWORD"
    path = path or SECRETS_FILE
    return str(
        path.relative_to(warehouse.PROJECT_DIR)
        if path.is_relative_to(warehouse.PROJECT_DIR)
        else path
    )


def scram_sha_256(
    secret: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS
) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `secret` (RFC 5802 / 7677, the format of
    pg_authid.rolpassword). A random salt unless one is given (to check a stored verifier)."""
    salt = salt or secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, iterations)
    stored_key = hashlib.sha256(hmac.digest(salted, b"Client Key", "sha256")).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    encoded = [base64.b64encode(part).decode() for part in (salt, stored_key, server_key)]
    return f"SCRAM-SHA-256${iterations}:{encoded[0]}${encoded[1]}:{encoded[2]}"


def verifies(verifier: str | None, secret: str) -> bool:
    """Whether a stored SCRAM-SHA-256 verifier is the one of `secret`."""
    match = re.fullmatch(r"SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$\S+", verifier or "")
    if verifier is None or not match:
        return False
    expected = scram_sha_256(secret, base64.b64decode(match[2]), int(match[1]))
    return hmac.compare_digest(verifier, expected)


# --- the role ------------------------------------------------------------------------------


def _one(cur: Cursor) -> tuple:
    """The row a query that always finds one found."""
    row: tuple | None = cur.fetchone()
    if row is None:
        raise RuntimeError(f"no row from {cur.query!r}")
    return row


def _privileges(cur: Cursor, database: str) -> tuple[bool, bool, bool]:
    """(superuser, may create roles, owns the database) for the current user."""
    cur.execute(
        "select r.rolsuper, r.rolsuper or r.rolcreaterole, d.datdba = r.oid"
        " from pg_roles as r, pg_database as d where r.rolname = current_user and d.datname = %s",
        (database,),
    )
    superuser, createrole, owner = _one(cur)
    return bool(superuser), bool(createrole), bool(owner)


def _role_exists(cur: Cursor, role: str) -> bool:
    cur.execute("select 1 from pg_roles where rolname = %s", (role,))
    return cur.fetchone() is not None


def ensure(path: Path | None = None) -> list[str]:
    """Create the role when missing (never touching an existing one's password), then scope it
    to the project's database. Returns what was done and what could not be, one line each."""
    role, database = user(), warehouse.settings()["PGDATABASE"]
    admin = warehouse.settings()["PGUSER"]
    conn = warehouse.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            superuser, createrole, owner = _privileges(cur, database)
            lines = _create_or_check(cur, role, admin, (superuser, createrole), path)
            lines += _apply_settings(cur, role, admin, createrole)
            lines += _scope_database(cur, role, admin, database, superuser or owner)
            lines += _revoke_large_objects(cur, admin, database, superuser)
    finally:
        conn.close()
    return lines


def _create_or_check(
    cur: Cursor, role: str, admin: str, rights: tuple[bool, bool], path: Path | None
) -> list[str]:
    """Create the role if it is missing; if it exists, say whether its password is the
    configured one (only a superuser may read it). `rights`: (superuser, may create roles)."""
    superuser, createrole = rights
    if _role_exists(cur, role):
        lines = [f"Reader role {role} exists: its password is left as it is."]
        if superuser:
            cur.execute("select rolpassword from pg_authid where rolname = %s", (role,))
            if not verifies(_one(cur)[0], password(path)):
                lines.append(
                    f"warning: {role}'s password is not the configured one "
                    f"({_source(path)}), so the dashboard cannot log in where the server "
                    "checks passwords: set "
                    "WATTLAKE_READER_PASSWORD to it, or run "
                    "`python -m extract.reader_role set-password`."
                )
        return lines
    if not createrole:
        raise ReaderRoleError(
            f"The reader role {role} does not exist and {admin} may not create roles: "
            f"ask a database administrator to create it ({DOCS}), then run this again."
        )
    cur.execute(
        sql.SQL(
            "create role {} login nosuperuser nocreatedb nocreaterole noinherit"
            " noreplication nobypassrls password %s"
        ).format(sql.Identifier(role)),
        (scram_sha_256(password(path)),),
    )
    return [f"Reader role {role} created; its password is in {_source(path)}."]


def _apply_settings(cur: Cursor, role: str, admin: str, createrole: bool) -> list[str]:
    if not createrole:
        return [f"note: {admin} may not alter roles: {role}'s settings unchecked."]
    for setting, value in ROLE_SETTINGS.items():
        cur.execute(
            sql.SQL("alter role {} set {} = %s").format(
                sql.Identifier(role), sql.Identifier(setting)
            ),
            (value,),
        )
    return []


def _scope_database(cur: Cursor, role: str, admin: str, database: str, owns: bool) -> list[str]:
    """Only the reader (and the owner) may connect: PUBLIC loses CONNECT and TEMPORARY."""
    if not owns:
        return [
            f"note: {admin} does not own database {database}: PUBLIC keeps CONNECT and "
            f"TEMPORARY on it ({DOCS} says what its owner should revoke)."
        ]
    db, reader = sql.Identifier(database), sql.Identifier(role)
    cur.execute(sql.SQL("revoke connect, temporary on database {} from public").format(db))
    cur.execute(sql.SQL("grant connect on database {} to {}").format(db, reader))
    return []


def _revoke_large_objects(cur: Cursor, admin: str, database: str, superuser: bool) -> list[str]:
    if not superuser:
        return [
            f"note: {admin} is not a superuser: PUBLIC may still create large objects in "
            f"{database} ({DOCS} says what to revoke)."
        ]
    cur.execute(f"revoke execute on function {', '.join(LARGE_OBJECT_CREATORS)} from public")
    return []


def set_password(path: Path | None = None) -> str:
    """Give the existing role the configured password: the one explicit way to change it."""
    role = user()
    conn = warehouse.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            if not _role_exists(cur, role):
                raise ReaderRoleError(
                    f"The reader role {role} does not exist: run `make transform` to create it."
                )
            cur.execute(
                sql.SQL("alter role {} password %s").format(sql.Identifier(role)),
                (scram_sha_256(password(path)),),
            )
    finally:
        conn.close()
    return f"Reader role {role}: password set to the configured one."


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "ensure"
    try:
        if command == "ensure":
            lines = ensure()
        elif command == "set-password":
            lines = [set_password()]
        else:
            print(f"Unknown command {command!r}: use ensure or set-password.", file=sys.stderr)
            return 2
    except (ReaderRoleError, warehouse.WarehouseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for line in lines:
        print(line, file=sys.stderr if line.startswith(("warning", "note")) else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
