"""éCO2mix months cut short by a run's dates: a later run asking for more days of a settled
month fetches it again, whole, and ends with the raw rows of one clean run; a month a landed
file covers is not fetched again (`Month.covering`, `needs_fetch` in extract/sources/eco2mix).

Every test works in its own PostgreSQL database, landing zone and dlt state folder, against the
module's stand-in (`make_warehouse` in tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.extract import test_eco2mix_load
from tests.helpers import Warehouse, exports_requested

PERIOD = test_eco2mix_load.PERIOD
# the reference, one uninterrupted run over PERIOD, shared with the loading tests
clean_run = test_eco2mix_load.clean_run
DATASETS = ("eco2mix-national-cons-def", "eco2mix-regional-cons-def")
WHOLE = ["2024-10.csv", "2024-11.csv"]


def landed(warehouse: Warehouse) -> dict[str, list[str]]:
    folder = warehouse.workdir / "raw" / "csv" / "eco2mix"
    return {
        dataset: sorted(path.name for path in (folder / dataset).iterdir()) for dataset in DATASETS
    }


def month_asked(path: str) -> str:
    """The first day an export request asks for (`date_heure >= '2024-11-01T00:00:00+01:00'`)."""
    return path.split("date_heure+%3E%3D+%27")[1][:10]


@pytest.mark.parametrize(
    ("cut", "partial", "refetched"),
    [
        ({"SOURCES__END_DATE": "2024-11-15"}, "2024-11-01_2024-11-14.csv", "2024-11-01"),
        ({"SOURCES__START_DATE": "2024-10-10"}, "2024-10-10_2024-10-31.csv", "2024-10-01"),
    ],
    ids=["end-mid-month", "start-mid-month"],
)
def test_a_month_cut_short_then_asked_whole_equals_a_clean_run(
    make_warehouse, standin, clean_run, cut, partial, refetched
):
    warehouse = make_warehouse(**PERIOD)
    warehouse.extract(**cut)
    assert all(partial in names for names in landed(warehouse).values()), landed(warehouse)
    since = len(standin.request_log)
    warehouse.extract()
    # the cut month, and only it, is fetched again, whole, for both datasets
    assert sorted(month_asked(path) for path in exports_requested(standin, since)) == [
        refetched,
        refetched,
    ]
    assert warehouse.fingerprint() == clean_run
    assert warehouse.duplicate_keys() == 0
    # the partial file was replaced: the landing zone is that of one clean run
    assert landed(warehouse) == dict.fromkeys(DATASETS, WHOLE)
    again = warehouse.extract()
    assert "nothing new to load" in again.stdout


def test_a_settled_whole_month_is_not_fetched_again_for_fewer_days(make_warehouse, standin):
    warehouse = make_warehouse(**PERIOD)
    warehouse.extract()
    before, files = warehouse.fingerprint(), landed(warehouse)
    for cut in ({"SOURCES__END_DATE": "2024-11-15"}, {"SOURCES__START_DATE": "2024-10-10"}, {}):
        since = len(standin.request_log)
        result = warehouse.extract(**cut)
        assert exports_requested(standin, since) == [], cut  # the whole months cover those days
        assert "nothing new to load" in result.stdout
    assert warehouse.fingerprint() == before
    assert landed(warehouse) == files == dict.fromkeys(DATASETS, WHOLE)


def moving_start(today: dt.date) -> int:
    """A `real_time_days` whose first day is inside a month (not its first or last day)."""
    return next(days for days in range(40, 60) if 2 <= (today - dt.timedelta(days)).day <= 27)


def test_a_real_time_month_whose_start_moves_is_not_fetched_again_once_settled(
    make_warehouse, standin
):
    """The `-tr` datasets start `real_time_days` before today, a day later every day: once
    settled, their first month is covered by the file landed the day before."""
    today = dt.date.today()
    days = moving_start(today)
    first = today - dt.timedelta(days)
    month_end = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    warehouse = make_warehouse(
        SOURCES__ECO2MIX__DATASETS='["eco2mix-national-tr"]',
        SOURCES__START_DATE="2024-01-01",
        SOURCES__END_DATE=str(month_end),  # only that first month
        SOURCES__ECO2MIX__REFRESH_DAYS=str((today - month_end).days),  # settled
    )
    since = len(standin.request_log)
    warehouse.extract(SOURCES__ECO2MIX__REAL_TIME_DAYS=str(days))
    assert [month_asked(path) for path in exports_requested(standin, since)] == [str(first)]
    before = warehouse.fingerprint()
    assert before["eco2mix_national_tr"][0] > 0
    folder = warehouse.workdir / "raw" / "csv" / "eco2mix" / "eco2mix-national-tr"
    files = sorted(path.name for path in folder.iterdir())
    assert files == [f"{first}_{month_end - dt.timedelta(days=1)}.csv"]
    since = len(standin.request_log)
    result = warehouse.extract(SOURCES__ECO2MIX__REAL_TIME_DAYS=str(days - 1))  # "tomorrow"
    assert exports_requested(standin, since) == []
    assert "nothing new to load" in result.stdout
    assert sorted(path.name for path in folder.iterdir()) == files
    assert warehouse.fingerprint() == before
