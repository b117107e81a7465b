"""pytest hooks and fixtures: the session's PostgreSQL (a private embedded one when PGHOST is
unset), the real captures in ../shared (skipped when absent), a landing zone, a stand-in."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.helpers import REAL_SAMPLES, Warehouse, embedded_server, free_port

# --- the session's PostgreSQL --------------------------------------------------------------
# The database tests make private databases on the server the PG* variables name. When PGHOST
# is unset (a fresh clone, no server installed), the session starts an embedded PostgreSQL of
# its own, in a temporary folder on a free port, and stops it at the end: `make test` needs no
# server, and never touches the developer's `.local/pgdata`.

_session_server: dict[str, str] = {}


def _embedded(action: str) -> None:
    try:
        embedded_server(action, {**os.environ, **_session_server})
    except RuntimeError as error:
        raise pytest.UsageError(f"The tests' embedded PostgreSQL: {error}") from None


def pytest_configure(config: pytest.Config) -> None:
    if "PGHOST" in os.environ:
        return
    _session_server.update(
        WATTLAKE_EMBEDDED_DIR=str(Path(tempfile.mkdtemp(prefix="wattlake-tests-")) / "pgdata"),
        PGPORT=str(free_port()),
        PGUSER="postgres",
        PGPASSWORD="",
        PGDATABASE="wattlake_test",
    )
    _embedded("start")
    os.environ.update(PGHOST="127.0.0.1", **_session_server)
    os.environ.pop("WATTLAKE_EMBEDDED_DIR")  # tests that start embedded servers pick their own


def pytest_unconfigure(config: pytest.Config) -> None:
    if _session_server:
        _embedded("stop")
        shutil.rmtree(Path(_session_server["WATTLAKE_EMBEDDED_DIR"]).parent, ignore_errors=True)
        _session_server.clear()


def pytest_report_header(config: pytest.Config) -> str:
    where = f"{os.environ['PGHOST']}:{os.environ['PGPORT']}"
    if _session_server:
        return f"PostgreSQL: a private embedded server at {where} (PGHOST was unset)"
    return f"PostgreSQL: the PG* server at {where}"


@pytest.fixture
def real_samples() -> Path:
    if not REAL_SAMPLES.is_dir():
        pytest.skip("../shared/real-samples is absent (it is not part of the project)")
    return REAL_SAMPLES


@pytest.fixture
def landing(tmp_path, monkeypatch) -> Path:
    """A private landing zone, so tests never touch data/raw/. The sources read
    `extract.landing.LANDING_DIR` when they run; a module that copied it at import is
    patched too."""
    import extract.landing
    import extract.sources.open_meteo

    monkeypatch.setattr(extract.landing, "LANDING_DIR", tmp_path)
    if hasattr(extract.sources.open_meteo, "LANDING_DIR"):
        monkeypatch.setattr(extract.sources.open_meteo, "LANDING_DIR", tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def standin():
    from tools.standin.server import start_standin

    server, _ = start_standin(port=0)
    yield server
    server.stop()


@pytest.fixture
def make_warehouse(tmp_path, standin):
    made: list[Warehouse] = []

    def make(name: str = "w", **config: str) -> Warehouse:
        warehouse = Warehouse(tmp_path / name, standin.base_url, **config)
        made.append(warehouse)
        return warehouse

    yield make
    standin.export_faults.clear()
    standin.fail_rate = 0.0
    for warehouse in made:
        warehouse.drop()
