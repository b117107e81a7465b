"""extract.http, the one HTTP client: retries, Retry-After, the deadline, and the two hooks.

A local server answers from a script (one answer per request), and `time.sleep` is recorded
instead of slept, so the tests see every wait the client chose.
"""

from __future__ import annotations

import dataclasses
import email.utils
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from extract import http

OK = (200, {}, b"whole body\n")


class Scripted(BaseHTTPRequestHandler):
    """Answers the next entry of `server.script`: (status, headers, body), or "cut", "drip"."""

    def do_GET(self) -> None:
        self.server.requests += 1
        answer = self.server.script.pop(0) if self.server.script else OK
        if answer == "cut":  # promises 2 kB, sends 10 bytes, hangs up
            self.send_response(200)
            self.send_header("Content-Length", "2048")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if answer == "drip":  # one byte every 0.2 s
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
            return
        status, headers, body = answer
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    server.daemon_threads = True
    server.script, server.requests = [], 0
    server.url = f"http://127.0.0.1:{server.server_address[1]}/data"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def json_error(status: int, reason: str, **headers: str) -> tuple[int, dict, bytes]:
    body = f'{{"error": true, "reason": "{reason}"}}'.encode()
    return status, {"Content-Type": "application/json", **headers}, body


def test_a_transient_status_is_retried_until_the_answer_is_whole(server, waits):
    server.script[:] = [json_error(503, "down"), json_error(502, "down"), OK]
    response = http.Client(retries=3, backoff_s=0.5).get(server.url, {"a": "1"})
    assert (response.status_code, response.content) == (200, b"whole body\n")
    assert server.requests == 3
    assert waits == [0.0, 1.0]  # urllib3's backoff: at once, then backoff_s * 2, * 4, ...


def test_retry_after_is_honoured_in_seconds_and_as_a_date(server, waits):
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.script[:] = [
        json_error(429, "slow down", **{"Retry-After": "7"}),
        json_error(503, "busy", **{"Retry-After": when}),
        OK,
    ]
    http.Client(retries=3, backoff_s=0.01).get(server.url)
    assert waits[0] == 7
    assert 25 < waits[1] <= 30


def test_a_status_still_failing_after_the_retries_is_returned(server, waits):
    server.script[:] = [json_error(500, "boom")] * 3
    response = http.Client(retries=2, backoff_s=0.01).get(server.url)
    assert response.status_code == 500 and server.requests == 3
    assert http.status_problem(response) == "HTTP 500 (boom)"


def test_a_status_not_worth_retrying_is_returned_at_once(server, waits):
    server.script[:] = [json_error(400, "Parameter 'x' is out of allowed range")]
    response = http.Client(retries=5).get(server.url)
    assert response.status_code == 400 and server.requests == 1 and waits == []
    assert http.error_reason(response) == "Parameter 'x' is out of allowed range"


def test_every_attempt_goes_through_before_attempt_and_on_retry(server, waits):
    server.script[:] = [json_error(503, "Service temporarily unavailable"), (429, {}, b"")]
    sent: list[int] = []
    told: list[tuple[str, int, float]] = []
    client = http.Client(
        retries=4,
        backoff_s=0.01,
        before_attempt=lambda: sent.append(server.requests),
        on_retry=lambda problem, retry, seconds: told.append((problem, retry, seconds)),
    )
    client.get(server.url)
    assert sent == [0, 1, 2]  # charged before each request is sent, retries included
    assert told == [
        ("HTTP 503 (Service temporarily unavailable)", 1, 0.0),
        ("HTTP 429 (too many requests)", 2, 0.02),
    ]


def test_a_client_with_a_hook_of_its_own_shares_the_session(server, waits):
    client = http.Client(retries=1)
    counted: list[str] = []
    per_request = dataclasses.replace(client, before_attempt=lambda: counted.append("sent"))
    per_request.get(server.url)
    assert per_request.session is client.session and counted == ["sent"]
    assert client.session.headers["User-Agent"] == http.USER_AGENT


def test_wait_for_names_the_wait_of_an_answer_without_retry_after(server, waits):
    minutely = "Minutely API request limit exceeded. Please try again in one minute."
    server.script[:] = [json_error(429, minutely), json_error(503, "busy"), OK]
    asked: list[int] = []

    def wait_for(response: requests.Response) -> float | None:
        asked.append(response.status_code)
        return 61.5 if "minute" in http.error_reason(response) else None

    http.Client(retries=3, backoff_s=0.01, wait_for=wait_for).get(server.url)
    assert asked == [429, 503]
    assert waits == [61.5, 0.02]  # the hook's wait, then (no opinion) the backoff


def test_wait_for_may_stop_the_download_and_max_wait_caps_its_waits(server, waits):
    class Stop(Exception):
        pass

    def stop(response: requests.Response) -> float | None:
        raise Stop(http.error_reason(response))

    server.script[:] = [json_error(429, "Daily API request limit exceeded.")]
    with pytest.raises(Stop, match="Daily API request limit exceeded"):
        http.Client(retries=3, wait_for=stop).get(server.url)
    assert server.requests == 1 and waits == []

    server.script[:] = [json_error(503, "busy", **{"Retry-After": "3600"}), OK]
    http.Client(retries=3, max_wait_s=90).get(server.url)
    assert waits == [90]


def test_a_body_cut_mid_transfer_is_retried(server, waits):
    server.script[:] = ["cut", OK]
    response = http.Client(retries=2, backoff_s=0.01).get(server.url)
    assert response.content == b"whole body\n" and server.requests == 2


def test_a_drip_fed_body_hits_the_deadline_of_each_attempt(server, monkeypatch):
    server.script[:] = ["drip", "drip"]
    started = time.monotonic()
    with pytest.raises(http.FetchFailed) as failed:
        http.Client(retries=1, backoff_s=0.01, timeout_s=0.5).get(server.url)
    assert time.monotonic() - started < 5  # two attempts of 0.5 s, not 2 x 20 s of dripping
    assert isinstance(failed.value.error, http.SlowBody)
    assert failed.value.problem.startswith("its body was not whole 0.5 s after the request, ")
    assert failed.value.attempts == 2 and server.requests == 2


def test_no_server_at_all_fails_after_the_retries(waits):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/data"  # bound, never listening
        with pytest.raises(http.FetchFailed) as failed:
            http.Client(retries=2, backoff_s=0.01).get(url)
    assert failed.value.problem == "connection failed (ConnectionError)"
    assert isinstance(failed.value.error, requests.ConnectionError)
    assert len(waits) == 2


def test_a_check_that_finds_the_body_incomplete_asks_again(server, waits):
    server.script[:] = [(200, {}, b'{"cut'), (200, {}, b'{"whole": 1}')]

    def check(body: bytes) -> None:
        if not body.endswith(b"}"):
            raise http.Incomplete("Open-Meteo answered a body that is not complete JSON")

    response = http.Client(retries=2, backoff_s=0.01).get(server.url, check=check)
    assert response.content == b'{"whole": 1}' and server.requests == 2

    server.script[:] = [(200, {}, b'{"cut')] * 2
    with pytest.raises(http.FetchFailed) as failed:
        http.Client(retries=1, backoff_s=0.01).get(server.url, check=check)
    assert failed.value.problem == "Open-Meteo answered a body that is not complete JSON"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"error": true, "reason": "Cannot\\n  parse"}', "Cannot parse"),
        (b'{"message": "Unknown dataset"}', "Unknown dataset"),
        (b'{"error": "quota"}', "quota"),
        (b'{"error": true}', ""),
        (b"<html>502 Bad Gateway</html>", ""),
        (b"[1, 2]", ""),
    ],
)
def test_the_service_reason_is_read_once_for_every_source(body, reason):
    response = requests.Response()
    response._content, response.status_code = body, 502
    assert http.error_reason(response) == reason
