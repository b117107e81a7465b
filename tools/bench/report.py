"""What both benchmarks report: a figure against its target, a run's figures, and the generated
part of a page (between its two marker lines), rewritten without touching the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figure:
    step: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    detail: str = ""
    previous_target: str = ""  # the target this one replaced


@dataclass
class Report:
    size: str
    period: str
    machine: str
    started_at: str
    server: str
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        flag = "" if figure.met is None else (" ok" if figure.met else " MISSED")
        target = f"  (target {figure.target}){flag}" if figure.target else ""
        print(f"  {figure.step}: {figure.value:,.2f} {figure.unit}{target}", flush=True)
        return figure


def markers(start: str, end: str) -> re.Pattern[str]:
    """The generated part of a page: from its `start` line to its `end` line."""
    return re.compile(rf"^{re.escape(start)}\n.*?^{re.escape(end)}$", re.DOTALL | re.MULTILINE)


def check_page(page: Path, start: str, end: str) -> None:
    """Stop before measuring anything if the page cannot take the figures between its markers."""
    if page.exists() and len(markers(start, end).findall(page.read_text(encoding="utf-8"))) != 1:
        raise SystemExit(
            f"bench: {page} needs one `{start}` line, then one `{end}` line, around the "
            f"generated part: put them back."
        )


def rewrite_between(page: Path, text: str, start: str, end: str, new_page: str) -> None:
    """Replace what lies between a page's markers by `text` (`new_page` if there is no page)."""
    check_page(page, start, end)
    old = page.read_text(encoding="utf-8") if page.exists() else new_page
    block = f"{start}\n{text}{end}"
    page.write_text(markers(start, end).sub(lambda _: block, old, count=1), encoding="utf-8")
