"""Shared fixtures: paths, the real captures in ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
REAL_SAMPLES = PROJECT_DIR.parent / "shared" / "real-samples"


@pytest.fixture
def real_samples() -> Path:
    if not REAL_SAMPLES.is_dir():
        pytest.skip("../shared/real-samples is absent (it is not part of the project)")
    return REAL_SAMPLES


@pytest.fixture
def landing(tmp_path, monkeypatch) -> Path:
    """A private landing zone, so tests never touch data/raw/."""
    import extract.landing
    import extract.sources.eco2mix
    import extract.sources.open_meteo

    for module in (extract.landing, extract.sources.eco2mix, extract.sources.open_meteo):
        monkeypatch.setattr(module, "LANDING_DIR", tmp_path)
    return tmp_path
