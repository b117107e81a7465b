"""The sources: one module each, exposing a dlt source named `<module>_source`.

`python -m extract` runs every module found here that has one (helper modules have none), so a
source scaffolded by `make new-source` needs no registration.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

BUILT_IN = ("eco2mix", "open_meteo")  # run first, in this order


def discover() -> dict[str, Callable]:
    """{name: dlt source function} for every module of this package that defines one."""
    names = sorted(module.name for module in pkgutil.iter_modules(__path__))
    found = {}
    for name in [*BUILT_IN, *(name for name in names if name not in BUILT_IN)]:
        source = getattr(importlib.import_module(f"{__name__}.{name}"), f"{name}_source", None)
        if source is not None:
            found[name] = source
    return found
