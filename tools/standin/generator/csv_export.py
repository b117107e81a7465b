"""éCO2mix rows as text, the way the ODRÉ export writes them: `;`, CRLF, empty for null.

`date_heure` is written as an ISO instant with its offset in the requested time zone.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from tools.standin.generator.clock import iso_instants
from tools.standin.generator.datasets import export_columns


def format_export_rows(
    frame: pd.DataFrame,
    dataset: str,
    *,
    timezone: str = "UTC",
    delimiter: str = ";",
    columns: list[str] | None = None,
) -> str:
    """CSV body (no header) as the ODRÉ export writes it: empty string for null, CRLF.

    `columns` (default: today's fields of the dataset) lets the stand-in write an older era's
    layout (`eras`). Arrow writes it; pandas takes over when a value would need quoting with the
    chosen delimiter, which Arrow refuses with quoting_style "none".
    """
    names = export_columns(dataset) if columns is None else columns
    if len(frame) == 0:
        return ""
    out = frame[names].copy()
    out["date_heure"] = iso_instants(frame["date_heure"].to_numpy(dtype=np.int64), timezone)
    try:
        table = pa.Table.from_pandas(out, preserve_index=False)
        sink = io.BytesIO()
        options = pa_csv.WriteOptions(
            include_header=False, delimiter=delimiter, eol="\r\n", quoting_style="none"
        )
        pa_csv.write_csv(table, sink, options)
        return sink.getvalue().decode("utf-8")
    except (pa.ArrowInvalid, ValueError):
        return str(
            out.to_csv(sep=delimiter, index=False, header=False, na_rep="", lineterminator="\r\n")
        )


def format_export_header(dataset: str, *, use_labels: bool = False, delimiter: str = ";") -> str:
    return delimiter.join(export_columns(dataset, use_labels)) + "\r\n"
