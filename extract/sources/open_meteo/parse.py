"""Open-Meteo answers as rows: strict JSON, one row per point per hour, and answers refused.

The API answers with its grid cell's coordinates, not ours, so a row carries our `location_id`
and the coordinates we asked for. A complete answer that cannot be right (values that are not
numbers, no hour, ragged arrays, hours outside the days asked) is refused, never landed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from extract.landing import SourceError, relative
from extract.sources.open_meteo.plan import VARIABLES, Chunk

ROW_FIELDS = (
    "requested_latitude",
    "requested_longitude",
    "latitude",
    "longitude",
    "elevation",
    "timezone",
    "utc_offset_seconds",
    "time",
)


def load_json(body: bytes):
    """JSON as the standard defines it: Python would accept `NaN` and `Infinity` as numbers."""

    def not_a_number(token: str) -> float:
        raise SourceError(f"`{token}` among its values")

    return json.loads(body, parse_constant=not_a_number)


def validate_json(body: bytes, locations: int | None = None) -> None:
    """Refuse what is not a complete answer: cut JSON, no `hourly` block, wrong location count."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise SourceError("Open-Meteo answered a body that is not complete JSON.") from None
    documents = parsed if isinstance(parsed, list) else [parsed]
    for location in documents:
        if not isinstance(location, dict) or "hourly" not in location:
            raise SourceError("Open-Meteo answered JSON without an `hourly` block.")
    if locations is not None and len(documents) != locations:
        raise SourceError(
            f"Open-Meteo answered {len(documents)} locations for {locations} requested."
        )


def check_consistent(body: bytes, chunk: Chunk, origin: str) -> None:
    """Refuse a complete answer that cannot be right: it is not retried (it would come back the
    same) and not kept."""
    try:
        table = parse_body(body, list(chunk.points), chunk.path.name)
        if not table.num_rows:
            raise SourceError("no hour in its `hourly` arrays")
        bounds = pc.min_max(table["time"]).as_py()
        first, end = chunk.asked
        if bounds["min"] < first or bounds["max"] >= end:
            stray = bounds["min"] if bounds["min"] < first else bounds["max"]
            raise SourceError(f"an hour {stray} outside the days asked for ({first} → {end})")
    except SourceError as error:
        raise SourceError(
            f"Open-Meteo answered the {chunk.describe()} request with "
            f"{str(error).rstrip('.')} ({origin}); nothing of it was kept: run the extract "
            f"again later."
        ) from None


def data_digest(body: bytes) -> str:
    """What a body says, ignoring `generationtime_ms`: equal digests mean nothing new."""
    parsed = load_json(body)
    for location in parsed if isinstance(parsed, list) else [parsed]:
        location.pop("generationtime_ms", None)
    return hashlib.sha256(json.dumps(parsed, sort_keys=True).encode()).hexdigest()


def landed_digest(path: Path) -> str:
    """`data_digest` of a landed file; a damaged one (not JSON) matches no answer."""
    try:
        return data_digest(path.read_bytes())
    except ValueError:
        return ""


def parse_body(body: bytes, points: list[dict[str, str]], source_file: str) -> pa.Table:
    """Flatten one response into one row per point per hour; absent variables become null."""
    parsed = load_json(body)
    locations = parsed if isinstance(parsed, list) else [parsed]
    if len(locations) != len(points):
        raise SourceError(
            f"{source_file} holds {len(locations)} locations for {len(points)} requested points: "
            f"delete it and re-run."
        )
    columns: dict[str, list] = {name: [] for name in ("location_id", *ROW_FIELDS, *VARIABLES)}
    for point, location in zip(points, locations, strict=True):
        add_location(columns, point, location, source_file)
    types = {name: pa.float64() for name in (*VARIABLES, *ROW_FIELDS)}
    types.update(
        location_id=pa.string(),
        time=pa.string(),
        timezone=pa.string(),
        utc_offset_seconds=pa.int64(),
    )
    table = pa.table({name: pa.array(values, type=types[name]) for name, values in columns.items()})
    return table.append_column("_source_file", pa.array([source_file] * table.num_rows))


def add_location(columns: dict[str, list], point: dict, location: dict, source_file: str) -> None:
    """Append one location's hours to `columns`; the arrays must all be as long as `time`."""
    hourly = location["hourly"]
    times = hourly["time"]
    for variable in VARIABLES:
        values = hourly.get(variable)
        values = [None] * len(times) if values is None else values
        if len(values) != len(times):
            raise SourceError(
                f"{source_file}: `{variable}` has {len(values)} values for {len(times)} hours"
            )
        columns[variable].extend(values)
    columns["location_id"].extend([point["point_id"]] * len(times))
    columns["time"].extend(times)
    for name, value in (
        ("requested_latitude", float(point["latitude"])),
        ("requested_longitude", float(point["longitude"])),
        ("latitude", location.get("latitude")),
        ("longitude", location.get("longitude")),
        ("elevation", location.get("elevation")),
        ("timezone", location.get("timezone")),
        ("utc_offset_seconds", location.get("utc_offset_seconds")),
    ):
        columns[name].extend([value] * len(times))


def parse_response(path: Path, points: list[dict[str, str]]) -> pa.Table:
    """Flatten one landed file (see `parse_body`)."""
    return parse_body(path.read_bytes(), points, relative(path))


def drop_unpublished_tail(table: pa.Table) -> pa.Table:
    """Drop each point's trailing hours where every variable is null: the archive has not
    published them yet (a later run fetches them); nulls inside the series are kept."""
    if table.num_rows == 0:
        return table
    any_value = pc.is_valid(table[VARIABLES[0]])
    for variable in VARIABLES[1:]:
        any_value = pc.or_(any_value, pc.is_valid(table[variable]))
    ids, has_value = table["location_id"].to_pylist(), any_value.to_pylist()
    keep = [True] * table.num_rows
    tail = True
    for i in range(table.num_rows - 1, -1, -1):
        if i == table.num_rows - 1 or ids[i] != ids[i + 1]:
            tail = True
        tail = tail and not has_value[i]
        keep[i] = not tail
    return table.filter(pa.array(keep))
