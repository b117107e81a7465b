"""Command line: `python -m extract [eco2mix] [open_meteo] [--check-network]` (`make extract`)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

import dlt

from extract import config_check, lake, lock, warehouse
from extract.landing import LANDING_DIR, SourceError, check_reachable
from extract.pipeline import SOURCES, StepSummary, run_source, target


def configured_urls() -> list[str]:
    return [
        dlt.config["sources.eco2mix.base_url"],
        dlt.config["sources.open_meteo.base_url"],
        dlt.config["sources.open_meteo.forecast_base_url"],
    ]


def check_same_origin(base_url: str) -> None:
    """Never mix the demo's synthetic files with real ones in one landing zone and warehouse."""
    marker = LANDING_DIR / ".origin"
    if marker.exists() and marker.read_text().strip() != base_url:
        raise SourceError(
            f"{LANDING_DIR} holds data fetched from {marker.read_text().strip()}, not {base_url}: "
            f"run `make reset` to start again from an empty warehouse."
        )
    LANDING_DIR.mkdir(parents=True, exist_ok=True)
    marker.write_text(base_url + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract", description=__doc__)
    parser.add_argument("sources", nargs="*", help=f"any of {', '.join(SOURCES)} (default: all)")
    parser.add_argument(
        "--check-network",
        action="store_true",
        help="first check that every configured service answers, and stop at once if not",
    )
    args = parser.parse_args(argv)
    # Errors end in one line of ours; dlt's own log (tracebacks of failed jobs) stays quiet
    # unless asked for: RUNTIME__LOG_LEVEL=WARNING python -m extract
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "CRITICAL")
    unknown = sorted(set(args.sources) - set(SOURCES))
    if unknown:
        parser.error(f"unknown source {', '.join(unknown)}: choose from {', '.join(SOURCES)}")
    try:
        where = target()
        config_check.check(SOURCES, args.sources or list(SOURCES))
    except (config_check.ConfigError, lake.TargetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        if args.check_network:
            for url in configured_urls():
                check_reachable(url)
        if not lake.enabled():  # the lake needs no database
            warehouse.wait_until_ready(timeout_s=5)
        with lock.hold():
            check_same_origin(dlt.config["sources.eco2mix.base_url"])
            print(f"Loading into {where.describe()}.", flush=True)
            summaries = [run_one(name) for name in args.sources or SOURCES]
    except lock.LockBusy as busy:
        print(f"error: {busy}", file=sys.stderr)
        return lock.BUSY_EXIT
    except (SourceError, warehouse.WarehouseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("\nExtract summary")
    for summary in summaries:
        print(f"  {summary}")
    for line in [line for summary in summaries for line in summary.warnings]:
        print(f"warning: {line}", file=sys.stderr)
    errors = [line for summary in summaries for line in (summary.error, *summary.bad_files)]
    for line in filter(None, errors):  # every other file is loaded; these are retried next run
        print(f"error: {line}", file=sys.stderr)
    return 1 if any(errors) else 0


def run_one(name: str) -> StepSummary:
    """One source's run; its failure is reported, and the next source runs all the same."""
    started = time.monotonic()
    try:
        return run_source(name)
    except (SourceError, warehouse.WarehouseError) as error:
        print(f"{name}: failed", flush=True)
        return StepSummary(name, {}, time.monotonic() - started, error=str(error))


if __name__ == "__main__":
    # With no .dlt/secrets.toml, dlt's first config read imports Streamlit to look for its
    # secrets; this command never runs inside Streamlit. (None in sys.modules blocks an import.)
    sys.modules.setdefault("streamlit", None)  # type: ignore[arg-type]  # typeshed: modules only
    code = main()
    # Python's last garbage collection at exit walks every object dlt left alive; the process
    # ends now, so nothing is left for it to free.
    gc.freeze()
    sys.exit(code)
