"""The `open_meteo_hourly` resource: land each chunk's answer, yield only the rows it changes.

Each response body is kept unchanged in the landing zone, then flattened into one row per point
per hour, merged on (`location_id`, `time`). The resource state remembers each chunk's last
loaded file, its hash and the UTC hours loaded from it, so a re-run with nothing new adds and
changes nothing, and a new file yields the rows those hours lacked or held differently (a run
whose dates cut a month short loaded fewer hours than its file holds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from extract import http
from extract.landing import SourceError, file_sha256, relative, with_required, write_atomically
from extract.periods import paris_midnight, utc_hour
from extract.sources import report
from extract.sources.open_meteo.budget import Budget, BudgetExhausted, Limits
from extract.sources.open_meteo.fetch import fetch_chunk
from extract.sources.open_meteo.parse import (
    data_digest,
    drop_unpublished_tail,
    landed_digest,
    parse_body,
)
from extract.sources.open_meteo.plan import Chunk, plan_chunks, weather_points
from extract.sources.open_meteo.progress import Progress, announce

TABLE = "open_meteo_hourly"
KEY = ("location_id", "time")


@dataclass(frozen=True)
class Run:
    """The settings of one run, as the source resolved them."""

    start: dt.date
    end: dt.date  # exclusive
    today: dt.date
    max_request_cost: float
    refresh_days: int
    archive_delay_days: int
    limits: Limits
    client: http.Client  # its retries, backoff and timeout; fetch_chunk adds the budget
    urls: dict[str, str]  # endpoint ("archive", "forecast") -> URL
    landing_dir: Path
    progress_seconds: float


def hourly_resource(run: Run):
    """The dlt resource: one row per point per hour, merged on its key."""

    @dlt.resource(name=TABLE, primary_key=KEY, write_disposition="merge")
    def hourly() -> Iterator[pa.Table]:
        yield from load_chunks(run, dlt.current.resource_state())

    return hourly


def load_chunks(run: Run, state: dict) -> Iterator[pa.Table]:
    """Fetch what is not landed or not settled, then yield each chunk's new or changed rows."""
    state.pop("loaded_files", None)  # the first version's bookkeeping
    loaded: dict[str, dict] = state.setdefault("chunks", {})
    chunks = plan_chunks(
        weather_points(),
        run.start,
        run.end,
        run.today,
        max_request_cost=run.max_request_cost,
        refresh_days=run.refresh_days,
        archive_delay_days=run.archive_delay_days,
        landing_dir=run.landing_dir,
    )
    for key in [k for k in loaded if k.startswith("forecast/")]:
        if key not in {chunk.key for chunk in chunks}:
            del loaded[key]  # a removed point group's forecast: nothing to compare with
    budget = Budget(run.limits, ledger=run.landing_dir / "api" / "open_meteo" / "calls.log")
    to_fetch = [c for c in chunks if not (c.settled and c.path.exists())]
    announce(chunks, to_fetch, budget, run.start, run.end)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    progress = Progress(to_fetch, run.progress_seconds)
    fetch_paths = {chunk.path for chunk in to_fetch}
    for chunk in chunks:
        record = loaded.get(chunk.key)
        hours = loaded_hours(run, chunk, now)
        previous = None
        if chunk.path in fetch_paths:
            previous = last_loaded(run, chunk, record, hours)  # before any overwrite
            try:
                land(run, chunk, budget)
            except BudgetExhausted as stop:
                progress.stopped(stop)
                return
            progress.advance(chunk)
        sha256 = file_sha256(chunk.path)
        if up_to_date(record, chunk, sha256, hours):
            continue
        if chunk.path not in fetch_paths:
            previous = last_loaded(run, chunk, record, hours)
        table = new_rows(chunk, previous, hours)
        if table is None:
            continue
        if table.num_rows:
            yield with_required(table, KEY)
        hours = hours_given(record, chunk, sha256, hours)
        loaded[chunk.key] = {"file": relative(chunk.path), "sha256": sha256, "hours": hours}
    progress.finished()


def up_to_date(record: dict | None, chunk: Chunk, sha256: str, hours: list[str]) -> bool:
    """The chunk's file, this very content, was loaded for these hours or more (a record of an
    older version has no hours: as before, its file and hash say it)."""
    if not record or (record["file"], record["sha256"]) != (relative(chunk.path), sha256):
        return False
    low, high = record.get("hours", hours)
    return bool(low <= hours[0] and hours[1] <= high)


def hours_given(record: dict | None, chunk: Chunk, sha256: str, hours: list[str]) -> list[str]:
    """The hours the chunk's file has given once these are loaded: these, and those it gave
    before when it is the same file and the two ranges touch (their union is one range)."""
    if record and (record["file"], record["sha256"]) == (relative(chunk.path), sha256):
        low, high = record.get("hours", hours)
        if low <= hours[1] and hours[0] <= high:
            return [min(low, hours[0]), max(high, hours[1])]
    return hours


def land(run: Run, chunk: Chunk, budget: Budget) -> None:
    """Fetch a chunk and land its body, unless the landed copy already says the same."""
    body = fetch_chunk(run.client, run.urls[chunk.endpoint], chunk, budget)
    if not (chunk.path.exists() and landed_digest(chunk.path) == data_digest(body)):
        write_atomically(chunk.path, body)


def new_rows(chunk: Chunk, previous: pa.Table | None, hours: list[str]) -> pa.Table | None:
    """The chunk's rows that `previous` lacks, or None (reported as a bad file) when its landed
    file cannot be read: its hash is then not recorded, so the next run tries again."""
    try:
        rows = chunk_rows(chunk, chunk.path.read_bytes(), hours)
    except (SourceError, ValueError, KeyError) as error:
        reason = str(error).strip().splitlines()[0][:160].rstrip(".")
        fix = "delete it and re-run to fetch it again"
        report("bad_files", f"{chunk.path} cannot be read ({reason}): {fix}.")
        return None
    return changed_rows(rows, previous)


def chunk_rows(chunk: Chunk, body: bytes, hours: list[str]) -> pa.Table:
    """The rows a chunk loads from one of its bodies: those of the UTC hours [lower, upper)."""
    table = parse_body(body, list(chunk.points), relative(chunk.path))
    if chunk.endpoint == "archive":
        table = drop_unpublished_tail(table)
    times = table["time"]
    lower, upper = hours
    return table.filter(pc.and_(pc.greater_equal(times, lower), pc.less(times, upper)))


def loaded_hours(run: Run, chunk: Chunk, now: str) -> list[str]:
    """The UTC hours [lower, upper) a chunk loads: those of its own Paris days inside the run's
    dates (so no two chunks load one key), and no hour after `now`."""
    days = (max(chunk.first, run.start), min(chunk.end, run.end))
    lower, upper = (utc_hour(paris_midnight(day)) for day in days)
    next_hour = dt.datetime.fromisoformat(now).replace(minute=0) + dt.timedelta(hours=1)
    return [lower, min(upper, next_hour.strftime("%Y-%m-%dT%H:%M"))]


def last_loaded(run: Run, chunk: Chunk, record: dict | None, hours: list[str]) -> pa.Table | None:
    """The rows the chunk's last loaded file gave, if that file is still there, unchanged: the
    hours then loaded (`hours`, the chunk's hours now, for a record of an older version)."""
    if not record:
        return None
    path = run.landing_dir / record["file"]
    if not path.exists() or file_sha256(path) != record["sha256"]:
        return None
    try:
        return chunk_rows(chunk, path.read_bytes(), record.get("hours", hours))
    except (SourceError, ValueError, KeyError):
        return None


def changed_rows(new: pa.Table, old: pa.Table | None) -> pa.Table:
    """Rows of `new` that `old` (the chunk's last loaded version) lacks or holds differently."""
    if old is None or old.num_rows == 0:
        return new
    compared = [name for name in new.column_names if name != "_source_file"]
    seen = set(zip(*(old[name].to_pylist() for name in compared), strict=True))
    rows = zip(*(new[name].to_pylist() for name in compared), strict=True)
    return new.filter(pa.array([row not in seen for row in rows]))
