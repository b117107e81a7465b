"""RTE éCO2mix consumption and production, from ODRÉ's CSV exports, as a dlt source.

Remote: each dataset is fetched in month chunks (`fetch`); local: files a user downloaded by
hand from the portal (`[sources.eco2mix] local_path`, a file or a folder) are copied unchanged
to the landing zone. Either way the landed file is loaded as-is (every value as text, null
markers included, `parse`) into `raw.eco2mix_regional` or `raw.eco2mix_national` (or their
`_tr` real-time tables), merged on (region or perimeter, `date_heure`) (`load`; how keys
merge: docs/architecture.md, step 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dlt
from dlt.extract import DltResource

from extract import http
from extract.landing import SourceError, file_sha256, relative
from extract.sources import report
from extract.sources.eco2mix.fetch import (
    DATASETS,
    Month,
    check_datasets,
    fetch_month,
    land_local,
    local_files,
    local_landing_path,
    months,
    needs_fetch,
)
from extract.sources.eco2mix.load import TableWrites, empty_month_warnings, load_landed
from extract.sources.eco2mix.parse import (
    TABLES,
    Table,
    column_names,
    header_check,
    read_header,
    table_for,
)


@dlt.source(name="eco2mix")
def eco2mix_source(
    base_url: str = dlt.config.value,
    start_date: str = dlt.config.value,
    end_date: str = "",
    datasets: list[str] = dlt.config.value,
    local_path: str = "",
    refresh_days: int = 45,
    real_time_days: int = 62,
    http_retries: int = 5,
    http_backoff_s: float = 1.0,
    timeout_seconds: float = 120.0,
) -> list[DltResource]:
    """One resource per dataset (remote), or per table for hand-downloaded files (local_path).

    `start_date` and `end_date` are Paris days; `end_date` empty means up to today (exclusive
    bound). The real-time `-tr` datasets only hold recent weeks, so they are fetched from
    `real_time_days` ago at most. A landed file that cannot be read is skipped and reported,
    the others load. A month answered with a header only is not landed (the next run asks
    again); inside the period already loaded it is a warning.
    """
    if local_path:
        files = local_files(Path(local_path).expanduser())
        return [local_resource(files, table) for table in TABLES]
    today = dt.date.today()
    start = dt.date.fromisoformat(start_date)
    end = dt.date.fromisoformat(end_date) if end_date else today + dt.timedelta(days=1)
    check_datasets(datasets)
    client = http.Client(retries=http_retries, backoff_s=http_backoff_s, timeout_s=timeout_seconds)
    return [
        dataset_resource(
            client,
            base_url.rstrip("/"),
            dataset,
            months(dataset, start, end, today, real_time_days),
            (today, refresh_days),
        )
        for dataset in datasets
    ]


def dataset_resource(
    client: http.Client,
    base_url: str,
    dataset: str,
    chunks: list[Month],
    settled: tuple[dt.date, int],
) -> DltResource:
    """A dataset's months, each fetched unless settled (`settled`: today, refresh_days)."""
    table_name, key = DATASETS[dataset]

    @dlt.resource(
        name=dataset.replace("-", "_"),
        table_name=table_name,
        primary_key=key,
        write_disposition="merge",
    )
    def monthly() -> Iterator[object]:
        writes = TableWrites(table_name)
        empty: list[Month] = []
        for month in chunks:
            landed = month.covering()
            if needs_fetch(month, *settled):
                replaced = fetch_month(client, base_url, month)
                if replaced is None:
                    empty.append(month)  # not landed: asked again next run
                else:
                    landed = month.path
                    writes.replace([relative(path) for path in replaced], relative(landed))
            if landed:
                yield from load_landed(landed, key, writes)
        for warning in empty_month_warnings(empty, writes, base_url):
            report("warnings", warning)

    return monthly


def local_resource(files: list[Path], table: Table) -> DltResource:
    """The hand downloads that belong to one table (the file itself says which)."""
    table_name, key = table

    @dlt.resource(
        name=f"{table_name}_local",
        table_name=table_name,
        primary_key=key,
        write_disposition="merge",
    )
    def hand_downloads() -> Iterator[object]:
        writes = TableWrites(table_name)
        for source in files:
            if readable_table(source) != table:
                continue
            digest = file_sha256(source)
            landed = local_landing_path(source)
            if writes.loaded.get(relative(landed)) == digest and landed.exists():
                report("unchanged_files", relative(landed))
                continue
            yield from load_landed(land_local(source), key, writes, digest)

    return hand_downloads


def readable_table(source: Path) -> Table | None:
    """The table a hand download belongs to, or None (reported) when it cannot be read."""
    try:
        header = read_header(source)
        header_check(header, str(source))
        return table_for(source, column_names(header))
    except UnicodeDecodeError:
        report(
            "bad_files",
            f"{source} is not UTF-8 text: download it again from the portal "
            f"(CSV, delimiter ';'), then re-run.",
        )
    except SourceError as error:
        report("bad_files", str(error))
    return None
