"""The stand-in's HTTP handler: routing, the faults it is scripted to play, and sending.

The endpoints themselves are in `exports` (ODRÉ) and `meteo_api` (Open-Meteo); the faults and
their answers in `faults`; the configuration and counters on `StandinServer`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from tools.standin import faults
from tools.standin.errors import RequestError
from tools.standin.exports import EXPORT_PATH, Export, read_export_request
from tools.standin.faults import JsonAnswer
from tools.standin.meteo_api import read_meteo_request

if TYPE_CHECKING:
    from tools.standin.server import StandinServer

_METEO_PATHS = ("/v1/archive", "/v1/forecast")
_MAINTENANCE_PAGE = b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>"


class StandinHandler(BaseHTTPRequestHandler):
    server: StandinServer
    protocol_version = "HTTP/1.1"
    server_version = "wattlake-standin/1.0"
    _truncate = False  # this answer's JSON body is cut in half (fault `truncate`)
    _spoil: str | None = None  # the bad-200 fault this answer plays, if any

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # -- sending -------------------------------------------------------------------------

    def _send_json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if self._truncate:
            payload = payload[: len(payload) // 2]  # a well-formed response, a cut JSON body
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_answer(self, answer: JsonAnswer) -> None:
        self._send_json(answer.status, answer.body, answer.headers)

    def _start_chunked(self, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _write_chunk(self, text: str) -> None:
        data = text.encode("utf-8")
        if data:
            self.wfile.write(f"{len(data):X}\r\n".encode("ascii") + data + b"\r\n")

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    # -- routing -------------------------------------------------------------------------

    def do_GET(self) -> None:
        self.server.request_log.append(self.path)
        self._truncate = False
        self._spoil = None
        try:
            self._route()
        except RequestError as error:
            self._send_json(error.status, error.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _route(self) -> None:
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        export = EXPORT_PATH.match(parts.path)
        is_meteo = parts.path in _METEO_PATHS
        if is_meteo and self._meteo_fault():
            return
        if (export or is_meteo) and self._random_failure(meteo=is_meteo):
            return
        if export and self._export_fault(export[1], export[2], params):
            return
        if export:
            self._export(export[1], export[2], params)
        elif is_meteo:
            self._meteo(parts.path.rsplit("/", 1)[1], params)
        elif parts.path in ("/", "/health"):
            self._send_json(200, {"service": "wattlake stand-in", "today": str(self.server.today)})
        else:
            self._send_json(404, {"error_code": "NotFound", "message": f"No route {parts.path}"})

    # -- faults --------------------------------------------------------------------------

    def _meteo_fault(self) -> bool:
        """Play the next entry of `meteo_faults`; True when it replaces the answer (a refusal, or
        a connection dropped without one)."""
        fault = self.server.next_meteo_fault()
        if fault == "timeout" or self.server.slow:
            time.sleep(self.server.fault_delay_s)
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)  # socket.SHUT_RDWR: the client sees a reset
            return True
        self._truncate = fault == "truncate"
        self._spoil = fault if fault in faults.METEO_DATA_FAULTS else None
        over_limit = self.server.over_minute_limit()
        refusal = faults.meteo_refusal(fault, self.server.retry_after_s, over_limit)
        if refusal is not None:
            self._send_answer(refusal)
        return refusal is not None

    def _random_failure(self, meteo: bool) -> bool:
        status = self.server.draw_fault()
        if status is not None:
            self._send_answer(faults.random_failure(status, meteo))
        return status is not None

    def _export_fault(self, dataset: str, fmt: str, params: dict[str, list[str]]) -> bool:
        """Answer the next scripted fault (see `StandinServer.export_faults`), if any."""
        fault = self.server.next_export_fault()
        if fault is None:
            return False
        refusal = faults.export_refusal(fault)
        if refusal is not None:
            self._send_answer(refusal)
        elif fault == "html":
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(_MAINTENANCE_PAGE)))
            self.end_headers()
            self.wfile.write(_MAINTENANCE_PAGE)
        elif fault == "comma":
            self._export(dataset, fmt, {**params, "delimiter": [","]})
        elif fault in ("header-only", "decimal-comma", "text-number"):
            self._export(dataset, fmt, params, fault)
        else:  # "truncated" / "stall": the real export, cut in the middle of a row
            self._cut_export(dataset, fmt, params, stall=fault == "stall")
        return True

    def _cut_export(
        self, dataset: str, fmt: str, params: dict[str, list[str]], *, stall: bool
    ) -> None:
        """A complete chunked response whose body stops half-way; `stall` pauses before the end."""
        text = "".join(self._plan_export(dataset, fmt, params).chunks())
        body = text[: len(text) // 2].encode("utf-8")
        self._start_chunked("text/csv; charset=utf-8")
        self.wfile.write(f"{len(body):X}\r\n".encode("ascii") + body + b"\r\n")
        self.wfile.flush()
        if stall:
            time.sleep(60)
        self._end_chunks()

    # -- endpoints -----------------------------------------------------------------------

    def _plan_export(self, dataset: str, fmt: str, params: dict[str, list[str]]) -> Export:
        request = read_export_request(dataset, fmt, params)
        return Export.plan(
            dataset,
            request,
            self.server.availability(dataset),
            by_era=self.server.eras,
            empty_months=self.server.empty_months_of(dataset),
        )

    def _export(
        self, dataset: str, fmt: str, params: dict[str, list[str]], fault: str | None = None
    ) -> None:
        export = self._plan_export(dataset, fmt, params)
        disposition = {"Content-Disposition": f'attachment; filename="{dataset}.csv"'}
        self._start_chunked("text/csv; charset=utf-8", disposition)
        self._send_chunks(export.chunks(fault))

    def _send_chunks(self, chunks: Iterable[str]) -> None:
        for text in chunks:
            self._write_chunk(text)
        self._end_chunks()

    def _meteo(self, endpoint: str, params: dict[str, list[str]]) -> None:
        started = time.perf_counter()
        request = read_meteo_request(endpoint, params, self.server.today)
        documents = request.documents(started)
        self.server.count_meteo(self.path, request.cost)
        documents = [faults.spoil_document(document, self._spoil) for document in documents]
        self._send_json(200, documents[0] if len(documents) == 1 else documents)
