"""The landing zone: every fetched file is kept, unchanged, under `data/raw/` before it is loaded.

Fetching is separate from parsing and loading: `download()` only writes a file, atomically (a
temporary name then a rename), so a killed run never leaves a half-written file behind. The
retries are `extract.http`'s; what still fails becomes one `SourceError` sentence.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from extract import http

# Until open_meteo and the scaffold's templates use extract.http, they import these from here.
from extract.http import USER_AGENT, SlowBody, read_body  # noqa: F401
from extract.http import Client as session  # noqa: F401

PROJECT_DIR = Path(__file__).resolve().parent.parent
LANDING_DIR = Path(os.environ.get("WATTLAKE_LANDING_DIR", PROJECT_DIR / "data" / "raw"))
# RTE publishes by French civil day: `start_date`/`end_date` are Paris dates, and a Paris day
# starts at 23:00 UTC in winter, 22:00 UTC in summer.
PARIS = ZoneInfo("Europe/Paris")


class SourceError(RuntimeError):
    """A source problem the user can understand: its message is one sentence naming the fix."""


def check_reachable(url: str, timeout_s: float = 5) -> None:
    """Fail fast, before anything is fetched, when a service cannot be reached at all."""
    try:
        requests.head(url, timeout=timeout_s, allow_redirects=True)
    except requests.RequestException as error:
        raise SourceError(
            f"Cannot reach {url} ({type(error).__name__}): check your network, "
            f"or run `make demo` for the offline chain on sample data."
        ) from None


def relative(path: Path) -> str:
    """The landing path recorded in `raw` (`_source_file`): relative to `data/raw/`."""
    return path.resolve().relative_to(LANDING_DIR.resolve()).as_posix()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    client: http.Client,
    url: str,
    params: dict[str, str],
    destination: Path,
    validate: Callable[[bytes], None],
) -> Path:
    """GET url into destination atomically; `validate` raises SourceError on a bad body."""
    try:
        response = client.get(url, params)
    except (http.FetchFailed, requests.RequestException) as failure:
        error = failure.error if isinstance(failure, http.FetchFailed) else failure
        reason = str(error) if isinstance(error, http.SlowBody) else type(error).__name__
        raise SourceError(
            f"Cannot fetch {url} ({reason}) after retries: check your "
            f"network, or run `make demo` for the offline chain on sample data."
        ) from None
    if response.status_code != 200:
        reason = http.error_reason(response)
        raise SourceError(
            f"{response.url} answered HTTP {response.status_code}"
            f"{f' ({reason})' if reason else ''}: nothing was loaded from it; re-run later."
        )
    validate(response.content)
    write_atomically(destination, response.content)
    return destination


def write_atomically(path: Path, body: bytes | Path) -> None:
    """Write `body` (bytes, or a file to copy) to `path` through `<path>.part` and a rename, so
    that a killed run never leaves a half-written file. A full or read-only disk is one line
    naming the path; the `.part` file is removed and every file landed before is kept."""
    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, Path):
            shutil.copyfile(body, partial)
        else:
            with open(partial, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        fix = (
            "free some space on that disk"
            if error.errno in (errno.ENOSPC, errno.EDQUOT)
            else "make that folder writable (or point WATTLAKE_LANDING_DIR at one)"
        )
        raise SourceError(
            f"Cannot write {error.filename or partial} ({error.strerror}): {fix}, then re-run; "
            f"every file landed and loaded before is kept."
        ) from None


def paris_midnight(day: dt.date) -> dt.datetime:
    """The instant a Paris civil day starts, with its offset (`2021-12-01T00:00:00+01:00`)."""
    return dt.datetime.combine(day, dt.time(), PARIS)


def utc_hour(instant: dt.datetime) -> str:
    """An instant as Open-Meteo spells a UTC hour (`2021-11-30T23:00`)."""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def month_chunks(start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """[first, next) month windows covering [start, end) (calendar days: Paris days for RTE)."""
    first = start.replace(day=1)
    while first < end:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        yield max(first, start), min(following, end)
        first = following


def clip_start(source: str, start: dt.date, what: str, first_day: dt.date) -> dt.date:
    """A start before the first day a dataset holds begins at that day, with a note (asking
    for the days before would fetch nothing, request after request)."""
    if start >= first_day:
        return start
    print(
        f"{source}: note: start_date {start} is before the first day of {what}, {first_day}: "
        f"starting there.",
        flush=True,
    )
    return first_day


def is_settled(chunk_end: dt.date, today: dt.date, refresh_days: int) -> bool:
    """Old months no longer change: once landed they need no new fetch."""
    return chunk_end <= today - dt.timedelta(days=refresh_days)


def with_required(table, columns: tuple[str, ...]):
    """Mark merge-key columns non-nullable, as dlt's schema declares them (keeps dlt quiet)."""
    import pyarrow as pa

    fields = [
        field.with_nullable(False) if field.name in columns else field for field in table.schema
    ]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def wait_for(url: str, timeout_s: float = 30) -> None:
    """Wait until a freshly started local service answers (used by `make demo`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise SourceError(f"{url} did not start within {timeout_s:.0f} s.") from None
            time.sleep(0.2)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] != ["wait"] or len(sys.argv) != 3:
        sys.exit("usage: python -m extract.landing wait URL")
    try:
        wait_for(sys.argv[2])
    except SourceError as problem:
        sys.exit(f"error: {problem}")
