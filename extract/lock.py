"""One run at a time: every command that writes to the warehouse holds this lock for the whole run.

Two locks, both gone when their holder dies (a killed run leaves nothing to clean by hand): a
flock on `data/raw/.lock`, whose file names the holder (pid, host, start time), and a PostgreSQL
advisory lock on a connection of its own, so that two machines sharing one warehouse exclude
each other too. A second run waits `WATTLAKE_LOCK_WAIT_SECONDS` (default 0), then gives up
with one line, `another wattlake run holds the warehouse (pid N on host H since T)`.

    python -m extract.lock [--warehouse-optional] -- COMMAND...   # COMMAND under the lock

COMMAND's environment carries `WATTLAKE_LOCK_TOKEN`: a `python -m extract` inside it (`make
demo`) recognises its holder and takes no lock of its own.

In lake mode (`WATTLAKE_TARGET=lake`) a run writes no database, so it takes the flock only: the
lake is a local folder beside the landing zone, and that flock already keeps runs apart, lake
and PostgreSQL runs alike (they share the landing zone).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

import psycopg2
import psycopg2.extensions

from extract import lake, landing, warehouse

TOKEN_ENV = "WATTLAKE_LOCK_TOKEN"
WAIT_ENV = "WATTLAKE_LOCK_WAIT_SECONDS"
ADVISORY_KEYS = (0x77617474, 0x6C616B65)  # "watt", "lake": pg_try_advisory_lock(int, int)
POLL_S = 0.25
BUSY_EXIT = 3  # documented in docs/operations.md


class LockBusy(RuntimeError):
    """Another run holds the lock; the message is the one line to print."""


@dataclass(frozen=True)
class Holder:
    pid: int | str
    host: str
    since: str
    token: str = ""

    def __str__(self) -> str:
        return f"pid {self.pid} on host {self.host} since {self.since}"

    def application_name(self) -> str:
        """`wattlake <pid> <since> <host>`: PostgreSQL keeps 63 bytes, the host goes last."""
        return f"wattlake {self.pid} {self.since} {self.host}"[:63]


def lock_path() -> Path:
    return landing.LANDING_DIR / ".lock"


def wait_seconds() -> float:
    """How long a second run waits for the lock; ValueError (one line) for a bad setting."""
    value = os.environ.get(WAIT_ENV, "0")
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ValueError(
            f"{WAIT_ENV} is {value!r}, not a number of seconds: set 0 (a second run fails at "
            f"once, the default) or how long a second run may wait for the first."
        )
    return seconds


class RunLock:
    """The landing-zone flock plus the warehouse's advisory lock, held by this process."""

    def __init__(self, warehouse_optional: bool = False) -> None:
        self.me = Holder(
            os.getpid(),
            socket.gethostname(),
            dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            uuid.uuid4().hex,
        )
        self.warehouse_optional = warehouse_optional
        self.file: TextIO | None = None
        self.holds_file = False
        self.conn: psycopg2.extensions.connection | None = None

    def acquire(self, wait_s: float) -> None:
        """Take both locks, polling for up to `wait_s` seconds; raises LockBusy."""
        deadline = time.monotonic() + wait_s
        announced = False
        while (holder := self.try_acquire()) is not None:
            if time.monotonic() >= deadline:
                self.release()
                raise LockBusy(f"another wattlake run holds the warehouse ({holder})")
            if not announced:
                print(
                    f"Another wattlake run holds the warehouse ({holder}): waiting up to "
                    f"{wait_s:g} s ({WAIT_ENV}).",
                    flush=True,
                )
                announced = True
            time.sleep(POLL_S)

    def try_acquire(self) -> Holder | None:
        """None once both locks are held, else who holds the one that is taken."""
        if self.file is None:
            path = lock_path()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.file = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the run)
            except OSError as error:
                raise landing.SourceError(
                    f"Cannot open the run lock {path} ({error.strerror}): make that folder "
                    f"writable (or point WATTLAKE_LANDING_DIR at one), then re-run."
                ) from None
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return file_holder(self.file)
        self.holds_file = True
        self.file.seek(0)
        self.file.truncate()
        self.file.write(json.dumps(asdict(self.me)) + "\n")
        self.file.flush()
        holder = self.try_advisory()
        if holder is not None:
            self.unlock_file()  # let a waiting run in: neither side waits for the other
        return holder

    def try_advisory(self) -> Holder | None:
        if lake.enabled():
            return None  # no warehouse in lake mode: the flock is the whole lock
        if self.conn is None:
            try:
                self.conn = warehouse.connect()
            except warehouse.WarehouseError:
                if self.warehouse_optional:
                    return None  # nobody can write to a warehouse that does not answer
                raise
            self.conn.autocommit = True
            with self.conn.cursor() as cur:
                cur.execute("select set_config('application_name', %s, false)",
                            (self.me.application_name(),))  # fmt: skip
        with self.conn.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(%s, %s)", ADVISORY_KEYS)
            if cur.fetchone()[0]:
                return None
        return advisory_holder(self.conn)

    def release(self) -> None:
        if self.conn is not None:
            with suppress(psycopg2.Error):  # a server already gone holds nothing
                self.conn.close()  # ends the session, and with it the advisory lock
            self.conn = None
        if self.file is not None:
            self.unlock_file()
            self.file.close()
            self.file = None

    def unlock_file(self) -> None:
        """Empty the lock file (it names the holder only while held), then drop the flock."""
        if self.holds_file and self.file is not None:
            self.file.seek(0)
            self.file.truncate()
            self.file.flush()
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.holds_file = False


def file_holder(handle) -> Holder:
    """Who holds the flock, from the lock file. The holder writes it right after taking the
    lock (and empties it before letting go), so an empty or half-written file is read again
    for up to a second."""
    for _ in range(40):
        handle.seek(0)
        try:
            return Holder(**json.loads(handle.read()))
        except (ValueError, TypeError):
            time.sleep(0.025)
    return Holder("?", "?", "? (it is starting)")


def advisory_holder(conn) -> Holder:
    """Who holds the advisory lock, from its session (maybe on another machine)."""
    with conn.cursor() as cur:
        cur.execute(
            "select a.application_name, a.client_addr::text, a.backend_start"
            " from pg_locks as l join pg_stat_activity as a on a.pid = l.pid"
            " where l.locktype = 'advisory' and l.granted and l.classid = %s and l.objid = %s"
            " and l.objsubid = 2 and l.database = (select oid from pg_database"
            " where datname = current_database())",
            ADVISORY_KEYS,
        )
        row = cur.fetchone()
    if row is None:
        return Holder("?", "?", "? (it just ended)")
    name, client, started = row
    words = (name or "").split(" ", 3)
    if len(words) == 4 and words[0] == "wattlake":
        return Holder(words[1], words[3], words[2])
    return Holder("?", client or "?", f"{started:%Y-%m-%dT%H:%M:%SZ}")


def inside_holder() -> bool:
    """True in a command that `python -m extract.lock` runs: its parent holds the lock."""
    token = os.environ.get(TOKEN_ENV)
    path = lock_path()
    if not token or not path.exists():
        return False
    with open(path, encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return file_holder(handle).token == token  # held, by our parent
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False  # nobody holds it: the token is stale


@contextmanager
def hold(warehouse_optional: bool = False):
    """Hold the run lock for the `with` block (or nothing, inside a holder's command)."""
    if inside_holder():
        yield None
        return
    run_lock = RunLock(warehouse_optional)
    try:
        run_lock.acquire(wait_seconds())
        yield run_lock
    finally:
        run_lock.release()


def die_with_parent() -> None:
    """In the child: SIGTERM when this process dies (even by kill -9), so that a command never
    runs on without the lock (Linux `prctl(PR_SET_PDEATHSIG)`; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.lock", description=__doc__)
    parser.add_argument(
        "--warehouse-optional",
        action="store_true",
        help="a warehouse that does not answer is no reason to stop (make reset)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run: python -m extract.lock -- COMMAND...")
    try:
        with hold(args.warehouse_optional) as run_lock:
            env = dict(os.environ)
            if run_lock is not None:
                env[TOKEN_ENV] = run_lock.me.token
            try:
                return subprocess.call(command, env=env, preexec_fn=die_with_parent)
            except KeyboardInterrupt:
                return 130
    except LockBusy as busy:
        print(f"error: {busy}", file=sys.stderr)
        return BUSY_EXIT
    except ValueError as setting:
        print(f"error: {setting}", file=sys.stderr)
        return 2
    except (warehouse.WarehouseError, landing.SourceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
