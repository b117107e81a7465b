"""The ODRÉ export endpoint: an éCO2mix CSV export, from its query parameters to its text.

`GET /api/explore/v2.1/catalog/datasets/{dataset}/exports/csv` with where, refine, order_by
(date_heure [asc|desc], otherwise a deterministic shuffle), timezone, use_labels, delimiter,
with_bom (default true) and limit. Rows are generated and cached a UTC month at a time and
written a month at a time, so a 14-year export streams without holding it whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from tools.standin import eras, faults, generator
from tools.standin.errors import RequestError, ods_error
from tools.standin.generator.clock import next_month
from tools.standin.odsql import ExportQuery, apply_refines, parse_where

EXPORT_PATH = re.compile(r"^/api/explore/v2\.1/catalog/datasets/([^/]+)/exports/([^/]+)$")
_KEYS = (
    "code_insee_region", "libelle_region", "perimetre", "nature", "date", "heure", "date_heure",
)  # fmt: skip


@dataclass
class ExportRequest:
    """The parameters of an export request, validated."""

    query: ExportQuery
    timezone: str = "UTC"
    use_labels: bool = False
    with_bom: bool = True
    delimiter: str = ";"
    limit: int = -1
    ordered: bool = False
    descending: bool = False


def _parameter_error(message: str) -> RequestError:
    return ods_error(message, 400, "InvalidRESTParameterError")


def _check_target(dataset: str, fmt: str) -> None:
    if dataset not in generator.DATASETS:
        message = f"Dataset '{dataset}' does not exist or is not accessible."
        raise ods_error(message, 404, "NotFound")
    if fmt != "csv":
        raise _parameter_error(f"The stand-in only serves the csv export, not '{fmt}'.")


def _timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise _parameter_error(f"Unknown timezone: {tz}") from error
    return tz


def _delimiter(delimiter: str) -> str:
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise _parameter_error(f"Invalid delimiter: {delimiter!r}")
    return delimiter


def _limit(text: str) -> int:
    try:
        return int(text)
    except ValueError as error:
        raise _parameter_error("Invalid limit") from error


def _order(order_by: str) -> tuple[bool, bool]:
    """(ordered, descending) from `order_by`; only `date_heure [asc|desc]` is served."""
    match = re.fullmatch(r"date_heure(?:\s+(asc|desc))?", order_by, re.IGNORECASE)
    if order_by and not match:
        raise ods_error(
            f"ODSQL query is malformed: the stand-in can only order by date_heure: {order_by}"
        )
    return bool(order_by), bool(match and (match[1] or "").lower() == "desc")


def read_export_request(dataset: str, fmt: str, params: dict[str, list[str]]) -> ExportRequest:
    """Check an export's parameters as the real API does; a bad one is a 4xx."""
    _check_target(dataset, fmt)

    def single(name: str, default: str) -> str:
        return params.get(name, [default])[-1]

    tz = _timezone(single("timezone", "UTC") or "UTC")
    delimiter = _delimiter(single("delimiter", ";") or ";")
    limit = _limit(single("limit", "-1"))
    ordered, descending = _order(single("order_by", "").strip())
    query = parse_where(" and ".join(params.get("where", [])), dataset, tz)
    apply_refines(query, params.get("refine", []), dataset)
    return ExportRequest(
        query=query,
        timezone=tz,
        use_labels=single("use_labels", "false").lower() == "true",
        with_bom=single("with_bom", "true").lower() != "false",
        delimiter=delimiter,
        limit=limit,
        ordered=ordered,
        descending=descending,
    )


def measures(dataset: str) -> list[str]:
    """The numeric columns of a dataset (everything but keys, labels and times)."""
    return [name for name, _ in generator.DATASETS[dataset].columns if name not in _KEYS]


def parse_empty_months(entries: Iterable[str]) -> set[tuple[str | None, str]]:
    """`YYYY-MM` (every dataset) or `dataset:YYYY-MM` entries, checked."""
    months: set[tuple[str | None, str]] = set()
    for entry in entries:
        dataset, _, month = entry.strip().rpartition(":")
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise ValueError(f"empty month {entry!r} is not YYYY-MM or dataset:YYYY-MM")
        if dataset and dataset not in generator.DATASETS:
            raise ValueError(f"empty month {entry!r}: unknown dataset {dataset}")
        months.add((dataset or None, month))
    return months


@lru_cache(maxsize=32)
def _month_frame(dataset: str, month_start: str) -> pd.DataFrame:
    """One UTC month of a dataset; months are the generation and cache unit."""
    start = pd.Timestamp(month_start, tz="UTC")
    return generator.eco2mix_frame(dataset, start, next_month(start))


def _month_starts(lower: int, upper: int) -> list[str]:
    months = pd.period_range(
        pd.Timestamp(lower, unit="s").to_period("M"),
        pd.Timestamp(upper - 1, unit="s").to_period("M"),
        freq="M",
    )
    return [str(month.start_time.date()) for month in months]


@dataclass
class Export:
    """One export to write: the request, the served window [lower, upper), the layout."""

    dataset: str
    request: ExportRequest
    lower: int
    upper: int
    era: eras.Era
    empty_months: set[str] = field(default_factory=set)  # Paris months without rows

    @classmethod
    def plan(
        cls,
        dataset: str,
        request: ExportRequest,
        available: tuple[int, int],
        *,
        by_era: bool,
        empty_months: set[str],
    ) -> Export:
        """The export of `request` within the dataset's `available` [first, end) instants."""
        first, end = available
        query = request.query
        lower = first if query.lower is None else max(first, query.lower)
        upper = end if query.upper is None else min(end, query.upper)
        era = eras.era_at(dataset, upper - 1) if by_era else eras.latest(dataset)
        return cls(dataset, request, lower, upper, era, empty_months)

    def chunks(self, fault: str | None = None) -> Iterator[str]:
        """The export's text: the header line (with the BOM), then the rows a month at a time."""
        request = self.request
        bom = "\ufeff" if request.with_bom else ""
        yield bom + eras.header(
            self.dataset, self.era, use_labels=request.use_labels, delimiter=request.delimiter
        )
        if fault == "header-only":
            return
        numeric = measures(self.dataset)
        for rows in self._rows():
            rows = faults.spoil_rows(rows, numeric, fault)
            yield eras.format_rows(
                rows, self.dataset, self.era, timezone=request.timezone, delimiter=request.delimiter
            )

    def _select(self, frame: pd.DataFrame) -> pd.DataFrame:
        query = self.request.query
        epoch = frame["epoch"].to_numpy(dtype=np.int64)
        mask = (epoch >= self.lower) & (epoch < self.upper)
        if query.region_codes is not None:
            mask &= frame["code_insee_region"].isin(query.region_codes).to_numpy()
        if query.region_names is not None:
            mask &= frame["libelle_region"].isin(query.region_names).to_numpy()
        if self.empty_months:
            mask &= ~frame["date"].str[:7].isin(self.empty_months).to_numpy()  # Paris months
        return frame[mask]

    def _rows(self) -> Iterator[pd.DataFrame]:
        """The rows of [lower, upper) that the request selects, a month at a time, in order."""
        request = self.request
        months = _month_starts(self.lower, self.upper) if self.lower < self.upper else []
        if request.descending:
            months.reverse()
        remaining = request.limit if request.limit >= 0 else None
        for month in months:
            if remaining == 0:
                break
            rows = self._select(_month_frame(self.dataset, month))
            if request.ordered:
                rows = rows.iloc[::-1] if request.descending else rows
            else:
                rows = rows.iloc[generator.shuffled_order(rows)]
            if remaining is not None:
                rows = rows.iloc[:remaining]
                remaining -= len(rows)
            yield rows
