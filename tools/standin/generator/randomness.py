"""Counter-based randomness: the same keys always give the same numbers.

A vectorised splitmix64 hash of (stream, place key, time index) gives uniforms, then normals
(Box-Muller). Value noise interpolates hashed normals between knots with a smoothstep: smooth
random series whose value at an instant does not depend on the range that was asked for.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)

# Stream identifiers: one per random quantity, so quantities are independent.
(
    S_SYNOPTIC, S_SNAP, S_HEAT, S_T_LOCAL, S_T_LOCAL_SLOW, S_T_YEAR, S_CLOUD_NAT,
    S_CLOUD_LOC, S_WIND_NAT, S_WIND_LOC, S_RAIN, S_ELEV, S_CONS, S_CONS_WHITE,
    S_NUC_NAT, S_NUC_REG, S_HYDRO, S_HYDRO_YEAR, S_BIO, S_FORECAST_J1, S_FORECAST_J,
    S_BORDER, S_ORDER, S_RIVER,
) = range(101, 125)  # fmt: skip


def _u64(value: np.ndarray | int) -> np.ndarray:
    array = np.atleast_1d(np.asarray(value))
    if array.dtype == np.uint64:
        return array
    return array.astype(np.int64).view(np.uint64)


def hash_bits(*keys: np.ndarray | int) -> np.ndarray:
    """splitmix64 chained over the keys (broadcast): the same keys always give the same bits."""
    state = np.zeros(1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for key in keys:
            x = (state ^ _u64(key)) + _GOLDEN
            x = (x ^ (x >> np.uint64(30))) * _MUL1
            x = (x ^ (x >> np.uint64(27))) * _MUL2
            state = x ^ (x >> np.uint64(31))
    return state


def uniform(*keys: np.ndarray | int) -> np.ndarray:
    """Uniform in (0, 1)."""
    return ((hash_bits(*keys) >> np.uint64(11)).astype(np.float64) + 0.5) * (2.0**-53)


def normal(*keys: np.ndarray | int) -> np.ndarray:
    """Standard normal (Box-Muller on two hashed uniforms)."""
    u1 = uniform(*keys, 1)
    u2 = uniform(*keys, 2)
    return np.asarray(np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2))


def value_noise(stream: int, key: np.ndarray | int, t: np.ndarray, step: float) -> np.ndarray:
    """Smooth unit-variance noise: hashed normals on knots every `step` units of t."""
    position = t / step
    knot = np.floor(position).astype(np.int64)
    frac = position - knot
    weight = frac * frac * (3.0 - 2.0 * frac)
    left = normal(stream, key, knot)
    right = normal(stream, key, knot + 1)
    return np.asarray(
        (left * (1.0 - weight) + right * weight) / np.sqrt((1.0 - weight) ** 2 + weight**2)
    )
