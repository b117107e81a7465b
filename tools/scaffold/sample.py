"""The columns of a sample file (a CSV, or one JSON response): what the scaffold writes them from.

Each column comes with its sample values, so that the staging model can cast what is numeric.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path


class ScaffoldError(ValueError):
    """A bad name, kind or sample; the message says how to fix it."""


def sample_columns(sample: Path, kind: str, delimiter: str, records_path: str) -> list[dict]:
    """[{name, values}] from a sample: the CSV header and its values, or the records' keys."""
    if kind == "csv":
        return csv_columns(sample, delimiter)
    found = json.loads(sample.read_text(encoding="utf-8"))
    for key in filter(None, records_path.split(".")):
        found = found.get(key) if isinstance(found, dict) else None
    if not isinstance(found, list) or not found or not isinstance(found[0], dict):
        raise ScaffoldError(
            f"{sample}: no list of records at `{records_path or '(the body)'}`: "
            f"pass RECORDS_PATH (dot-separated keys)."
        )
    names = list(dict.fromkeys(key for record in found for key in record))
    scalar = [n for n in names if not isinstance(found[0].get(n), dict | list)]
    return [{"name": n, "values": [r.get(n) for r in found]} for n in scalar]


def csv_columns(sample: Path, delimiter: str) -> list[dict]:
    with sample.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    if len(rows) < 2 or len(rows[0]) < 2:
        raise ScaffoldError(
            f"{sample} has no header and rows delimited by {delimiter!r}: "
            f"pass the right DELIMITER or a bigger sample."
        )
    header, body = rows[0], rows[1:]
    return [
        {"name": name, "values": [row[i] for row in body if i < len(row)]}
        for i, name in enumerate(header)
    ]


def is_number(values: list) -> bool:
    present = [str(v) for v in values if v not in (None, "")]
    return bool(present) and all(re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", v) for v in present)
