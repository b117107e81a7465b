"""The one HTTP client of every source: a GET, its whole body, retried while the failure is
transient (HTTP 429, 500, 502, 503, 504, a connection error, a timeout, a body cut short or
slower than the deadline). urllib3's `Retry` counts the attempts, spaces them (exponential
backoff) and reads `Retry-After` in both RFC forms (seconds, or an HTTP date).

`error_reason(response)` is the service's own explanation, read once for every source.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import requests
import urllib3
from requests.exceptions import ChunkedEncodingError, ContentDecodingError
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

USER_AGENT = "wattlake/0.1 (+https://github.com/wattlake/wattlake)"
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
TRANSIENT = (requests.ConnectionError, requests.Timeout, ChunkedEncodingError, ContentDecodingError)


class SlowBody(requests.exceptions.ReadTimeout):
    """The body did not arrive whole within the deadline (a stalled or drip-fed answer)."""


class Incomplete(Exception):
    """Raised by a `check` hook: the answer is not whole (its message says how); ask again."""


class FetchFailed(RuntimeError):
    """The last attempt got no whole answer: `problem` says why in words, `error` is what was
    raised (a requests exception, or the `check` hook's `Incomplete`)."""

    def __init__(self, url: str, problem: str, error: Exception, attempts: int) -> None:
        super().__init__(f"{url}: {problem} ({attempts} attempt(s))")
        self.url, self.problem, self.error, self.attempts = url, problem, error, attempts


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


@dataclass
class Client:
    """A requests session with the retry rules of the module docstring.

        client = Client(retries=5, backoff_s=1.0, timeout_s=120)
        response = client.get(url, params)   # the last answer, whatever its status
        # raises FetchFailed (its `.problem` in words) when the last attempt got no whole answer

    `timeout_s` bounds each attempt as a whole: connecting, waiting and the whole body (requests
    only times each socket read). An answer with a status not worth retrying returns at once.

    Hooks, for a source with rules of its own (Open-Meteo's rate-limit budget):
    - `before_attempt() -> None`: called before every attempt is sent, retries included; raise
      to stop the download (the exception goes through unchanged).
    - `wait_for(response) -> float | None`: called on every retryable error answer; the seconds
      to wait before the next attempt, or None for `Retry-After`, else the backoff; raise to stop.
    - `on_retry(problem, retry, seconds) -> None`: told of each retry (the failure in words, the
      retry's number from 1, the wait), e.g. to print it.
    - `get(url, params, check=...)`: `check(body)` on a 200 answer raises `Incomplete` for a body
      that must be asked for again (cut JSON); any other exception goes through.
    Hooks that change per request (a request's own cost): `dataclasses.replace(client,
    before_attempt=...)` makes a client of the same session (its connections are reused).
    """

    retries: int = 5
    backoff_s: float = 1.0
    timeout_s: float = 120.0
    connect_timeout_s: float | None = None  # None: `timeout_s`
    max_backoff_s: float = 120.0
    backoff_jitter_s: float = 0.0
    max_wait_s: float = math.inf  # the longest wait `Retry-After` or `wait_for` may impose
    before_attempt: Callable[[], None] | None = None
    wait_for: Callable[[requests.Response], float | None] | None = None
    on_retry: Callable[[str, int, float], None] | None = None
    session: requests.Session = field(default_factory=new_session)

    @property
    def attempts(self) -> int:
        return 1 + max(0, self.retries)

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        check: Callable[[bytes], None] | None = None,
    ) -> requests.Response:
        """GET `url` with its whole body read (`response.content`), retried as the module says."""
        retry = Retry(
            total=max(0, self.retries),
            backoff_factor=self.backoff_s,
            backoff_max=self.max_backoff_s,
            backoff_jitter=self.backoff_jitter_s,
            status_forcelist=RETRY_STATUSES,
        )
        while True:
            if self.before_attempt:
                self.before_attempt()
            outcome = self.attempt(url, params, check)
            if isinstance(outcome, requests.Response):
                if not retry.is_retry("GET", outcome.status_code):
                    return outcome
                problem, wait = status_problem(outcome), self.asked_wait(outcome)
                try:
                    retry = retry.increment("GET", url, response=outcome.raw)
                except MaxRetryError:
                    return outcome  # retried enough: the caller reads the status
            else:
                problem, wait = transport_problem(outcome, self.timeout_s), None
                try:
                    retry = retry.increment("GET", url, error=outcome)
                except MaxRetryError:
                    raise FetchFailed(url, problem, outcome, self.attempts) from None
            delay = retry.get_backoff_time() if wait is None else min(wait, self.max_wait_s)
            if self.on_retry:
                self.on_retry(problem, len(retry.history), delay)
            time.sleep(delay)

    def attempt(
        self, url: str, params: Mapping[str, str] | None, check: Callable[[bytes], None] | None
    ) -> requests.Response | Exception:
        """One GET: its whole answer, or the transient failure that left none."""
        started = time.monotonic()
        try:
            response = self.session.get(
                url,
                params=params,
                timeout=(self.connect_timeout_s or self.timeout_s, self.timeout_s),
                stream=True,
            )
            read_body(response, started, self.timeout_s)
        except TRANSIENT as error:
            return error
        if response.status_code == 200 and check:
            try:
                check(response.content)
            except Incomplete as incomplete:
                return incomplete
        return response

    def asked_wait(self, response: requests.Response) -> float | None:
        """The wait an error answer asks for: the `wait_for` hook's, else its `Retry-After`."""
        wait = self.wait_for(response) if self.wait_for else None
        return retry_after_seconds(response) if wait is None else wait


def retry_after_seconds(response: requests.Response) -> float | None:
    """`Retry-After` in seconds (either form the RFC allows), or None when absent or invalid."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return Retry().parse_retry_after(value)
    except InvalidHeader:
        return None


def error_reason(response: requests.Response) -> str:
    """The service's own explanation, on one line, when it gives one in JSON (Open-Meteo's
    `{"error": true, "reason": ...}`, ODRÉ's `message`); "" otherwise."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    reason = body.get("reason") or body.get("message") or body.get("error")
    return " ".join(reason.split()) if isinstance(reason, str) else ""


def status_problem(response: requests.Response) -> str:
    """`HTTP 503 (Service temporarily unavailable)`: an answer's status, in words."""
    reason = error_reason(response)
    if not reason and response.status_code == 429:
        reason = "too many requests"
    return f"HTTP {response.status_code}" + (f" ({reason})" if reason else "")


def transport_problem(error: Exception, timeout_s: float) -> str:
    """A failure that left no whole answer, in words."""
    if isinstance(error, SlowBody | Incomplete):
        return str(error)
    if isinstance(error, requests.Timeout):
        return f"no answer within {timeout_s:g} s"
    return f"connection failed ({type(error).__name__})"


def read_body(response: requests.Response, started: float, timeout_s: float) -> None:
    """Read a streamed response's whole body within `timeout_s` of `started` (monotonic), or
    raise SlowBody; afterwards `response.content` holds it.

    `read1` returns after one socket read, so the deadline is checked however slowly the bytes
    come (psf/requests#4276). urllib3's errors become requests' (as `iter_content` makes
    them), so callers see one family of exceptions.
    """
    body = bytearray()
    try:
        while block := response.raw.read1(1 << 16, decode_content=True):
            body += block
            if time.monotonic() - started > timeout_s:
                raise SlowBody(
                    f"its body was not whole {timeout_s:g} s after the request, "
                    f"{len(body):,} bytes by then: timeout_seconds bounds the whole answer"
                )
    except urllib3.exceptions.ReadTimeoutError as error:
        response.close()
        raise requests.ConnectionError(error) from None
    except urllib3.exceptions.HTTPError as error:
        response.close()
        raise ChunkedEncodingError(error) from None
    except SlowBody:
        response.close()  # the connection is not reused
        raise
    # what requests fills itself on a GET that is not streamed
    response._content = bytes(body)
    response._content_consumed = True  # type: ignore[attr-defined]  # private, absent from stubs
    response.close()  # hands the connection back to the pool
