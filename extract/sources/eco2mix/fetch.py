"""Fetching éCO2mix: ODRÉ's export API (Opendatasoft Explore v2.1), a month per request, and
hand downloads; either way the file is kept unchanged in the landing zone before it is loaded.

A fetched month lands as `data/raw/csv/eco2mix/<dataset>/<YYYY-MM>.csv` once `validate_csv`
accepts it, or, when the run's dates cut it short, under its first and last Paris days
(`2024-10-01_2024-10-14.csv`); a hand download is copied to `data/raw/csv/eco2mix/local/`. A
month is not fetched again once it is older than `refresh_days` (RTE still revises recent
months) and a file landed for it covers the days now asked for; a new answer replaces the
month's other files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import requests

from extract import http, landing
from extract.landing import SourceError
from extract.periods import clip_start, is_settled, month_chunks, paris_midnight
from extract.sources.eco2mix.parse import (
    DELIMITER,
    NATIONAL,
    NATIONAL_TR,
    REGIONAL,
    REGIONAL_TR,
    EmptyAnswer,
    Table,
    header_check,
    validate_csv,
)

# dataset -> (table in raw, merge key)
DATASETS: dict[str, Table] = {
    "eco2mix-regional-cons-def": REGIONAL,
    "eco2mix-national-cons-def": NATIONAL,
    "eco2mix-regional-tr": REGIONAL_TR,
    "eco2mix-national-tr": NATIONAL_TR,
}
# The first Paris day each dataset holds (ODRÉ's dataset pages); a start_date before it is clipped.
FIRST_DAYS = {
    "eco2mix-regional-cons-def": dt.date(2013, 1, 1),
    "eco2mix-national-cons-def": dt.date(2012, 1, 1),
    "eco2mix-regional-tr": dt.date(2013, 1, 1),
    "eco2mix-national-tr": dt.date(2012, 1, 1),
}
EXPORT_PATH = "/api/explore/v2.1/catalog/datasets/{dataset}/exports/csv"
LOCAL_FOLDER = "local"


@dataclass(frozen=True)
class Month:
    """One export request: the Paris days [start, end) of a dataset, and where it lands."""

    dataset: str
    start: dt.date
    end: dt.date

    @property
    def folder(self) -> Path:
        return landing.LANDING_DIR / "csv" / "eco2mix" / self.dataset

    @property
    def path(self) -> Path:
        """Where this window lands: `YYYY-MM.csv` for a whole month, else its first and last
        Paris days (`2024-10-01_2024-10-14.csv`), so a file always says which days it holds."""
        if (self.start, self.end) == month_bounds(self.start):
            return self.folder / f"{self.start:%Y-%m}.csv"
        return self.folder / f"{self.start}_{self.end - dt.timedelta(days=1)}.csv"

    def landed(self) -> dict[Path, tuple[dt.date, dt.date]]:
        """The files landed for this month and their windows, the newest first (a run killed
        between landing a file and removing the month's older ones leaves several)."""
        found = sorted(
            self.folder.glob(f"{self.start:%Y-%m}*.csv"),
            key=lambda path: (path.stat().st_mtime_ns, path.name),
            reverse=True,
        )
        return {path: window for path in found if (window := window_of(path))}

    def covering(self) -> Path | None:
        """The newest landed file that holds every day of this window, or None."""
        for path, (low, high) in self.landed().items():
            if low <= self.start and self.end <= high:
                return path
        return None

    def url(self, base_url: str) -> str:
        return base_url + EXPORT_PATH.format(dataset=self.dataset)

    def origin(self, base_url: str) -> str:
        """The request's whole URL, as error messages name it."""
        url = self.url(base_url)
        return requests.Request("GET", url, params=self.params).prepare().url or url

    @property
    def params(self) -> dict[str, str]:
        return export_params(self.start, self.end)

    def window(self) -> tuple[str, str]:
        """The instants every row must fall in, [lower, upper) as ISO 8601 with offsets."""
        return paris_midnight(self.start).isoformat(), paris_midnight(self.end).isoformat()


def check_datasets(datasets: list[str]) -> None:
    unknown = sorted(set(datasets) - set(DATASETS))
    if unknown:
        raise SourceError(
            f"Unknown éCO2mix dataset(s) {', '.join(unknown)} in [sources.eco2mix] datasets: "
            f"use {', '.join(DATASETS)}."
        )


def months(
    dataset: str, start: dt.date, end: dt.date, today: dt.date, real_time_days: int
) -> list[Month]:
    """The months of [start, end) a dataset holds; the real-time `-tr` datasets only hold recent
    weeks, so they start `real_time_days` ago at most."""
    first = clip_start("eco2mix", start, dataset, FIRST_DAYS[dataset])
    if dataset.endswith("-tr"):
        first = max(first, today - dt.timedelta(days=real_time_days))
    return [Month(dataset, low, high) for low, high in month_chunks(first, end)]


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """[first, next) days of the calendar month of `day`."""
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def window_of(path: Path) -> tuple[dt.date, dt.date] | None:
    """The Paris days [start, end) a landed month file holds, read from its name (`Month.path`),
    or None for a name no run lands."""
    try:
        if "_" not in path.stem:
            return month_bounds(dt.datetime.strptime(path.stem, "%Y-%m").date())
        first, last = (dt.date.fromisoformat(day) for day in path.stem.split("_"))
    except ValueError:
        return None
    end = last + dt.timedelta(days=1)
    return (first, end) if first < end <= month_bounds(first)[1] else None


def needs_fetch(month: Month, today: dt.date, refresh_days: int) -> bool:
    """A month no landed file covers (not landed yet, or landed for fewer days by a run whose
    dates cut it short), still revised, or landed empty by an older version."""
    landed = month.covering()
    return not (landed and is_settled(month.end, today, refresh_days) and not header_only(landed))


def fetch_month(client: http.Client, base_url: str, month: Month) -> list[Path] | None:
    """Land a month's export, then remove the month's other landed files, which this newer
    answer replaces (they are never loaded again); returns the files removed. None when it
    answered a header and no row: then nothing is landed or removed, and the next run asks
    again."""
    described = f"éCO2mix {month.dataset} {month.start:%Y-%m} ({month.origin(base_url)})"

    def validate(body: bytes) -> None:
        validate_csv(body, described, month.window())

    try:
        landing.download(client, month.url(base_url), month.params, month.path, validate)
    except EmptyAnswer:
        return None
    replaced = [path for path in month.landed() if path != month.path]
    for path in replaced:
        path.unlink(missing_ok=True)
    return replaced


def export_params(chunk_start: dt.date, chunk_end: dt.date) -> dict[str, str]:
    """The export of the Paris days [chunk_start, chunk_end).

    Each bound carries its Paris offset, so it is the same instant whatever `timezone` says
    (a bare date would be a UTC midnight, an hour after the French day starts).
    """
    lower, upper = (paris_midnight(day).isoformat() for day in (chunk_start, chunk_end))
    return {
        "where": f"date_heure >= '{lower}' and date_heure < '{upper}'",
        "order_by": "date_heure",
        "timezone": "UTC",
        "use_labels": "false",
        "delimiter": DELIMITER,
        "with_bom": "false",
    }


def local_files(path: Path) -> list[Path]:
    """The CSV files a user points at: one file, or every `*.csv` in a folder (sorted)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")
        if files:
            return files
        raise SourceError(f"{path} holds no .csv file: point local_path at the downloaded CSV.")
    raise SourceError(
        f"{path} does not exist: fix [sources.eco2mix] local_path "
        f"(SOURCES__ECO2MIX__LOCAL_PATH), or leave it empty to fetch from ODRÉ."
    )


def local_landing_path(path: Path) -> Path:
    return landing.LANDING_DIR / "csv" / "eco2mix" / LOCAL_FOLDER / path.name


def land_local(path: Path) -> Path:
    """Copy a hand-downloaded file, unchanged, into the landing zone (atomically)."""
    target = local_landing_path(path)
    landing.write_atomically(target, path)
    return target


def header_only(path: Path) -> bool:
    """A landed export that holds an éCO2mix header and no row: older versions landed such
    answers as settled months, which then stayed empty for good."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        header, row = handle.readline().rstrip("\r\n"), handle.readline()
    if row.strip():
        return False
    try:
        header_check(header, str(path))
    except SourceError:
        return False  # a damaged file: named by the load, not fetched again behind the user's back
    return True


def refetch_hint(path: Path) -> str:
    """How to replace a landed file that cannot be loaded."""
    if LOCAL_FOLDER in path.relative_to(landing.LANDING_DIR).parts[2:3]:
        return "download it again from the portal (CSV, delimiter ';'), then re-run"
    return f"delete {path} and re-run to fetch it again"
