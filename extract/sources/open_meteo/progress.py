"""What a run tells its user: its price and length before it starts, how far it got every few
seconds, and why it stopped."""

from __future__ import annotations

import datetime as dt
import time

from extract.sources.open_meteo.budget import Budget, BudgetExhausted, format_duration, simulate
from extract.sources.open_meteo.plan import Chunk


def announce(
    chunks: list[Chunk], to_fetch: list[Chunk], budget: Budget, start: dt.date, end: dt.date
) -> None:
    """Before anything is fetched: what the run will cost, and how long pacing makes it."""
    cost = sum(chunk.cost for chunk in to_fetch)
    groups = chunks[0].group[1] if chunks else 0
    points = sum(len(c.points) for c in chunks[:groups])
    fits, seconds = simulate([c.cost for c in to_fetch], budget.limits, budget)
    line = (
        f"open_meteo: {start} → {end} (exclusive), {points} points in {groups} groups: "
        f"{len(to_fetch)} of {len(chunks)} requests to make, {cost:,.1f} API calls "
        f"(at most {max((c.cost for c in to_fetch), default=0):.1f} per request); "
        f"budget {budget.limits} ({budget.spent(86400):,.0f} used in the last 24 h)"
    )
    if fits < len(to_fetch):
        line += (
            f"; only {fits} requests fit in today's budget: this run stops there and the next "
            f"run resumes"
        )
    elif to_fetch:
        line += f"; about {format_duration(seconds)}"
    print(line + ".", flush=True)


class Progress:
    """How far the run got, every few seconds, and why it stopped."""

    def __init__(self, to_fetch: list[Chunk], every_s: float) -> None:
        self.total = len(to_fetch)
        self.total_cost = sum(c.cost for c in to_fetch)
        self.done = 0
        self.cost = 0.0
        self.every_s = every_s
        self.started = self.last = time.monotonic()

    def advance(self, chunk: Chunk) -> None:
        self.done += 1
        self.cost += chunk.cost
        now = time.monotonic()
        if now - self.last >= self.every_s or self.done == self.total:
            self.last = now
            elapsed = now - self.started
            left = elapsed / self.done * (self.total - self.done)
            print(
                f"open_meteo: {self.done}/{self.total} requests ({self.cost:,.1f} of "
                f"{self.total_cost:,.1f} calls), last {chunk.describe()}; "
                f"{format_duration(elapsed)} elapsed, about {format_duration(left)} left.",
                flush=True,
            )

    def stopped(self, stop: BudgetExhausted) -> None:
        print(
            f"open_meteo: stopped cleanly: {stop}; {self.done} of {self.total} requests done and "
            f"kept, {self.total - self.done} left: run the extract again after "
            f"{stop.resume_at:%Y-%m-%d %H:%M} UTC to resume.",
            flush=True,
        )

    def finished(self) -> None:
        if self.total == 0:
            print("open_meteo: every chunk is already landed; nothing to fetch.", flush=True)
