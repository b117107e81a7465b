"""Open-Meteo's free tier as a budget: what a request costs, and pacing that stays inside it.

The free tier counts weighted calls per IP per minute, hour and day; a request for many points
and weeks counts as many calls. A run is priced before it starts, paced, and stopped cleanly
when a window is spent. The ledger of calls is a file, so runs share one budget.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extract.landing import SourceError

WINDOWS = (("minute", 60.0), ("hour", 3600.0), ("day", 86400.0))
ADJECTIVES = {"minute": "per-minute", "hour": "hourly", "day": "daily", "pace": "pacing"}


def request_cost(variables: int, days: int, locations: int) -> float:
    """Weighted calls of one request, as Open-Meteo counts them (documented approximation)."""
    return max(variables / 10, 1.0) * max(days / 14, 1.0) * locations


@dataclass(frozen=True)
class Limits:
    """Calls allowed per rolling window, and how long a run may wait for a window to free up."""

    per_minute: float = 480
    per_hour: float = 4000
    per_day: float = 9000
    max_wait_s: float = 3900

    def of(self, window: str) -> float:
        return {"minute": self.per_minute, "hour": self.per_hour, "day": self.per_day}[window]

    def __str__(self) -> str:
        if math.isinf(self.per_minute):
            return "off (pacing = off)"
        return f"{self.per_minute:,.0f}/min, {self.per_hour:,.0f}/h, {self.per_day:,.0f}/day"


class BudgetExhausted(Exception):
    """A window is spent for longer than the run may wait: stop cleanly, resume next run."""

    def __init__(self, reason: str, resume_at: dt.datetime) -> None:
        super().__init__(reason)
        self.resume_at = resume_at


@dataclass
class Budget:
    """Rolling-window accounting of weighted calls, persisted one line per request.

    `acquire(cost)` blocks until the request fits every window and the previous request's share
    of the per-minute rate has elapsed (smooth pacing, no bursts), then records it.
    """

    limits: Limits
    ledger: Path | None = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    say: Callable[[str], None] = print
    entries: list[tuple[float, float]] = field(default_factory=list)
    _next_at: float = 0.0

    def __post_init__(self) -> None:
        if self.ledger is not None and self.ledger.exists():
            horizon = self.clock() - WINDOWS[-1][1]
            for line in self.ledger.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                try:
                    stamp, cost = float(parts[0]), float(parts[1])
                except (IndexError, ValueError):
                    continue  # a line cut by a killed run: ignore it
                if stamp > horizon:
                    self.entries.append((stamp, cost))

    def spent(self, seconds: float, now: float | None = None) -> float:
        """Calls recorded in the last `seconds`."""
        now = self.clock() if now is None else now
        return sum(cost for stamp, cost in self.entries if stamp > now - seconds)

    def wait_needed(self, cost: float, now: float) -> tuple[float, str]:
        """Seconds to wait before `cost` fits, and the window that imposes it."""
        wait, reason = max(self._next_at - now, 0.0), "pace"
        for window, seconds in WINDOWS:
            limit = self.limits.of(window)
            if cost > limit:
                raise SourceError(
                    f"One Open-Meteo request costs {cost:.1f} calls, more than calls_per_{window} "
                    f"({limit:,.0f}): lower [sources.open_meteo] max_request_cost."
                )
            recent = sorted((s, c) for s, c in self.entries if s > now - seconds)
            excess = sum(c for _, c in recent) + cost - limit
            for stamp, spent in recent:
                if excess <= 1e-9:
                    break
                excess -= spent  # this entry leaves the window at stamp + seconds
                if stamp + seconds - now > wait:
                    wait, reason = stamp + seconds - now, window
        return wait, reason

    def acquire(self, cost: float) -> None:
        """Wait for room for `cost` calls, or raise BudgetExhausted if that would take too long."""
        while True:
            now = self.clock()
            wait, window = self.wait_needed(cost, now)
            if wait <= 0:
                break
            if wait > self.limits.max_wait_s:
                resume = dt.datetime.fromtimestamp(now + wait, dt.UTC).replace(microsecond=0)
                raise BudgetExhausted(
                    f"the {ADJECTIVES[window]} budget of {self.limits.of(window):,.0f} calls "
                    f"(calls_per_{window}) is spent",
                    resume,
                )
            if window != "pace" and wait >= 5:
                spent = self.spent(dict(WINDOWS)[window], now)
                self.say(
                    f"open_meteo: {spent:,.0f} calls in the last {window} (limit "
                    f"{self.limits.of(window):,.0f}): waiting {format_duration(wait)}."
                )
            self.sleep(wait)
        self.record(now, cost)
        self._next_at = now + cost * 60.0 / self.limits.per_minute

    def record(self, stamp: float, cost: float) -> None:
        """Count a call at once, on disk too, so a killed run's calls still count."""
        self.entries.append((stamp, cost))
        horizon = stamp - WINDOWS[-1][1]
        if self.entries[0][0] <= horizon:
            self.entries = [entry for entry in self.entries if entry[0] > horizon]
        if self.ledger is not None:
            self.ledger.parent.mkdir(parents=True, exist_ok=True)
            with open(self.ledger, "a", encoding="utf-8") as handle:
                handle.write(f"{stamp:.3f} {cost:.3f}\n")
                handle.flush()
                os.fsync(handle.fileno())


def simulate(
    costs: Iterable[float], limits: Limits, spent: Budget | None = None
) -> tuple[int, float]:
    """(requests that fit before a clean budget stop, seconds they take) on a simulated clock.

    Used to print the run's duration before it starts; pacing is the same code as the run's.
    """
    clock = [time.time()]
    budget = Budget(
        limits,
        clock=lambda: clock[0],
        sleep=lambda s: clock.__setitem__(0, clock[0] + s),
        say=lambda _: None,
        entries=list(spent.entries) if spent else [],
    )
    started, done = clock[0], 0
    for cost in costs:
        try:
            budget.acquire(cost)
        except BudgetExhausted:
            break
        done += 1
    return done, clock[0] - started


def format_duration(seconds: float) -> str:
    """Human duration: 45 s, 12 min, 2 h 05 min, 1 d 03 h."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{math.ceil(seconds)} s"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours:02d} h"
