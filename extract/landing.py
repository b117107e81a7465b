"""The landing zone: every fetched file is kept, unchanged, under `data/raw/` before it is loaded.

Fetching is separate from parsing and loading: `download()` only writes a file, atomically (a
temporary name then a rename), so a killed run never leaves a half-written file behind. The
retries are `extract.http`'s; what still fails becomes one `SourceError` sentence.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import requests

from extract import http

PROJECT_DIR = Path(__file__).resolve().parent.parent
LANDING_DIR = Path(os.environ.get("WATTLAKE_LANDING_DIR", PROJECT_DIR / "data" / "raw"))


class SourceError(RuntimeError):
    """A source problem the user can understand: its message is one sentence naming the fix."""


def check_reachable(url: str, timeout_s: float = 5) -> None:
    """Fail fast, before anything is fetched, when a service cannot be reached at all."""
    try:
        requests.head(url, timeout=timeout_s, allow_redirects=True)
    except requests.RequestException as error:
        raise SourceError(
            f"Cannot reach {url} ({type(error).__name__}): check your network, "
            f"or run `make demo` for the offline chain on sample data."
        ) from None


def relative(path: Path) -> str:
    """The landing path recorded in `raw` (`_source_file`): relative to `data/raw/`."""
    return path.resolve().relative_to(LANDING_DIR.resolve()).as_posix()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    client: http.Client,
    url: str,
    params: dict[str, str],
    destination: Path,
    validate: Callable[[bytes], None],
) -> Path:
    """GET url into destination atomically; `validate` raises SourceError on a bad body."""
    try:
        response = client.get(url, params)
    except (http.FetchFailed, requests.RequestException) as failure:
        error = failure.error if isinstance(failure, http.FetchFailed) else failure
        reason = str(error) if isinstance(error, http.SlowBody) else type(error).__name__
        raise SourceError(
            f"Cannot fetch {url} ({reason}) after retries: check your "
            f"network, or run `make demo` for the offline chain on sample data."
        ) from None
    if response.status_code != 200:
        reason = http.error_reason(response)
        raise SourceError(
            f"{response.url} answered HTTP {response.status_code}"
            f"{f' ({reason})' if reason else ''}: nothing was loaded from it; re-run later."
        )
    validate(response.content)
    write_atomically(destination, response.content)
    return destination


def write_atomically(path: Path, body: bytes | Path) -> None:
    """Write `body` (bytes, or a file to copy) to `path` through `<path>.part` and a rename, so
    that a killed run never leaves a half-written file. A full or read-only disk is one line
    naming the path; the `.part` file is removed and every file landed before is kept."""
    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, Path):
            shutil.copyfile(body, partial)
        else:
            with open(partial, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        fix = (
            "free some space on that disk"
            if error.errno in (errno.ENOSPC, errno.EDQUOT)
            else "make that folder writable (or point WATTLAKE_LANDING_DIR at one)"
        )
        raise SourceError(
            f"Cannot write {error.filename or partial} ({error.strerror}): {fix}, then re-run; "
            f"every file landed and loaded before is kept."
        ) from None


def with_required(table, columns: tuple[str, ...]):
    """Mark merge-key columns non-nullable, as dlt's schema declares them (keeps dlt quiet)."""
    import pyarrow as pa

    fields = [
        field.with_nullable(False) if field.name in columns else field for field in table.schema
    ]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))
