"""Every bad input gets one line, and nothing is written (issue 16).

- bad configuration (dates, their order, types, unknown keys, TOML syntax) is one line naming
  the key or the file, the value and the fix, exit code 2, checked before anything is fetched:
  nothing is landed and raw is unchanged;
- a start date before a dataset's first day is clipped to that day, with a note;
- a drip-fed body hits the overall deadline (`timeout_seconds` bounds the whole answer);
- a full disk (`/dev/full`) or a read-only one names the path and leaves no `.part` file;
- each source runs even when the other failed, and the exit code is 1;
- hand downloads: an empty file says "empty", an oversized field names its file while the
  other files load, duplicate keys in one file are a warning (the last line wins).
"""

from __future__ import annotations

import errno
import http.server
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import PROJECT_DIR, Warehouse, exports_requested
from tools.standin.generator import write_dataset

REGIONAL = {"SOURCES__ECO2MIX__DATASETS": '["eco2mix-regional-cons-def"]'}
SEPTEMBER = {**REGIONAL, "SOURCES__START_DATE": "2024-09-01", "SOURCES__END_DATE": "2024-10-01"}
TWO_MONTHS = {**REGIONAL, "SOURCES__START_DATE": "2024-09-01", "SOURCES__END_DATE": "2024-11-01"}
CONFIG = (PROJECT_DIR / ".dlt" / "config.toml").read_text()
DATASETS_LINE = 'datasets = ["eco2mix-regional-cons-def", "eco2mix-national-cons-def"]'
START_LINE = 'start_date = "2013-01-01"'
LIST_FIX = """write it like ["a", "b"] (in an environment variable too: '["a", "b"]')."""
DATE_FIX = "write it as YYYY-MM-DD, e.g. 2013-01-01."

# (id, environment, config.toml as edited, the exact error line)
BAD_CONFIG = [
    (
        "start date garbage",
        {"SOURCES__START_DATE": "garbage"},
        CONFIG,
        f"error: SOURCES__START_DATE is 'garbage', not a date: {DATE_FIX}",
    ),
    (
        "start date garbage in toml",
        {},
        CONFIG.replace(START_LINE, 'start_date = "2013-13-01"'),
        f"error: .dlt/config.toml [sources] start_date is '2013-13-01', not a date: {DATE_FIX}",
    ),
    (
        "datasets a string",
        {"SOURCES__ECO2MIX__DATASETS": "eco2mix-regional-cons-def"},
        CONFIG,
        "error: SOURCES__ECO2MIX__DATASETS is 'eco2mix-regional-cons-def', not a list of "
        f"texts: {LIST_FIX}",
    ),
    (
        "datasets a string in toml",
        {},
        CONFIG.replace(DATASETS_LINE, 'datasets = "eco2mix-regional-cons-def"'),
        "error: .dlt/config.toml [sources.eco2mix] datasets is 'eco2mix-regional-cons-def', "
        f"not a list of texts: {LIST_FIX}",
    ),
    (
        "toml syntax",
        {},
        CONFIG.replace(START_LINE, 'start_date = "2013-01-01'),
        "error: {project}/.dlt/config.toml is not valid TOML (Illegal character '\\n' (at line "
        "11, column 58)): fix that line (strings in double quotes, lists in [ ], "
        "https://toml.io).",
    ),
    (
        "misspelt toml key",
        {},
        CONFIG.replace("datasets = [", "dataset = ["),
        "error: .dlt/config.toml [sources.eco2mix] dataset is not a setting of "
        "[sources.eco2mix]: did you mean datasets? the settings are base_url, datasets, "
        "end_date, http_backoff_s, http_retries, local_path, real_time_days, refresh_days, "
        "start_date, timeout_seconds.",
    ),
    (
        "misspelt toml table",
        {},
        CONFIG.replace("[sources.eco2mix]", "[sources.ecomix]"),
        "error: .dlt/config.toml has a table [sources.ecomix], which is no source: did you "
        "mean [sources.eco2mix]? the sources are eco2mix, open_meteo.",
    ),
    (
        "misspelt variable",
        {"SOURCES__ECO2MIX__DATSETS": '["eco2mix-regional-cons-def"]'},
        CONFIG,
        "error: SOURCES__ECO2MIX__DATSETS is not a setting of [sources.eco2mix]: did you mean "
        "SOURCES__ECO2MIX__DATASETS? the settings are base_url, datasets, end_date, "
        "http_backoff_s, http_retries, local_path, real_time_days, refresh_days, start_date, "
        "timeout_seconds.",
    ),
    (
        "a whole number that is not",
        {"SOURCES__ECO2MIX__HTTP_RETRIES": "five"},
        CONFIG,
        "error: SOURCES__ECO2MIX__HTTP_RETRIES is 'five', not a whole number: write it like 45.",
    ),
    (
        "end before start",
        {"SOURCES__START_DATE": "2024-10-01", "SOURCES__END_DATE": "2024-09-01"},
        CONFIG,
        "error: SOURCES__END_DATE is 2024-09-01, not after start_date 2024-10-01 "
        "(SOURCES__START_DATE): the period would be empty; set end_date after start_date (it "
        "is exclusive), or leave it empty for up to today.",
    ),
    (
        "start in the future",
        {"SOURCES__START_DATE": "2999-01-01", "SOURCES__END_DATE": ""},
        CONFIG,
        "error: SOURCES__START_DATE is 2999-01-01, after today ({today}): nothing is "
        "published yet; set a start_date in the past.",
    ),
    (
        "lock wait not a number",
        {"WATTLAKE_LOCK_WAIT_SECONDS": "soon"},
        CONFIG,
        "error: WATTLAKE_LOCK_WAIT_SECONDS is 'soon', not a number of seconds: set 0 (a second "
        "run fails at once, the default) or how long a second run may wait for the first.",
    ),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, standin):
    """A warehouse holding September 2024, and a project folder (cwd) of its own for
    `.dlt/config.toml`."""
    warehouse = Warehouse(tmp_path_factory.mktemp("loaded"), standin.base_url)
    warehouse.extract(**SEPTEMBER)
    yield warehouse
    warehouse.drop()


def landing_snapshot(warehouse: Warehouse) -> dict[str, tuple[int, int]]:
    landing = warehouse.workdir / "raw"
    return {
        str(path.relative_to(landing)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(landing.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


def run_extract(warehouse: Warehouse, cwd: Path, **config: str) -> subprocess.CompletedProcess:
    args, env = warehouse.command(("eco2mix", "open_meteo"), **config)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("environment", "config_toml", "message"),
    [case[1:] for case in BAD_CONFIG],
    ids=[case[0] for case in BAD_CONFIG],
)
def test_bad_configuration_is_one_line_exit_2_and_nothing_written(
    loaded, tmp_path, standin, environment, config_toml, message
):
    project = tmp_path / "project"
    (project / ".dlt").mkdir(parents=True)
    (project / ".dlt" / "config.toml").write_text(config_toml)
    before_raw, before_landing = loaded.fingerprint(), landing_snapshot(loaded)
    requests_before = len(standin.request_log)
    base = TWO_MONTHS if config_toml == CONFIG else {}  # else the file alone decides
    result = run_extract(loaded, project, **{**base, **environment})
    expected = message.format(project=project, today=time.strftime("%Y-%m-%d"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == expected
    assert result.stdout == ""
    assert len(standin.request_log) == requests_before  # nothing fetched
    assert landing_snapshot(loaded) == before_landing  # nothing landed
    assert loaded.fingerprint() == before_raw  # raw unchanged


# --- dates before a dataset's first day ------------------------------------------------------


def test_a_start_before_the_first_day_is_clipped_with_a_note(make_warehouse, standin):
    warehouse = make_warehouse()
    since = len(standin.request_log)
    result = warehouse.extract(
        **REGIONAL, SOURCES__START_DATE="1900-01-01", SOURCES__END_DATE="2013-02-01"
    )
    assert (
        "eco2mix: note: start_date 1900-01-01 is before the first day of "
        "eco2mix-regional-cons-def, 2013-01-01: starting there." in result.stdout
    )
    assert len(exports_requested(standin, since)) == 1  # January 2013 only
    landed = sorted((warehouse.workdir / "raw" / "csv").rglob("*.csv"))
    assert [path.name for path in landed] == ["2013-01.csv"]
    assert warehouse.scalar("select min(date_heure) from raw.eco2mix_regional") == (
        "2012-12-31T23:00:00+00:00"
    )


# --- a drip-fed body -------------------------------------------------------------------------


class Drip(http.server.BaseHTTPRequestHandler):
    """Answers 200 and a body of one byte a second, forever (each read is quick: no timeout)."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            for _ in range(600):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def drip():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_drip_fed_body_hits_the_overall_deadline_and_each_source_still_runs(make_warehouse, drip):
    """éCO2mix drips (and fails on its deadline), Open-Meteo answers: both are in the summary,
    Open-Meteo is loaded, the exit code is 1."""
    warehouse = make_warehouse()
    started = time.monotonic()
    result = warehouse.extract(
        check=False,
        sources=("eco2mix", "open_meteo"),
        **SEPTEMBER,
        SOURCES__ECO2MIX__BASE_URL=drip,
        SOURCES__ECO2MIX__TIMEOUT_SECONDS="2",
        SOURCES__ECO2MIX__HTTP_RETRIES="1",
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    url = f"{drip}/api/explore/v2.1/catalog/datasets/eco2mix-regional-cons-def/exports/csv"
    assert re.fullmatch(
        re.escape(f"error: Cannot fetch {url} (its body was not whole 2 s after the request, ")
        + r"\d bytes by then: timeout_seconds bounds the whole answer\) after retries: check "
        r"your network, or run `make demo` for the offline chain on sample data\.",
        result.stderr.strip(),
    ), result.stderr
    assert "  eco2mix: failed, see the error below" in result.stdout
    assert "  open_meteo: open_meteo_hourly " in result.stdout
    assert elapsed < 60
    assert warehouse.scalar("select count(*) from raw.open_meteo_hourly") > 0
    assert not list((warehouse.workdir / "raw" / "csv").rglob("*"))


def test_open_meteo_has_the_overall_deadline_too(make_warehouse, drip):
    warehouse = make_warehouse()
    result = warehouse.extract(
        check=False,
        sources=("open_meteo",),
        **SEPTEMBER,
        SOURCES__OPEN_METEO__BASE_URL=drip,
        SOURCES__OPEN_METEO__FORECAST_BASE_URL=drip,
        SOURCES__OPEN_METEO__TIMEOUT_SECONDS="1.5",
        SOURCES__OPEN_METEO__ATTEMPTS="2",
        SOURCES__OPEN_METEO__BACKOFF_SECONDS="0.1",
    )
    assert result.returncode == 1
    assert "failed 2 times (last: its body was not whole 1.5 s after the request" in (result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1


# --- full and read-only disks ----------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_names_the_path_removes_the_part_file_and_keeps_what_was_loaded(
    make_warehouse,
):
    warehouse = make_warehouse()
    warehouse.extract(**SEPTEMBER)
    before = warehouse.fingerprint()
    folder = warehouse.workdir / "raw" / "csv" / "eco2mix" / "eco2mix-regional-cons-def"
    partial = folder / "2024-10.csv.part"
    partial.symlink_to("/dev/full")  # every write into it: ENOSPC, as on a full disk
    result = warehouse.extract(check=False, **TWO_MONTHS)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: Cannot write {partial} (No space left on device): free some space on that "
        f"disk, then re-run; every file landed and loaded before is kept."
    )
    assert not partial.exists() and not partial.is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == ["2024-09.csv"]
    assert warehouse.fingerprint() == before
    warehouse.extract(**TWO_MONTHS)  # space again: the run goes on from there
    assert warehouse.duplicate_keys() == 0


def test_a_read_only_disk_names_the_path_and_leaves_no_part_file(tmp_path, monkeypatch):
    from extract import landing

    def read_only(fd: int) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(landing.os, "fsync", read_only)
    target = tmp_path / "csv" / "2024-10.csv"
    with pytest.raises(landing.SourceError) as raised:
        landing.write_atomically(target, b"a;b\n")
    assert str(raised.value) == (
        f"Cannot write {target}.part (Read-only file system): make that folder writable (or "
        f"point WATTLAKE_LANDING_DIR at one), then re-run; every file landed and loaded before "
        f"is kept."
    )
    assert list(target.parent.iterdir()) == []


# --- hand-downloaded files -------------------------------------------------------------------


@pytest.fixture
def downloads(tmp_path) -> tuple[Path, int]:
    """A folder holding one good hand download (two days of regional data, portal labels)."""
    folder = tmp_path / "downloads"
    rows = write_dataset(
        "eco2mix-regional-cons-def",
        folder / "good.csv",
        "2024-10-26",
        "2024-10-28",
        timezone="Europe/Paris",
        use_labels=True,
    )
    return folder, rows


def empty_file(folder: Path) -> tuple[str, str]:
    (folder / "empty.csv").write_bytes(b"")
    return "empty.csv", "is empty: download it again from the portal (CSV, delimiter ;)."


def oversized_field(folder: Path) -> tuple[str, str]:
    header, first, *_ = (folder / "good.csv").read_text(encoding="utf-8").splitlines()
    fields = first.split(";")
    fields[1] = "x" * 20_000_000  # `Région`: 20 MB on the first row
    (folder / "big.csv").write_text(f"{header}\n{';'.join(fields)}\n", encoding="utf-8")
    return "big.csv", (
        "cannot be read as an éCO2mix export (field larger than field limit (131072), in its "
        "first rows): download it again from the portal (CSV, delimiter ';'), then re-run."
    )


@pytest.mark.parametrize("spoil", [empty_file, oversized_field], ids=["empty", "oversized field"])
def test_a_bad_hand_download_is_named_in_one_line_and_the_others_load(
    make_warehouse, downloads, spoil
):
    folder, rows = downloads
    name, reason = spoil(folder)
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(folder))
    result = warehouse.extract(check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {folder / name} {reason}"
    assert warehouse.sql("select distinct _source_file from raw.eco2mix_regional") == [
        ("csv/eco2mix/local/good.csv",)
    ]
    assert warehouse.scalar("select count(*) from raw.eco2mix_regional") == rows


def test_duplicate_keys_in_one_file_are_a_warning_and_the_last_line_wins(make_warehouse, downloads):
    folder, rows = downloads
    good = folder / "good.csv"
    header, first, *rest = good.read_text(encoding="utf-8").splitlines()
    fields = first.split(";")
    fields[6] = "123456"  # `Consommation (MW)`: the later lines say otherwise
    again = ";".join(fields)
    good.write_text("\n".join([header, first, *rest, again, again]) + "\n", encoding="utf-8")
    warehouse = make_warehouse(SOURCES__ECO2MIX__LOCAL_PATH=str(folder))
    result = warehouse.extract()
    assert result.stderr.strip() == (
        "warning: csv/eco2mix/local/good.csv repeats the key (code_insee_region, date_heure) "
        "of an earlier line on 2 line(s): of each key, the last line of the file is kept"
    )
    assert warehouse.scalar("select count(*) from raw.eco2mix_regional") == rows
    assert warehouse.duplicate_keys() == 0
    kept = warehouse.sql(
        "select consommation, _source_row from raw.eco2mix_regional where _source_row in"
        " (1, %s, %s)",
        (rows + 1, rows + 2),
    )
    assert kept == [("123456", rows + 2)]
