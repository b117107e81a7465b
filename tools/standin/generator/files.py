"""Whole datasets written to files, month by month: what tests and benchmarks load from disk."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd

from tools.standin.generator.clock import TimeLike, iter_months
from tools.standin.generator.csv_export import format_export_header, format_export_rows
from tools.standin.generator.datasets import eco2mix_frame
from tools.standin.generator.open_meteo import open_meteo_document
from tools.standin.generator.regions import WEATHER_POINTS
from tools.standin.generator.weather import WEATHER_VARIABLES


def _write_open_meteo(target: Path, start: TimeLike, end: TimeLike) -> int:
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date() - timedelta(days=1)
    documents = [
        open_meteo_document(p.latitude, p.longitude, first, last, WEATHER_VARIABLES, timezone="GMT")
        for p in WEATHER_POINTS
    ]
    target.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    hourly = [document["hourly"] for document in documents]
    return sum(len(hours["time"]) for hours in hourly if isinstance(hours, dict))


def write_dataset(
    dataset: str,
    path: str | Path,
    start: TimeLike,
    end: TimeLike,
    *,
    timezone: str = "UTC",
    use_labels: bool = False,
    delimiter: str = ";",
    with_bom: bool = False,
) -> int:
    """Write a dataset to a file, month by month; returns the number of data rows.

    `dataset` is an éCO2mix dataset name (CSV in the export format) or `open-meteo` (the JSON
    array the archive API returns for the points of weather_points.csv, days [start, end)).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if dataset == "open-meteo":
        return _write_open_meteo(target, start, end)
    rows = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        if with_bom:
            handle.write("\ufeff")
        handle.write(format_export_header(dataset, use_labels=use_labels, delimiter=delimiter))
        for lo, hi in iter_months(start, end):
            frame = eco2mix_frame(dataset, lo, hi)
            handle.write(format_export_rows(frame, dataset, timezone=timezone, delimiter=delimiter))
            rows += len(frame)
    return rows
