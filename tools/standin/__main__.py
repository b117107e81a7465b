"""Run the stand-in in the foreground: `python -m tools.standin --port 8765`."""

from __future__ import annotations

import argparse
import signal
import sys
from functools import partial
from types import FrameType

from tools.standin.faults import EXPORT_FAULTS, METEO_FAULTS, check_faults
from tools.standin.server import StandinServer


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.standin",
        description="Local stand-in for ODRÉ éCO2mix exports and the Open-Meteo APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--today",
        default=None,
        help="YYYY-MM-DD the stand-in takes as today (default $WATTLAKE_STANDIN_TODAY or today)",
    )
    parser.add_argument("--cons-def-lag-days", type=int, default=35)
    parser.add_argument("--real-time-days", type=int, default=60)
    parser.add_argument(
        "--fail-rate", type=float, default=0.0, help="fraction of API calls answered 429/503"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault draws")
    scripts = (("meteo", "Open-Meteo", METEO_FAULTS), ("export", "éCO2mix export", EXPORT_FAULTS))
    for option, source, known in scripts:
        parser.add_argument(
            f"--{option}-faults",
            type=partial(_faults, known=known),
            default=[],
            help=f"comma-separated script of {source} answers, one per {source} request, "
            f"then normal ones (any of {', '.join(known)})",
        )
    parser.add_argument(
        "--empty-months",
        type=lambda text: [month for month in text.split(",") if month.strip()],
        default=[],
        help="comma-separated Paris months without rows, answered header-only on every run: "
        "YYYY-MM (every dataset) or dataset:YYYY-MM",
    )
    parser.add_argument(
        "--minute-limit",
        type=float,
        default=None,
        help="weighted Open-Meteo calls allowed per rolling minute; past it, the minutely 429 "
        "without Retry-After (default: no limit)",
    )
    parser.add_argument(
        "--eras",
        action="store_true",
        help="serve each period with the columns, labels and missing-value markers its files "
        "had then (default: today's full schema for every period, as the real API does)",
    )
    parser.add_argument(
        "--fault-delay",
        type=float,
        default=3.0,
        dest="fault_delay_s",
        metavar="FAULT_DELAY",
        help="seconds a `timeout` or `slow` fault waits before answering (default 3)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv)


def _faults(text: str, known: tuple[str, ...]) -> list[str]:
    faults = [fault.strip() for fault in text.split(",") if fault.strip()]
    try:
        check_faults(faults, known)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return faults


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    options = vars(_parse(argv))  # every option but host and port is a StandinServer keyword
    host, port = options.pop("host"), options.pop("port")
    try:
        server = StandinServer((host, port), **options)
    except OSError as error:
        print(f"Cannot listen on {host}:{port} ({error}); pick another --port.")
        return 1
    except ValueError as error:
        print(f"Invalid option ({error}); see python -m tools.standin --help.")
        return 2
    signal.signal(signal.SIGTERM, _stop)
    print(f"wattlake stand-in serving on {server.base_url} (today={server.today})", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
