#!/usr/bin/env python3
"""SciPy side of `npm run bench` (bench/run.ts): the same fits as ours, the same work, timed here.

Input (JSON file, written by bench/run.ts):
  chinchilla: points (params, tokens, loss), the law's start grid and bounds (fit space:
              e, a, b, alpha, beta), and the 200 bootstrap resamples as index lists (the very
              draws our engine makes: stratified by model size, seeded PRNG).
  curve:      a 30,000-step log, the drop-first fraction and thinning size, the power law's grid
              and bounds (e, a, alpha), and the moving-block start offsets of each resample.
Work per fit, as ours: score the whole start grid on <= 64 evenly spaced points, refine the 5 best
with `least_squares(loss='huber', f_scale=1e-3)` on log residuals (analytic Jacobian, like ours),
keep the best, then refit every resample warm-started from it. The Chinchilla side also repeats
our leave-largest-out check (a second grid fit without the largest run).
Output: JSON with times (median of repeats, ms) and the fitted parameters.
Exit code 3 when numpy/scipy are missing (Debian: apt-get install -y python3-scipy).
"""
import json
import math
import sys
import time

from scipy_common import DELTA, REFINE, bounds_arrays, grid_array, huber_sum, np, refine, scipy, subsample


# Chinchilla in fit space p = (e, a, b, alpha, beta): L = exp(a - alpha lnN) + exp(b - beta lnD) + exp(e)
def chin_pred(p, lnN, lnD):
    e, a, b, alpha, beta = p
    return np.exp(a - alpha * lnN) + np.exp(b - beta * lnD) + np.exp(e)


def chin_fit(lnN, lnD, lnL, lo, hi, starts):
    def resid(p):
        return np.log(chin_pred(p, lnN, lnD)) - lnL

    def jac(p):
        e, a, b, alpha, beta = p
        t1 = np.exp(a - alpha * lnN)
        t2 = np.exp(b - beta * lnD)
        f = t1 + t2 + np.exp(e)
        return np.stack([np.full_like(lnN, np.exp(e)), t1, t2, -lnN * t1, -lnD * t2], axis=1) / f[:, None]

    return refine(resid, starts, lo, hi, lambda p: huber_sum(resid(p)), jac=jac, loss="huber", f_scale=DELTA)


def chinchilla(spec):
    pts = spec["points"]
    lnN = np.log([q["params"] for q in pts])
    lnD = np.log([q["tokens"] for q in pts])
    lnL = np.log([q["loss"] for q in pts])
    lo, hi = bounds_arrays(spec["bounds"])
    G = np.clip(grid_array(spec["grid"]), lo, hi)

    def fit_from_grid(lnN, lnD, lnL):
        idx = subsample(len(lnL))
        e, a, b, alpha, beta = (G[:, j:j + 1] for j in range(5))
        pred = np.exp(a - alpha * lnN[idx]) + np.exp(b - beta * lnD[idx]) + np.exp(e)
        F = huber_sum(np.log(pred) - lnL[idx])
        order = np.argsort(F)[:REFINE]
        return chin_fit(lnN, lnD, lnL, lo, hi, G[order])

    best = fit_from_grid(lnN, lnD, lnL)
    # Ours also refits without the largest run (largest N*D) for its leave-largest-out check.
    keep = np.arange(len(lnL)) != int(np.argmax(lnN + lnD))
    fit_from_grid(lnN[keep], lnD[keep], lnL[keep])
    samples = []
    for idx in spec["resamples"]:
        idx = np.asarray(idx, int)
        samples.append(chin_fit(lnN[idx], lnD[idx], lnL[idx], lo, hi, [best]))
    return best, samples


# Power law in steps, fit space p = (e, a, alpha): L = exp(a - alpha ln t) + exp(e)
def power_fit(lnT, lnY, lo, hi, starts):
    def resid(p):
        return np.log(np.exp(p[1] - p[2] * lnT) + np.exp(p[0])) - lnY

    def jac(p):
        t = np.exp(p[1] - p[2] * lnT)
        E = np.exp(p[0])
        f = t + E
        return np.stack([np.full_like(lnT, E), t, -lnT * t], axis=1) / f[:, None]

    return refine(resid, starts, lo, hi, lambda p: huber_sum(resid(p)), jac=jac, loss="huber", f_scale=DELTA)


def curve(spec):
    steps = np.asarray(spec["steps"], float)
    losses = np.asarray(spec["losses"], float)
    ok = (steps > 0) & (losses > 0)
    steps, losses = steps[ok], losses[ok]
    cutoff = steps[0] + spec["dropFirstFraction"] * (steps[-1] - steps[0])
    keep = steps >= cutoff
    steps, losses = steps[keep], losses[keep]
    # Thin to <= maxPoints by averaging consecutive chunks (mean step, geometric-mean loss).
    chunk = math.ceil(len(steps) / spec["maxPoints"])
    n = math.ceil(len(steps) / chunk)
    group = np.arange(len(steps)) // chunk
    counts = np.bincount(group, minlength=n)
    tS = np.bincount(group, weights=steps, minlength=n) / counts
    lnY = np.bincount(group, weights=np.log(losses), minlength=n) / counts
    lnT = np.log(tS)
    lo, hi = bounds_arrays(spec["bounds"])
    G = np.clip(grid_array(spec["grid"]), lo, hi)
    sub = subsample(len(lnT))
    pred = np.exp(G[:, 1:2] - G[:, 2:3] * lnT[sub]) + np.exp(G[:, 0:1])
    F = huber_sum(np.log(pred) - lnY[sub])
    best = power_fit(lnT, lnY, lo, hi, G[np.argsort(F)[:REFINE]])
    fitted = np.log(np.exp(best[1] - best[2] * lnT) + np.exp(best[0]))
    resid = lnY - fitted
    L = spec["blockLength"]
    samples = []
    for starts in spec["blockStarts"]:
        # Circular blocks (they wrap around the end), as bootstrap.ts's movingBlockResample.
        r = np.concatenate([resid[(s + np.arange(L)) % len(resid)] for s in starts])[: len(resid)]
        samples.append(power_fit(lnT, fitted + r, lo, hi, [best]))
    return best, samples, len(lnT)


def timed(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2], out


def main():
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    repeats = int(spec.get("repeats", 3))
    result = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}}
    ms, (best, samples) = timed(lambda: chinchilla(spec["chinchilla"]), repeats)
    result["chinchilla"] = {"ms": ms, "best": best.tolist(), "resamples": len(samples)}
    ms, (best, samples, n) = timed(lambda: curve(spec["curve"]), repeats)
    result["curve"] = {"ms": ms, "best": best.tolist(), "resamples": len(samples), "points": n}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
