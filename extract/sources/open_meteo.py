"""Open-Meteo hourly weather at every weather point of `dbt_project/seeds/weather_points.csv`.

History comes from the archive API (ERA5, about five days behind), month by month, all points in
one request (the API answers a JSON array in request order). The last days come from the
forecast API with `past_days`. Each response body is kept unchanged in the landing zone, then
flattened into `raw.open_meteo_hourly`: one row per point per hour, merged on
(`location_id`, `time`). The API answers with its grid cell's coordinates, not ours, so the row
carries our `location_id` and the coordinates we asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import dlt
import pyarrow as pa

from extract.landing import (
    LANDING_DIR,
    SourceError,
    download,
    file_sha256,
    is_settled,
    month_chunks,
    relative,
    session,
    with_required,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
WEATHER_POINTS = PROJECT_DIR / "dbt_project" / "seeds" / "weather_points.csv"
VARIABLES = (
    "temperature_2m",
    "apparent_temperature",
    "wind_speed_100m",
    "shortwave_radiation",
    "cloud_cover",
    "precipitation",
)
ARCHIVE_DELAY_DAYS = 6  # the archive lags about five days behind real time
MAX_PAST_DAYS = 92


def weather_points(path: Path = WEATHER_POINTS) -> list[dict[str, str]]:
    """The points to fetch: one list, shared with dbt as a seed."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def request_params(points: list[dict[str, str]], **dates: str) -> dict[str, str]:
    return {
        "latitude": ",".join(point["latitude"] for point in points),
        "longitude": ",".join(point["longitude"] for point in points),
        "hourly": ",".join(VARIABLES),
        "timezone": "UTC",
        **dates,
    }


def validate_json(body: bytes) -> None:
    try:
        parsed = json.loads(body)
    except ValueError:
        raise SourceError("Open-Meteo answered a body that is not complete JSON.") from None
    for location in parsed if isinstance(parsed, list) else [parsed]:
        if not isinstance(location, dict) or "hourly" not in location:
            raise SourceError("Open-Meteo answered JSON without an `hourly` block.")


def parse_response(path: Path, points: list[dict[str, str]]) -> pa.Table:
    """Flatten one landed response into one row per point per hour."""
    body = json.loads(path.read_bytes())
    locations = body if isinstance(body, list) else [body]
    if len(locations) != len(points):
        raise SourceError(
            f"{path} holds {len(locations)} locations for {len(points)} requested points: "
            f"delete it and re-run."
        )
    columns: dict[str, list] = {name: [] for name in ("location_id", *ROW_FIELDS, *VARIABLES)}
    for point, location in zip(points, locations, strict=True):
        hourly = location["hourly"]
        times = hourly["time"]
        for variable in VARIABLES:
            values = hourly.get(variable) or [None] * len(times)
            if len(values) != len(times):
                raise SourceError(
                    f"{path}: `{variable}` has {len(values)} values for {len(times)} hours: "
                    f"delete the file and re-run."
                )
            columns[variable].extend(values)
        columns["location_id"].extend([point["point_id"]] * len(times))
        columns["time"].extend(times)
        for field, value in (
            ("requested_latitude", float(point["latitude"])),
            ("requested_longitude", float(point["longitude"])),
            ("latitude", location.get("latitude")),
            ("longitude", location.get("longitude")),
            ("elevation", location.get("elevation")),
            ("timezone", location.get("timezone")),
            ("utc_offset_seconds", location.get("utc_offset_seconds")),
        ):
            columns[field].extend([value] * len(times))
    types = {name: pa.float64() for name in (*VARIABLES, *ROW_FIELDS)}
    types.update(
        location_id=pa.string(),
        time=pa.string(),
        timezone=pa.string(),
        utc_offset_seconds=pa.int64(),
    )
    table = pa.table({name: pa.array(values, type=types[name]) for name, values in columns.items()})
    return table.append_column("_source_file", pa.array([relative(path)] * table.num_rows))


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


@dlt.source(name="open_meteo")
def open_meteo_source(
    base_url: str = dlt.config.value,
    forecast_base_url: str = dlt.config.value,
    start_date: str = dlt.config.value,
    end_date: str = "",
    refresh_days: int = 45,
):
    """Archive months up to the archive's horizon, then the forecast API's `past_days`."""
    today = dt.date.today()
    start = dt.date.fromisoformat(start_date)
    end = dt.date.fromisoformat(end_date) if end_date else today + dt.timedelta(days=1)
    archive_end = min(end, today - dt.timedelta(days=ARCHIVE_DELAY_DAYS))
    points = weather_points()
    http = session()

    @dlt.resource(
        name="open_meteo_hourly",
        primary_key=("location_id", "time"),
        write_disposition="merge",
    )
    def hourly() -> Iterator[pa.Table]:
        loaded: dict[str, str] = dlt.current.resource_state().setdefault("loaded_files", {})
        requests_to_make = [
            (
                base_url.rstrip("/") + "/v1/archive",
                {
                    "start_date": first.isoformat(),
                    "end_date": (last - dt.timedelta(days=1)).isoformat(),
                },
                LANDING_DIR / "api" / "open_meteo" / "archive" / f"{first:%Y-%m}.json",
                is_settled(last, today, refresh_days),
            )
            for first, last in month_chunks(start, archive_end)
        ]
        if end > archive_end and end > start:
            past_days = min((today - max(start, archive_end)).days + 1, MAX_PAST_DAYS)
            requests_to_make.append(
                (
                    forecast_base_url.rstrip("/") + "/v1/forecast",
                    {"past_days": str(past_days), "forecast_days": "1"},
                    LANDING_DIR / "api" / "open_meteo" / "forecast" / f"{today.isoformat()}.json",
                    False,
                )
            )
        for url, dates, path, settled in requests_to_make:
            if not (path.exists() and settled):
                download(http, url, request_params(points, **dates), path, validate_json)
            digest = file_sha256(path)
            if loaded.get(relative(path)) == digest:
                continue
            table = observed_rows(parse_response(path, points), start, end)
            if table.num_rows:
                yield with_required(table, ("location_id", "time"))
            loaded[relative(path)] = digest

    return hourly


def observed_rows(table: pa.Table, start: dt.date, end: dt.date) -> pa.Table:
    """Keep the requested period and drop future hours (forecasts are not observations)."""
    import pyarrow.compute as pc

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    times = table["time"]
    keep = pc.and_(
        pc.and_(pc.greater_equal(times, start.isoformat()), pc.less(times, end.isoformat())),
        pc.less_equal(times, now),
    )
    return table.filter(keep)
