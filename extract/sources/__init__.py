"""The sources: one package each, `extract/sources/<name>/`, whose `__init__.py` exposes a dlt
source named `<name>_source`. `python -m extract` runs every one found here (the built-in ones
first), so a source scaffolded by `make new-source` needs no registration.

How a source reports to the runner besides its rows: while a resource runs, it calls
`report(kind, line)`; the runner collects the lines of each extract (`with collecting() as
found: pipeline.extract(...)`) and puts them in the run's summary. Kinds:
- "bad_files": a landed file that cannot be read, skipped (the file and the fix, one line);
- "unchanged_files": a landed file whose content is already loaded, skipped (its name);
- "deferred_files": a file left for another load (it shares keys with a file of this load):
  the runner loads again;
- "warnings": an answer not kept, although the run goes on.
A source that reports nothing runs all the same; outside `collecting()` (a resource iterated
by hand, in a test) a line goes nowhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

BUILT_IN = ("eco2mix", "open_meteo")  # run first, in this order
Kind = Literal["bad_files", "unchanged_files", "deferred_files", "warnings"]


def discover() -> dict[str, Callable]:
    """{name: dlt source function} for every package (or module) here that defines one."""
    names = sorted(module.name for module in pkgutil.iter_modules(__path__))
    found = {}
    for name in [*BUILT_IN, *(name for name in names if name not in BUILT_IN)]:
        source = getattr(importlib.import_module(f"{__name__}.{name}"), f"{name}_source", None)
        if source is not None:
            found[name] = source
    return found


@dataclass
class Report:
    """What the resources reported during one extract, by kind (see the module docstring)."""

    bad_files: list[str] = field(default_factory=list)
    unchanged_files: list[str] = field(default_factory=list)
    deferred_files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_collecting: list[Report] = []  # the report of the extract in progress, if any (any thread)


def report(kind: Kind, line: str) -> None:
    """Tell the runner something about this load (call it from inside a resource)."""
    if _collecting:
        getattr(_collecting[-1], kind).append(line)


@contextmanager
def collecting() -> Iterator[Report]:
    """The lines the resources report while the block runs (the runner wraps each extract)."""
    found = Report()
    _collecting.append(found)
    try:
        yield found
    finally:
        _collecting.remove(found)
