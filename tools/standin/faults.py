"""The faults the stand-in can be scripted to play: bad 200s, refusals, and their answers.

A 200 is not proof of a good answer: real services (and the proxies, spreadsheets and hand
downloads between them and us) hand back files and documents that parse but do not mean what
they say, and refuse with their own limit messages. The extract must notice each one, so the
stand-in must be able to produce it. Every fault is described in docs/standin.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

EXPORT_FAULTS = (
    "429", "503", "html", "comma", "truncated", "stall",
    "header-only", "decimal-comma", "text-number",
)  # fmt: skip
LIMIT_REASONS = {
    "429-minutely": "Minutely API request limit exceeded. Please try again in one minute.",
    "429-hourly": "Hourly API request limit exceeded. Please try again in the next hour.",
    "429-daily": "Daily API request limit exceeded. Please try again tomorrow.",
}
METEO_DATA_FAULTS = ("nan", "infinity", "empty-hourly", "ragged", "outside-window")
METEO_FAULTS = (
    "ok", "429", *LIMIT_REASONS, "500", "503", "timeout", "slow", "truncate", "drop",
    *METEO_DATA_FAULTS,
)  # fmt: skip
TEXT_NUMBER = "n/a"
TEXT_NUMBER_EVERY = 97
_TOO_MANY = {"error_code": "TooManyRequests", "message": "Too many requests."}


def check_faults(faults: list[str] | tuple[str, ...], known: tuple[str, ...]) -> None:
    """A typo in a fault script is a mistake in the test, not a fault to play: say so."""
    unknown = sorted(set(faults) - set(known))
    if unknown:
        raise ValueError(f"unknown fault {', '.join(unknown)}: use {', '.join(known)}")


# -- refusals: the error answers a fault plays instead of the data ---------------------------


@dataclass(frozen=True)
class JsonAnswer:
    """An answer with a JSON body: what a refusing service sends."""

    status: int
    body: dict[str, object]
    headers: dict[str, str] = field(default_factory=dict)


def random_failure(status: int, meteo: bool) -> JsonAnswer:
    """A `fail_rate` failure (429 with rate-limit headers, or 503) in the service's own words."""
    if status != 429:
        unavailable: dict[str, object] = (
            {"error": True, "reason": "Service temporarily unavailable"}
            if meteo
            else {"error_code": "ServiceUnavailable", "message": "Service unavailable."}
        )
        return JsonAnswer(status, unavailable)
    headers = {
        "Retry-After": "1",
        "X-RateLimit-Limit": "5000",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(time.time()) + 1),
    }
    body: dict[str, object] = (
        {"error": True, "reason": "Too many requests. Please try again in a moment."}
        if meteo
        else dict(_TOO_MANY)
    )
    return JsonAnswer(status, body, headers)


def meteo_refusal(fault: str, retry_after_s: int, over_minute_limit: bool) -> JsonAnswer | None:
    """The error an Open-Meteo fault (or the minute limit) answers, or None to go on."""
    if fault == "429":  # with Retry-After, which Open-Meteo does not send (see the docstring)
        reason = LIMIT_REASONS["429-minutely"]
        return JsonAnswer(
            429, {"error": True, "reason": reason}, {"Retry-After": str(retry_after_s)}
        )
    if fault in LIMIT_REASONS:
        return JsonAnswer(429, {"error": True, "reason": LIMIT_REASONS[fault]})
    if over_minute_limit:
        return JsonAnswer(429, {"error": True, "reason": LIMIT_REASONS["429-minutely"]})
    if fault in ("500", "503"):
        return JsonAnswer(int(fault), {"error": True, "reason": "Internal server error"})
    return None


def export_refusal(fault: str) -> JsonAnswer | None:
    """The error a scripted export fault `429` (Retry-After: 1) or `503` answers, or None."""
    if fault not in ("429", "503"):
        return None
    return JsonAnswer(int(fault), dict(_TOO_MANY), {"Retry-After": "1"} if fault == "429" else {})


# -- éCO2mix exports -------------------------------------------------------------------------


def _with_comma(value: object) -> object:
    if value is None or pd.isna(value):
        return None
    if isinstance(value, (int, np.integer)):
        return f"{int(value)},0"
    if isinstance(value, (float, np.floating)):
        return repr(float(value)).replace(".", ",")
    raise TypeError(f"{value!r} is not a number")


def spoil_rows(frame: pd.DataFrame, measures: list[str], fault: str | None) -> pd.DataFrame:
    """The rows of an export as `fault` writes them; `measures` are the numeric columns."""
    if fault not in ("decimal-comma", "text-number") or len(frame) == 0:
        return frame
    frame = frame.copy()
    if fault == "decimal-comma":
        for name in measures:
            frame[name] = frame[name].astype(object).map(_with_comma)
        return frame
    consumption = frame["consommation"].astype(object)
    consumption = consumption.map(lambda v: None if pd.isna(v) else str(v))  # one type: text
    spoiled = np.arange(len(frame)) % TEXT_NUMBER_EVERY == 0
    frame["consommation"] = consumption.where(~spoiled, TEXT_NUMBER)
    return frame


# -- Open-Meteo ------------------------------------------------------------------------------


def _shifted(times: list[str]) -> list[str]:
    days = timedelta(days=max(1, len(times) // 24))
    return [(datetime.fromisoformat(t) + days).strftime("%Y-%m-%dT%H:%M") for t in times]


def spoil_document(document: dict[str, object], fault: str | None) -> dict[str, object]:
    """One location's answer as `fault` writes it (see the module docstring)."""
    hourly = document.get("hourly")
    if fault not in METEO_DATA_FAULTS or not isinstance(hourly, dict) or len(hourly) < 2:
        return document
    first = next(name for name in hourly if name != "time")
    spoiled = {name: list(values) for name, values in hourly.items()}
    if fault in ("nan", "infinity") and spoiled[first]:
        spoiled[first][len(spoiled[first]) // 2] = float("nan" if fault == "nan" else "inf")
    elif fault == "empty-hourly":
        spoiled = {name: [] for name in spoiled}
    elif fault == "ragged":
        spoiled[first] = spoiled[first][:-1]
    elif fault == "outside-window":
        spoiled["time"] = _shifted(spoiled["time"])
    return {**document, "hourly": spoiled}
