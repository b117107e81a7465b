"""`python -m tools.standin.wait URL`: wait until a freshly started stand-in answers (make demo)."""

from __future__ import annotations

import sys
import time

import requests


def wait_for(url: str, timeout_s: float = 30) -> None:
    """Wait until a freshly started local service answers (used by `make demo`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not start within {timeout_s:.0f} s.") from None
            time.sleep(0.2)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tools.standin.wait URL")
    try:
        wait_for(sys.argv[1])
    except TimeoutError as problem:
        sys.exit(f"error: {problem}")
