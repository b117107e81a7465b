"""`make spark-thrift` (`python -m tools.spark_thrift`): a local Spark Thrift Server, for trying
dbt's `thrift` method (docs/scale-out.md) on this machine before a cluster.

It is pyspark's own HiveThriftServer2, started with `spark-submit` from the pyspark wheel, with
the settings the `session` method puts in profiles.yml: UTC session time zone, dynamic
partition overwrite, `local[2]`, and its warehouse and Derby metastore under
WATTLAKE_SPARK_DIR. It listens on 127.0.0.1:SPARK_THRIFT_PORT (default 10000) without
authentication (NOSASL), so it is for this machine only. dbt then uses it when
SPARK_THRIFT_HOST is set:

    SPARK_THRIFT_HOST=127.0.0.1 DBT_TARGET=spark make transform
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
START_TIMEOUT_S = 240


def command(port: int, state_dir: Path, driver_memory: str = "3g") -> list[str]:
    """The spark-submit command line of a local Thrift server keeping its state in state_dir."""
    submit = shutil.which("spark-submit", path=str(Path(sys.executable).parent))
    if submit is None:
        raise SystemExit("error: spark-submit not found beside Python: run `make setup-spark`.")
    settings = {
        "spark.master": "local[2]",
        "spark.driver.memory": driver_memory,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.warehouse.dir": f"{state_dir}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={state_dir}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={state_dir}",
        "spark.ui.enabled": "false",
    }
    hive = {
        "hive.server2.thrift.bind.host": "127.0.0.1",
        "hive.server2.thrift.port": str(port),
        "hive.server2.authentication": "NOSASL",
    }
    return [
        submit,
        "--class",
        SERVER_CLASS,
        *(part for key, value in settings.items() for part in ("--conf", f"{key}={value}")),
        *(part for key, value in hive.items() for part in ("--hiveconf", f"{key}={value}")),
        "spark-internal",
    ]


def environment() -> dict[str, str]:
    """This Python's bin folder first: spark-submit finds its Spark home with the `python3` on
    PATH, which must be the one that has pyspark."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def wait_until_listening(port: int, server: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the Spark Thrift server exited with code {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the Spark Thrift server did not listen on port {port} in {timeout_s:.0f} s"
                ) from None
            time.sleep(1)


@contextmanager
def running(port: int, state_dir: Path, log: Path, driver_memory: str = "3g") -> Iterator[None]:
    """A Thrift server for the duration of the block, its output in `log`; stopped after."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        server = subprocess.Popen(
            command(port, state_dir, driver_memory),
            cwd=state_dir,  # Spark writes derby.log and spark-warehouse next to its cwd
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment(),
            start_new_session=True,
        )
        try:
            wait_until_listening(port, server, START_TIMEOUT_S)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("SPARK_THRIFT_PORT", "10000"))
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("WATTLAKE_SPARK_DIR", ".local/spark")).resolve(),
    )
    args = parser.parse_args(argv)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    print(f"Spark Thrift server on 127.0.0.1:{args.port}, state in {args.state_dir} (Ctrl+C stops)")
    try:
        return subprocess.call(
            command(args.port, args.state_dir), cwd=args.state_dir, env=environment()
        )
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
