"""What the SciPy sides of `npm run bench` (scipy_bench.py) and `npm run validate`
(scipy_baselines.py) share: the robust objective of our fitter (Huber, delta 1e-3, on log
residuals), its start grid ranked on <= 64 evenly spaced points, and the refinement of the best
starts with `scipy.optimize.least_squares`.

Imported by those two scripts (they run with bench/ as sys.path[0]); exits with code 3, naming the
script, when numpy/scipy are missing (Debian: apt-get install -y python3-scipy).
"""
import os
import sys

try:
    import numpy as np
    import scipy
    from scipy.optimize import least_squares
except ImportError:
    sys.stderr.write(f"{os.path.splitext(os.path.basename(sys.argv[0]))[0]}: numpy/scipy not installed\n")
    sys.exit(3)

__all__ = ["np", "scipy", "least_squares", "DELTA", "GRID_POINTS", "REFINE", "huber", "huber_sum",
           "bounds_arrays", "grid_array", "subsample", "refine"]

DELTA = 1e-3
GRID_POINTS = 64
REFINE = 5


def huber(r):
    """Huber loss of each residual, delta DELTA (as src/core/fit's robust objective)."""
    a = np.abs(r)
    return np.where(a <= DELTA, 0.5 * r * r, DELTA * (a - 0.5 * DELTA))


def huber_sum(r):
    return np.sum(huber(r), axis=-1)


def bounds_arrays(bounds):
    """[(lower, upper), ...] -> (lo, hi) arrays."""
    return np.array([b[0] for b in bounds], float), np.array([b[1] for b in bounds], float)


def grid_array(grids):
    """The start grid (the product of each parameter's values, last parameter fastest), one row a start."""
    mesh = np.meshgrid(*[np.asarray(g, float) for g in grids], indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def subsample(n):
    """Indices of <= GRID_POINTS evenly spaced points of n, on which the start grid is ranked (as our fitter)."""
    if n <= GRID_POINTS:
        return np.arange(n)
    return np.floor(np.arange(GRID_POINTS) * (n / GRID_POINTS)).astype(int)


def refine(resid, starts, lo, hi, score, skip_failures=False, **options):
    """least_squares(resid, ...) from each start (moved strictly inside the bounds, which it needs);
    the solution with the lowest score(p). With skip_failures a start that raises is skipped (as
    ours does) and None is returned when none is left. `options` go to least_squares."""
    best = None
    span = hi - lo
    for p0 in starts:
        p0 = np.clip(p0, lo + 1e-9 * span, hi - 1e-9 * span)
        try:
            res = least_squares(resid, p0, bounds=(lo, hi), method="trf", **options)
        except Exception:  # noqa: BLE001 - see skip_failures
            if not skip_failures:
                raise
            continue
        F = score(res.x)
        if best is None or F < best[0]:
            best = (F, res.x)
    return None if best is None else best[1]
