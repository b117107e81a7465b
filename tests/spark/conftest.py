"""Big-data mode's tests (`make test-spark`): they need pyspark and Java (`make setup-spark`).
Without them these tests are not collected at all, so a plain `make test` is unchanged; `make
test` leaves them to `make test-spark` anyway (they start JVMs: minutes on 2 cores)."""

from __future__ import annotations

import importlib.util
import shutil

if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
    collect_ignore_glob = ["test_*.py"]
