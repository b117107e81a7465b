"""A local HTTP stand-in for ODRÉ (éCO2mix exports) and Open-Meteo (archive and forecast).

The extract code must run end to end without internet, on the same URLs, parameters, formats and
errors as the real services, so that the base URLs are the only change. `StandinServer` holds
the configuration (what "today" publishes, the faults to play) and the counters tests inspect;
`handler` answers the requests. docs/standin.md lists what is served and every fault.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from http.server import ThreadingHTTPServer

from tools.standin import faults, generator
from tools.standin.errors import RequestError
from tools.standin.exports import parse_empty_months
from tools.standin.faults import EXPORT_FAULTS, METEO_FAULTS
from tools.standin.handler import StandinHandler

TODAY_ENV = "WATTLAKE_STANDIN_TODAY"


def resolve_today(today: date | str | None = None) -> date:
    """Explicit value, else $WATTLAKE_STANDIN_TODAY, else the real (UTC) today."""
    if today is None:
        today = os.environ.get(TODAY_ENV) or None
    if today is None:
        return datetime.now(UTC).date()
    if isinstance(today, str):
        return date.fromisoformat(today)
    return today


class StandinServer(ThreadingHTTPServer):
    """The stand-in; attributes are its configuration and what tests inspect.

    "today" drives what is published: cons-def exports end `cons_def_lag_days` before today,
    real-time (`-tr`) exports cover the `real_time_days` before today, the archive has values up
    to today minus 5 days. `eras`: serve each period with its own column set (`eras.py`)
    instead of today's. Faults: `fail_rate` (a seeded share of 429/503), `meteo_faults` and
    `export_faults` (scripts consumed one entry per request, see `faults`), `minute_limit`
    (weighted Open-Meteo calls per rolling `minute_window_s`), `empty_months` (header-only
    months, `YYYY-MM` or `dataset:YYYY-MM`).
    """

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
        self.empty_months = parse_empty_months(empty_months)
        super().__init__(address, StandinHandler)
        self.eras = eras
        self.cons_def_lag_days = cons_def_lag_days
        self.real_time_days = real_time_days
        self.fail_rate = fail_rate
        self.meteo_faults: list[str] = list(meteo_faults)
        self.export_faults: list[str] = list(export_faults)
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
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else host
        return f"http://{host_text}:{port}"

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
        """Whether the weighted calls of the last rolling minute have reached `minute_limit`.

        The real counter is a fixed window cleared every minute; a rolling one is stricter, so a
        client that stays under it stays under the real one.
        """
        if self.minute_limit is None:
            return False
        with self._lock:
            horizon = time.monotonic() - self.minute_window_s
            self._minute_calls = [call for call in self._minute_calls if call[0] > horizon]
            return sum(cost for _, cost in self._minute_calls) >= self.minute_limit

    def next_export_fault(self) -> str | None:
        """The scripted fault for this export request, or None once the script is used up."""
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
