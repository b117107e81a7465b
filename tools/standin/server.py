"""A local HTTP stand-in for ODRÉ (éCO2mix exports) and Open-Meteo (archive and forecast).

Why: the extract code must be exercised end to end without internet, on the same URLs, query
parameters, formats and errors as the real services, so that pointing it at the real base URLs
is the only change. Data comes from `generator`, so every answer is reproducible.

Served:
    GET /api/explore/v2.1/catalog/datasets/{dataset}/exports/csv
        where (ODSQL subset: date_heure >, >=, <, <=, = with dates or datetimes;
        code_insee_region = '..'; libelle_region = '..'; joined by `and`), order_by=date_heure
        [asc|desc] (otherwise a deterministic shuffle), timezone, use_labels, delimiter,
        with_bom (default true), limit, refine=field:"value".
    GET /v1/archive   latitude, longitude (comma lists), start_date, end_date, hourly,
                      timezone (UTC/GMT), wind_speed_unit
    GET /v1/forecast  the same, or past_days (0-92) and forecast_days (0-16, default 7)
    GET /             a small JSON description (never fails on purpose)

Faults, for tests: `fail_rate` answers a seeded fraction of API calls 429/503; `meteo_faults`
is a script consumed one entry per Open-Meteo request (`ok`; `429-minutely`, `429-hourly`,
`429-daily`: Open-Meteo's own limit answers, 429 without `Retry-After`; `429`: the minutely
message *with* `Retry-After: retry_after_s`, which Open-Meteo does not send, kept for the
tests of a client that honours the header; `500`, `503`, `timeout` (answer only after
`fault_delay_s`), `slow` (every later answer delayed by `fault_delay_s`, cleared by `ok`),
`truncate` (a 200 whose JSON is cut in half), `drop` (close the connection without answering),
and the bad 200s of `faults`: `nan`, `infinity`, `empty-hourly`, `ragged`, `outside-window`).
`meteo_cost` adds up the weighted calls of the Open-Meteo requests answered 200.
`minute_limit` (None: off) imitates the free tier's per-minute counter: once the weighted calls
answered 200 in the last `minute_window_s` (60) seconds reach it, every Open-Meteo request is
answered the minutely 429 (no `Retry-After`) until enough of them have left that rolling
window. The real counter is a fixed window cleared every minute; a rolling one is stricter, so a
client that stays under it stays under the real one.
`export_faults` is the same kind of script for éCO2mix exports (see `StandinServer.__init__`
and `faults`); `empty_months` lists months that have no rows at all (`YYYY-MM` for every
dataset, `dataset:YYYY-MM` for one): an export of such a month is the header line only, like
ODRÉ's answer for a window without rows, on every run. Months are Paris months (RTE's days are
Paris days): the rows whose `date` falls in the month are left out.

"today" drives what is published: cons-def exports end `cons_def_lag_days` (35) before today,
real-time (`-tr`) exports cover the `real_time_days` (60) before today, the archive has values
up to today minus 5 days (null after, like the real archive).
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from tools.standin import eras, faults, generator
from tools.standin.faults import EXPORT_FAULTS, METEO_FAULTS

TODAY_ENV = "WATTLAKE_STANDIN_TODAY"
EXPORT_PATH = re.compile(r"^/api/explore/v2\.1/catalog/datasets/([^/]+)/exports/([^/]+)$")
ARCHIVE_LAG_DAYS = 5
ARCHIVE_FIRST_DAY = date(1940, 1, 1)
MAX_PAST_DAYS = 92
MAX_FORECAST_DAYS = 16
MAX_LOCATIONS = 1000


def resolve_today(today: date | str | None = None) -> date:
    """Explicit value, else $WATTLAKE_STANDIN_TODAY, else the real (UTC) today."""
    if today is None:
        today = os.environ.get(TODAY_ENV) or None
    if today is None:
        return datetime.now(UTC).date()
    if isinstance(today, str):
        return date.fromisoformat(today)
    return today


class RequestError(Exception):
    """An error the real service would answer with a 4xx and a JSON body."""

    def __init__(self, status: int, body: dict[str, object]) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


def _ods_error(message: str, status: int = 400, code: str = "ODSQLError") -> RequestError:
    return RequestError(status, {"error_code": code, "message": message})


def _meteo_error(reason: str) -> RequestError:
    return RequestError(400, {"error": True, "reason": reason})


# --------------------------------------------------------------------------------------------
# ODSQL subset
# --------------------------------------------------------------------------------------------

_CLAUSE = re.compile(
    r"""^`?(?P<field>[a-z_][a-z0-9_]*)`?\s*(?P<op>>=|<=|!=|=|>|<)\s*
        (?:(?P<kind>date)\s*)?(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?P<bare>[0-9.]+))$""",
    re.IGNORECASE | re.VERBOSE,
)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_ISO_LITERAL = re.compile(
    r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?"
)


@dataclass
class ExportQuery:
    """What an export request asks for, after validation: bounds in epoch seconds."""

    lower: int | None = None  # inclusive
    upper: int | None = None  # exclusive
    region_codes: set[str] | None = None
    region_names: set[str] | None = None


def _instant(text: str, tz: str) -> int:
    """An ODSQL date/datetime literal; without an offset it is read in the request time zone."""
    if not _ISO_LITERAL.fullmatch(text.strip()):
        raise _ods_error(f"ODSQL query is malformed: invalid date '{text}'")
    try:
        stamp = pd.Timestamp(text.strip())
    except (ValueError, TypeError) as error:
        raise _ods_error(f"ODSQL query is malformed: invalid date '{text}'") from error
    if pd.isna(stamp):
        raise _ods_error(f"ODSQL query is malformed: invalid date '{text}'")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return int(stamp.timestamp())


def _strip_parentheses(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text


def parse_where(where: str, dataset: str, tz: str) -> ExportQuery:
    """Parse the subset of ODSQL the extract uses; anything else is a 400, as a typo would be."""
    query = ExportQuery()
    spec = generator.DATASETS[dataset]
    fields = {name for name, _ in spec.columns}
    where = _strip_parentheses(where)
    if not where:
        return query
    if re.search(r"\bor\b|\bnot\b|\(|\)", where, re.IGNORECASE):
        raise _ods_error(
            "ODSQL query is malformed: the stand-in supports only comparisons joined by 'and'"
        )
    for clause in _AND.split(where):
        match = _CLAUSE.match(clause.strip())
        if not match:
            raise _ods_error(f"ODSQL query is malformed: {clause.strip()}")
        field, op = match["field"].lower(), match["op"]
        value = next(v for v in (match["single"], match["double"], match["bare"]) if v is not None)
        if field not in fields:
            raise _ods_error(f"ODSQL query is malformed: Unknown field: {field}")
        if field == "date_heure":
            if op == "!=":
                raise _ods_error("ODSQL query is malformed: unsupported operator != on date_heure")
            instant = _instant(value, tz)
            lower = {">=": instant, ">": instant + 1, "=": instant}.get(op)
            upper = {"<": instant, "<=": instant + 1, "=": instant + 1}.get(op)
            if lower is not None:
                query.lower = lower if query.lower is None else max(query.lower, lower)
            if upper is not None:
                query.upper = upper if query.upper is None else min(query.upper, upper)
        elif field in ("code_insee_region", "libelle_region") and op == "=":
            target = "region_codes" if field == "code_insee_region" else "region_names"
            current = getattr(query, target)
            setattr(query, target, {value} if current is None else current & {value})
        else:
            raise _ods_error(
                f"ODSQL query is malformed: the stand-in cannot filter on {field} {op} {value}"
            )
    return query


def apply_refines(query: ExportQuery, refines: list[str], dataset: str) -> None:
    """`refine=code_insee_region:"53"` / `refine=libelle_region:"Bretagne"` (exact facets)."""
    for refine in refines:
        field, _, value = refine.partition(":")
        value = value.strip().strip('"')
        if field not in ("code_insee_region", "libelle_region") or not _:
            raise _ods_error(f"Invalid refine: {refine}", code="InvalidRESTParameterError")
        if generator.DATASETS[dataset].scope != "regional":
            raise _ods_error(f"Unknown field: {field}", code="InvalidRESTParameterError")
        target = "region_codes" if field == "code_insee_region" else "region_names"
        current = getattr(query, target)
        setattr(query, target, {value} if current is None else current & {value})


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


def read_export_request(dataset: str, fmt: str, params: dict[str, list[str]]) -> ExportRequest:
    """Check an export's parameters as the real API does; a bad one is a 4xx."""
    if dataset not in generator.DATASETS:
        message = f"Dataset '{dataset}' does not exist or is not accessible."
        raise _ods_error(message, 404, "NotFound")
    if fmt != "csv":
        message = f"The stand-in only serves the csv export, not '{fmt}'."
        raise _ods_error(message, 400, "InvalidRESTParameterError")

    def single(name: str, default: str) -> str:
        return params.get(name, [default])[-1]

    tz = single("timezone", "UTC") or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise _ods_error(f"Unknown timezone: {tz}", 400, "InvalidRESTParameterError") from error
    delimiter = single("delimiter", ";") or ";"
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise _ods_error(f"Invalid delimiter: {delimiter!r}", 400, "InvalidRESTParameterError")
    try:
        limit = int(single("limit", "-1"))
    except ValueError as error:
        raise _ods_error("Invalid limit", 400, "InvalidRESTParameterError") from error
    order_by = single("order_by", "").strip()
    order_match = re.fullmatch(r"date_heure(?:\s+(asc|desc))?", order_by, re.IGNORECASE)
    if order_by and not order_match:
        raise _ods_error(
            f"ODSQL query is malformed: the stand-in can only order by date_heure: {order_by}"
        )
    query = parse_where(" and ".join(params.get("where", [])), dataset, tz)
    apply_refines(query, params.get("refine", []), dataset)
    return ExportRequest(
        query=query,
        timezone=tz,
        use_labels=single("use_labels", "false").lower() == "true",
        with_bom=single("with_bom", "true").lower() != "false",
        delimiter=delimiter,
        limit=limit,
        ordered=bool(order_by),
        descending=bool(order_match and (order_match[1] or "").lower() == "desc"),
    )


_KEYS = (
    "code_insee_region", "libelle_region", "perimetre", "nature", "date", "heure", "date_heure",
)  # fmt: skip


def _measures(dataset: str) -> list[str]:
    """The numeric columns of a dataset (everything but keys, labels and times)."""
    return [name for name, _ in generator.DATASETS[dataset].columns if name not in _KEYS]


# --------------------------------------------------------------------------------------------
# Month cache
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _month_frame(dataset: str, month_start: str) -> pd.DataFrame:
    """One UTC month of a dataset; months are the generation and cache unit."""
    start = pd.Timestamp(month_start, tz="UTC")
    end = (start.tz_localize(None).to_period("M") + 1).to_timestamp().tz_localize("UTC")
    return generator.eco2mix_frame(dataset, start, end)


def _month_starts(lower: int, upper: int) -> list[str]:
    months = pd.period_range(
        pd.Timestamp(lower, unit="s").to_period("M"),
        pd.Timestamp(upper - 1, unit="s").to_period("M"),
        freq="M",
    )
    return [str(month.start_time.date()) for month in months]


def _empty_months(entries: Iterable[str]) -> set[tuple[str | None, str]]:
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


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class StandinServer(ThreadingHTTPServer):
    """The stand-in; attributes are its configuration and what tests inspect."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        today: date | str | None = None,
        cons_def_lag_days: int = 35,
        real_time_days: int = 60,
        fail_rate: float = 0.0,
        seed: int = 0,
        verbose: bool = False,
        meteo_faults: list[str] | tuple[str, ...] = (),
        export_faults: list[str] | tuple[str, ...] = (),
        fault_delay_s: float = 3.0,
        retry_after_s: int = 1,
        minute_limit: float | None = None,
        empty_months: Iterable[str] = (),
        eras: bool = False,
    ) -> None:
        self.today = resolve_today(today)  # before binding, so a bad value leaks no socket
        faults.check_faults(meteo_faults, METEO_FAULTS)
        faults.check_faults(export_faults, EXPORT_FAULTS)
        self.empty_months = _empty_months(empty_months)
        super().__init__(address, StandinHandler)
        self.eras = eras  # True: each period's own column set (`eras`), False: today's
        self.cons_def_lag_days = cons_def_lag_days
        self.real_time_days = real_time_days
        self.fail_rate = fail_rate
        self.meteo_faults: list[str] = list(meteo_faults)
        self.fault_delay_s = fault_delay_s
        self.retry_after_s = retry_after_s
        self.slow = False
        self.meteo_cost = 0.0
        self.meteo_served: list[str] = []
        self.minute_limit = minute_limit
        self.minute_window_s = 60.0
        self._minute_calls: list[tuple[float, float]] = []  # (monotonic time, weighted calls)
        self.verbose = verbose
        self.request_log: list[str] = []
        # Scripted faults for the next éCO2mix export requests, consumed in order (tests):
        # "429" (Retry-After: 1), "503", "html" (an error page with status 200), "comma"
        # (the export with delimiter ','), "truncated" (a complete response whose body stops
        # mid-row), "stall" (half the body, then a long pause: a download to kill), and the
        # bad 200s of `faults`: "header-only", "decimal-comma", "text-number".
        self.export_faults: list[str] = list(export_faults)
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def availability(self, dataset: str) -> tuple[int, int]:
        """[first, end) instants a dataset has rows for, given "today"."""
        spec = generator.DATASETS[dataset]
        first = generator.paris_midnight(spec.first_day)
        if spec.real_time:
            first = max(
                first, generator.paris_midnight(self.today - timedelta(self.real_time_days))
            )
            end = generator.paris_midnight(self.today)
        else:
            end = generator.paris_midnight(self.today - timedelta(self.cons_def_lag_days))
        return int(first.timestamp()), int(end.timestamp())

    def draw_fault(self) -> int | None:
        """Status of an injected failure for this request (429 or 503), or None."""
        if self.fail_rate <= 0.0:
            return None
        with self._lock:
            if self._random.random() >= self.fail_rate:
                return None
            return 429 if self._random.random() < 0.5 else 503

    def next_meteo_fault(self) -> str:
        """The scripted fault for this Open-Meteo request ("ok" once the script is used up)."""
        with self._lock:
            fault = self.meteo_faults.pop(0) if self.meteo_faults else "ok"
            if fault == "slow":
                self.slow = True
            elif fault == "ok":
                self.slow = False
            return fault

    def count_meteo(self, path: str, cost: float) -> None:
        with self._lock:
            self.meteo_cost += cost
            self.meteo_served.append(path)
            self._minute_calls.append((time.monotonic(), cost))

    def over_minute_limit(self) -> bool:
        """Whether the weighted calls of the last rolling minute have reached `minute_limit`."""
        if self.minute_limit is None:
            return False
        with self._lock:
            horizon = time.monotonic() - self.minute_window_s
            self._minute_calls = [call for call in self._minute_calls if call[0] > horizon]
            return sum(cost for _, cost in self._minute_calls) >= self.minute_limit

    def next_export_fault(self) -> str | None:
        with self._lock:
            fault = self.export_faults.pop(0) if self.export_faults else None
        if fault is not None and fault not in EXPORT_FAULTS:
            message = f"unknown export fault {fault!r}: use {', '.join(EXPORT_FAULTS)}"
            raise RequestError(500, {"error_code": "StandinError", "message": message})
        return fault

    def empty_months_of(self, dataset: str) -> set[str]:
        """The `YYYY-MM` months without rows in this dataset."""
        return {month for name, month in self.empty_months if name in (None, dataset)}

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.shutdown()
        self.server_close()


class StandinHandler(BaseHTTPRequestHandler):
    server: StandinServer
    protocol_version = "HTTP/1.1"
    server_version = "wattlake-standin/1.0"

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # -- plumbing ------------------------------------------------------------------------

    def _send_json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if getattr(self, "_truncate", False):
            payload = payload[: len(payload) // 2]  # a well-formed response, a cut JSON body
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _write_chunk(self, text: str) -> None:
        data = text.encode("utf-8")
        if data:
            self.wfile.write(f"{len(data):X}\r\n".encode("ascii") + data + b"\r\n")

    def do_GET(self) -> None:
        self.server.request_log.append(self.path)
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        export = EXPORT_PATH.match(parts.path)
        is_meteo = parts.path in ("/v1/archive", "/v1/forecast")
        self._truncate = False
        self._spoil: str | None = None
        try:
            if is_meteo and self._meteo_fault():
                return
            if (export or is_meteo) and self._inject_fault(meteo=is_meteo):
                return
            if export and self._scripted_fault(export[1], export[2], params):
                return
            if export:
                self._export(export[1], export[2], params)
            elif is_meteo:
                self._meteo(parts.path.rsplit("/", 1)[1], params)
            elif parts.path in ("/", "/health"):
                self._send_json(
                    200, {"service": "wattlake stand-in", "today": str(self.server.today)}
                )
            else:
                self._send_json(
                    404, {"error_code": "NotFound", "message": f"No route {parts.path}"}
                )
        except RequestError as error:
            self._send_json(error.status, error.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _meteo_fault(self) -> bool:
        """Play the next entry of `meteo_faults`; True when the request is answered (or not)."""
        fault = self.server.next_meteo_fault()
        if fault == "timeout" or self.server.slow:
            time.sleep(self.server.fault_delay_s)
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)  # socket.SHUT_RDWR: the client sees a reset
            return True
        if fault == "truncate":
            self._truncate = True
        self._spoil = fault if fault in faults.METEO_DATA_FAULTS else None
        if fault == "429":  # with Retry-After, which Open-Meteo does not send (see `faults`)
            reason = faults.LIMIT_REASONS["429-minutely"]
            headers = {"Retry-After": str(self.server.retry_after_s)}
            self._send_json(429, {"error": True, "reason": reason}, headers)
            return True
        if fault in faults.LIMIT_REASONS:
            self._send_json(429, {"error": True, "reason": faults.LIMIT_REASONS[fault]})
            return True
        if self.server.over_minute_limit():
            reason = faults.LIMIT_REASONS["429-minutely"]
            self._send_json(429, {"error": True, "reason": reason})
            return True
        if fault in ("500", "503"):
            self._send_json(int(fault), {"error": True, "reason": "Internal server error"})
            return True
        return False

    def _inject_fault(self, meteo: bool) -> bool:
        status = self.server.draw_fault()
        if status is None:
            return False
        headers = {"Retry-After": "1"}
        if status == 429:
            headers.update(
                {
                    "X-RateLimit-Limit": "5000",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(int(time.time()) + 1),
                }
            )
            body: dict[str, object] = (
                {"error": True, "reason": "Too many requests. Please try again in a moment."}
                if meteo
                else {"error_code": "TooManyRequests", "message": "Too many requests."}
            )
        else:
            headers = {}
            body = (
                {"error": True, "reason": "Service temporarily unavailable"}
                if meteo
                else {"error_code": "ServiceUnavailable", "message": "Service unavailable."}
            )
        self._send_json(status, body, headers)
        return True

    def _scripted_fault(self, dataset: str, fmt: str, params: dict[str, list[str]]) -> bool:
        """Answer the next scripted fault (see `StandinServer.export_faults`), if any."""
        fault = self.server.next_export_fault()
        if fault is None:
            return False
        if fault in ("429", "503"):
            body = {"error_code": "TooManyRequests", "message": "Too many requests."}
            self._send_json(int(fault), body, {"Retry-After": "1"} if fault == "429" else {})
            return True
        if fault == "html":
            page = b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return True
        if fault == "comma":
            params = {**params, "delimiter": [","]}
            self._export(dataset, fmt, params)
            return True
        if fault in ("header-only", "decimal-comma", "text-number"):
            self._export(dataset, fmt, params, fault)
            return True
        # "truncated" / "stall": the real export, cut in the middle of a row
        original, self.wfile = self.wfile, _Capture()
        try:
            self._export(dataset, fmt, params)
        finally:
            captured, self.wfile = self.wfile.text(), original
        body = captured[: len(captured) // 2].encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(f"{len(body):X}\r\n".encode("ascii") + body + b"\r\n")
        self.wfile.flush()
        if fault == "stall":
            time.sleep(60)
        self.wfile.write(b"0\r\n\r\n")
        return True

    # -- ODRÉ exports --------------------------------------------------------------------

    def _export(
        self, dataset: str, fmt: str, params: dict[str, list[str]], fault: str | None = None
    ) -> None:
        request = read_export_request(dataset, fmt, params)
        first, end = self.server.availability(dataset)
        query = request.query
        lower = first if query.lower is None else max(first, query.lower)
        upper = end if query.upper is None else min(end, query.upper)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Disposition", f'attachment; filename="{dataset}.csv"')
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        bom = "\ufeff" if request.with_bom else ""
        era = eras.era_at(dataset, upper - 1) if self.server.eras else eras.latest(dataset)
        self._write_chunk(
            bom
            + eras.header(dataset, era, use_labels=request.use_labels, delimiter=request.delimiter)
        )
        if fault != "header-only":
            measures = _measures(dataset)
            for rows in self._export_rows(dataset, request, lower, upper):
                rows = faults.spoil_rows(rows, measures, fault)
                self._write_chunk(
                    eras.format_rows(
                        rows, dataset, era, timezone=request.timezone, delimiter=request.delimiter
                    )
                )
        self.wfile.write(b"0\r\n\r\n")

    def _export_rows(
        self, dataset: str, request: ExportRequest, lower: int, upper: int
    ) -> Iterator[pd.DataFrame]:
        """The rows of [lower, upper) that the request selects, a month at a time, in order."""
        months = _month_starts(lower, upper) if lower < upper else []
        if request.descending:
            months.reverse()
        query, remaining = request.query, request.limit if request.limit >= 0 else None
        for month in months:
            if remaining == 0:
                break
            frame = _month_frame(dataset, month)
            epoch = frame["epoch"].to_numpy(dtype=np.int64)
            mask = (epoch >= lower) & (epoch < upper)
            if query.region_codes is not None:
                mask &= frame["code_insee_region"].isin(query.region_codes).to_numpy()
            if query.region_names is not None:
                mask &= frame["libelle_region"].isin(query.region_names).to_numpy()
            empty = self.server.empty_months_of(dataset)
            if empty:
                mask &= ~frame["date"].str[:7].isin(empty).to_numpy()  # Paris months
            rows = frame[mask]
            if request.ordered:
                rows = rows.iloc[::-1] if request.descending else rows
            else:
                rows = rows.iloc[generator.shuffled_order(rows)]
            if remaining is not None:
                rows = rows.iloc[:remaining]
                remaining -= len(rows)
            yield rows

    # -- Open-Meteo ----------------------------------------------------------------------

    def _meteo(self, endpoint: str, params: dict[str, list[str]]) -> None:
        started = time.perf_counter()

        def single(name: str) -> str | None:
            values = params.get(name)
            return values[-1] if values else None

        latitudes = _floats(single("latitude"), "latitude")
        longitudes = _floats(single("longitude"), "longitude")
        if not latitudes or not longitudes:
            raise _meteo_error("Parameter 'latitude' and 'longitude' must not be empty")
        if len(latitudes) != len(longitudes):
            raise _meteo_error(
                "Parameter 'latitude' and 'longitude' must have the same number of elements"
            )
        if len(latitudes) > MAX_LOCATIONS:
            raise _meteo_error(
                f"Parameter 'latitude' and 'longitude' must not exceed {MAX_LOCATIONS} coordinates."
            )
        for lat in latitudes:
            if not -90.0 <= lat <= 90.0:
                raise _meteo_error(f"Latitude must be in range of -90 to 90°. Given: {lat}.")
        for lon in longitudes:
            if not -180.0 <= lon <= 180.0:
                raise _meteo_error(f"Longitude must be in range of -180 to 180°. Given: {lon}.")
        variables = [v for v in (single("hourly") or "").split(",") if v]
        for variable in variables:
            if variable not in generator.OPEN_METEO_UNITS:
                raise _meteo_error(
                    f"Cannot initialize SurfaceVariable from invalid String value {variable} "
                    "for key hourly"
                )
        unit = single("wind_speed_unit") or single("windspeed_unit") or "kmh"
        if unit not in generator.WIND_SPEED_UNITS:
            raise _meteo_error(
                f"Cannot initialize WindspeedUnit from invalid String value {unit} "
                "for key wind_speed_unit"
            )
        tz = single("timezone") or "GMT"
        if tz.upper() not in ("UTC", "GMT"):
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise _meteo_error("Invalid timezone") from error
            raise _meteo_error(
                f"The stand-in serves only timezone=UTC or GMT, not '{tz}'; ask for UTC."
            )
        tz = tz.upper()

        today = self.server.today
        start_text, end_text = single("start_date"), single("end_date")
        available_until: date | None = None
        if endpoint == "archive":
            if start_text is None or end_text is None:
                raise _meteo_error("Both 'start_date' and 'end_date' must be set in the url")
            start, end = _date(start_text), _date(end_text)
            _check_range(start, end, ARCHIVE_FIRST_DAY, today + timedelta(days=1))
            available_until = today - timedelta(days=ARCHIVE_LAG_DAYS)
        elif start_text is not None or end_text is not None:
            for name in ("past_days", "forecast_days"):
                if single(name) is not None:
                    raise _meteo_error(
                        f"Parameter '{name}' is mutually exclusive with 'start_date' and 'end_date'"
                    )
            if start_text is None or end_text is None:
                raise _meteo_error("Both 'start_date' and 'end_date' must be set in the url")
            start, end = _date(start_text), _date(end_text)
            _check_range(
                start,
                end,
                today - timedelta(days=MAX_PAST_DAYS),
                today + timedelta(days=MAX_FORECAST_DAYS),
            )
        else:
            past = _days(single("past_days"), 0, MAX_PAST_DAYS, "Past days")
            forecast = _days(single("forecast_days"), 7, MAX_FORECAST_DAYS, "Forecast days")
            start = today - timedelta(days=past)
            end = today + timedelta(days=forecast - 1)

        documents = []
        for lat, lon in zip(latitudes, longitudes, strict=True):
            document = generator.open_meteo_document(
                lat,
                lon,
                start,
                end,
                variables,
                wind_speed_unit=unit,
                timezone=tz,
                available_until=available_until,
            )
            document["generationtime_ms"] = (time.perf_counter() - started) * 1000.0
            documents.append(document)
        days = (end - start).days + 1
        cost = max(len(variables) / 10, 1.0) * max(days / 14, 1.0) * len(latitudes)
        self.server.count_meteo(self.path, cost)
        documents = [faults.spoil_document(document, self._spoil) for document in documents]
        self._send_json(200, documents[0] if len(documents) == 1 else documents)


class _Capture:
    """Collects what `_export` would send, to decode its chunked body and cut it."""

    def __init__(self) -> None:
        self.raw = bytearray()

    def write(self, data: bytes) -> None:
        self.raw += data

    def flush(self) -> None:
        pass

    def text(self) -> str:
        body, rest = bytearray(), bytes(self.raw)
        rest = rest[rest.index(b"\r\n\r\n") + 4 :] if b"\r\n\r\n" in rest[:4096] else rest
        while rest:
            size_text, _, rest = rest.partition(b"\r\n")
            size = int(size_text, 16)
            if size == 0:
                break
            body += rest[:size]
            rest = rest[size + 2 :]
        return body.decode("utf-8", "replace")


def _floats(text: str | None, name: str) -> list[float]:
    if text is None or not text.strip():
        return []
    try:
        return [float(part) for part in text.split(",")]
    except ValueError as error:
        raise _meteo_error(f"Parameter '{name}' must be a list of numbers") from error


def _date(text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise _meteo_error("Invalid date format. Make sure to use 'YYYY-MM-DD'")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise _meteo_error("Invalid date") from error


def _check_range(start: date, end: date, first: date, end_exclusive: date) -> None:
    if end < start:
        raise _meteo_error("End-date must be larger or equals than start-date")
    last = end_exclusive - timedelta(days=1)
    for name, value in (("start_date", start), ("end_date", end)):
        if not first <= value < end_exclusive:
            raise _meteo_error(f"Parameter '{name}' is out of allowed range from {first} to {last}")


def _days(text: str | None, default: int, maximum: int, label: str) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError as error:
        raise _meteo_error(
            f"{label} is invalid. Allowed range 0 to {maximum}. Given {text}."
        ) from error
    if not 0 <= value <= maximum:
        raise _meteo_error(f"{label} is invalid. Allowed range 0 to {maximum}. Given {value}.")
    return value


def start_standin(
    port: int = 0,
    host: str = "127.0.0.1",
    today: date | str | None = None,
    **options: object,
) -> tuple[StandinServer, str]:
    """Serve in a background thread (tests); returns the server and its base URL.

    Stop it with `server.stop()` (or `server.shutdown()` then `server.server_close()`).
    """
    server = StandinServer((host, port), today=today, **options)  # type: ignore[arg-type]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    return server, server.base_url
