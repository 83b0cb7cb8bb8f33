#!/usr/bin/env python3
"""Plain SciPy baselines for `npm run validate` (scripts/validate.ts).

Each task repeats one of our fits with textbook SciPy: the same data, the same law in the same
fit-space parameterisation, the same start grid and bounds (sent by the caller), scored by the
same robust objective (Huber, delta 1e-3, on log residuals) but solved with
`scipy.optimize.least_squares(loss='huber', f_scale=1e-3)` (numeric Jacobian) from the five best
grid points; fits with priors (as the engine's schedule-aware curve fits) minimise the same
objective with its priors, written as plain least squares (see `fit_law_with_priors`). IsoFLOP parabolas are `numpy.polyfit`; Step Law surfaces `numpy.linalg.lstsq`.

Usage: /usr/bin/python3 bench/scipy_baselines.py tasks.json   -> JSON on stdout
Exit code 3 when numpy/scipy are missing (Debian: apt-get install -y python3-scipy).
"""
import json
import math
import sys
import time

from scipy_common import DELTA, REFINE, bounds_arrays, grid_array, huber, np, refine, scipy, subsample

MAX_BLOCKS = 50  # as src/core/laws/multipower.ts (MAX_BLOCKS): the same block sums
LN6 = math.log(6.0)

# Fallback grids of the monomial laws (src/core/laws/monomial.ts) when a task sends none.
MONO_C_GRID = [-20, -10, -5, 0, 5, 10]
MONO_E_GRID = [-1, -0.5, 0, 0.5, 1]


# ------------------------------------------------------------------------------------------
# Schedules for the schedule-aware laws, built as src/core/laws/schedule.ts does.

class Schedule:
    def __init__(self, steps, lrs, total):
        steps = np.asarray(steps, float)
        lrs = np.asarray(lrs, float)
        order = np.argsort(steps, kind="stable")
        steps, lrs = steps[order], lrs[order]
        T = int(total)
        s = np.arange(T + 1, dtype=float)
        lr = np.interp(s, steps, lrs)  # linear between logged points, clamped at both ends
        lr[0] = lr[1]
        self.lr = lr
        self.T = T
        self.prefix = np.concatenate([[0.0], np.cumsum(lr[1:])])
        # warmupEnd: first step where the LR reaches its maximum.
        best = 1
        for k in range(1, T + 1):
            if lr[k] > lr[best] * (1 + 1e-12):
                best = k
        W = best
        size = max(1, math.ceil((T - W) / MAX_BLOCKS))
        ks, drops, lns = [], [], []
        for k0 in range(W, T, size):
            k1 = min(T, k0 + size)
            drop = lr[k0] - lr[k1]
            if drop != 0 and lr[k1] > 0:
                ks.append(k1)
                drops.append(drop)
                lns.append(math.log(lr[k1]))
        self.block_step = np.array(ks, dtype=int)
        self.block_drop = np.array(drops)
        self.block_lnlr = np.array(lns)


def multipower_model(schedules):
    def f(p, X):
        l0, a, alpha, b, c, beta, gamma = p
        out = np.empty(len(X))
        j_all = X[:, 1].astype(int)
        for j in np.unique(j_all):
            sel = j_all == j
            sch = schedules[j]
            t = np.clip(np.rint(X[sel, 0]).astype(int), 1, sch.T)
            s1 = sch.prefix[t]
            val = math.exp(l0) + np.exp(a - alpha * np.log(s1))
            if len(sch.block_step):
                k = sch.block_step
                # points x blocks; only blocks at or before t count
                sk = sch.prefix[t][:, None] - sch.prefix[k - 1][None, :]
                mask = k[None, :] <= t[:, None]
                x = np.exp(-gamma * sch.block_lnlr)[None, :] * np.where(mask, sk, 0.0)
                g = 1.0 - np.power(1.0 + math.exp(c) * x, -beta)
                ld = math.exp(b) * np.sum(np.where(mask, sch.block_drop[None, :] * g, 0.0), axis=1)
                val = val - ld
            out[sel] = val
        return out
    return f


def law_model(name, schedules=None):
    if name == "power":
        return lambda p, X: np.exp(p[1] - p[2] * np.log(X[:, 0])) + math.exp(p[0])
    if name == "chinchilla":
        return lambda p, X: np.exp(p[1] - p[3] * np.log(X[:, 0])) + np.exp(p[2] - p[4] * np.log(X[:, 1])) + math.exp(p[0])
    if name == "overtrain":
        def f(p, X):
            e, a, b, eta = p
            lnM = np.log(X[:, 1])
            lnC = LN6 + lnM + 2 * np.log(X[:, 0])
            return math.exp(e) + np.exp(a + eta * (lnM - lnC)) + np.exp(b - eta * (lnM + lnC))
        return f
    if name == "compute":
        return lambda p, X: math.exp(p[0]) + np.exp(p[2] * (p[1] - np.log(X[:, 0])))
    if name == "monomial":
        return lambda p, X: np.exp(p[0] + np.log(X) @ np.asarray(p[1:]))
    if name == "annealing":
        return lambda p, X: math.exp(p[0]) + np.exp(p[1] - p[2] * np.log(X[:, 0])) - p[3] * X[:, 1]
    if name == "multipower":
        return multipower_model(schedules)
    raise ValueError(f"unknown law {name}")


def huber_objective(f, p, X, lnY):
    with np.errstate(all="ignore"):
        pred = f(p, X)
        if not np.all(np.isfinite(pred)) or np.any(pred <= 0):
            return math.inf
        r = np.log(pred) - lnY
    return float(np.sum(huber(r)))


def ranked_starts(objective, grid, lo, hi, X, lnY):
    """The start grid, clipped to the bounds, ranked by `objective(p, X, lnY)` on <= 64 evenly spaced
    points (as our fitter does); starts with a non-finite objective are left out."""
    gi = subsample(len(X))
    Xg, lnYg = X[gi], lnY[gi]
    scored = []
    for start in grid_array(grid):
        p = np.clip(start, lo, hi)
        F = objective(p, Xg, lnYg)
        if math.isfinite(F):
            scored.append((F, p))
    scored.sort(key=lambda t: t[0])
    return [p for _, p in scored]


def prior_terms(priors):
    """Index, mean and sd arrays of Gaussian priors on fit-space parameters (empty without)."""
    if not priors:
        return np.zeros(0, int), np.zeros(0), np.ones(0)
    return (np.array([q["index"] for q in priors], int), np.array([q["mean"] for q in priors], float),
            np.array([q["sd"] for q in priors], float))


def fit_law(f, X, y, bounds, grid, priors=None, residual_scale=0.01):
    X = np.asarray(X, float)
    lnY = np.log(np.asarray(y, float))
    lo, hi = bounds_arrays(bounds)
    if priors:
        return fit_law_with_priors(f, X, lnY, lo, hi, grid, prior_terms(priors), residual_scale)
    # Rank the grid on <= 64 evenly spaced points (as our fitter does), refine the 5 best.
    starts = ranked_starts(lambda p, Xs, lnYs: huber_objective(f, p, Xs, lnYs), grid, lo, hi, X, lnY)

    def resid(p):
        with np.errstate(all="ignore"):
            pred = f(p, X)
        r = np.log(np.where(pred > 0, pred, np.nan)) - lnY
        return np.where(np.isfinite(r), r, 1e3)

    best = refine(resid, starts[:REFINE], lo, hi, lambda p: huber_objective(f, p, X, lnY), skip_failures=True,
                  loss="huber", f_scale=DELTA, max_nfev=2000)
    if best is None:
        raise RuntimeError("no start converged to a finite objective")
    return best


def fit_law_with_priors(f, X, lnY, lo, hi, grid, priors, residual_scale):
    """The same objective as our fitLaw with priors: sum of Huber(r) / (delta * s) plus
    0.5 * sum(((p_j - mu_j) / sd_j)^2). least_squares's own robust loss would also bend the prior
    residuals, so the Huber term is written as residuals sign(r) * sqrt(2 * Huber(r) / (delta * s))
    with a plain (linear) loss: half their sum of squares is the objective exactly."""
    idx, mean, sd = priors
    weight = 1.0 / (DELTA * residual_scale)

    def objective(p, Xs, lnYs):
        data = huber_objective(f, p, Xs, lnYs)
        return data * weight + 0.5 * float(np.sum(((p[idx] - mean) / sd) ** 2))

    starts = ranked_starts(objective, grid, lo, hi, X, lnY)

    def resid(p):
        with np.errstate(all="ignore"):
            pred = f(p, X)
            r = np.log(np.where(pred > 0, pred, np.nan)) - lnY
        r = np.where(np.isfinite(r), r, 1e3)
        return np.concatenate([np.sign(r) * np.sqrt(2 * huber(r) * weight), (p[idx] - mean) / sd])

    best = refine(resid, starts[:REFINE], lo, hi, lambda p: objective(p, X, lnY), skip_failures=True, max_nfev=2000)
    if best is None:
        raise RuntimeError("no start converged to a finite objective")
    return best


# ------------------------------------------------------------------------------------------
# Tasks

def task_law(task, schedules_by_key):
    schedules = None
    if task.get("schedules"):
        schedules = [schedules_by_key[k] for k in task["schedules"]]
    f = law_model(task["law"], schedules)
    p = fit_law(f, task["x"], task["y"], task["bounds"], task["grid"], task.get("priors"), task.get("residualScale", 0.01))
    pred = f(p, np.asarray(task["predict"], float)) if task["predict"] else np.array([])
    return {"params": [float(v) for v in p], "predictions": [float(v) for v in pred]}


def mono_fit(X, y, spec=None):
    k = np.asarray(X, float).shape[1]
    grid = spec["grid"] if spec else [MONO_C_GRID] + [MONO_E_GRID] * k
    bounds = spec["bounds"] if spec else [(-60, 60)] + [(-3, 3)] * k
    f = law_model("monomial")
    return f, fit_law(f, X, y, bounds, grid)


def task_isoflop(task):
    pts = task["points"]
    groups = {}
    for q in pts:
        groups.setdefault(f"{q['flops']:.3e}", []).append(q)
    verts = []
    for g in groups.values():
        lnN = np.log([q["params"] for q in g])
        if len(set(lnN)) < 3:
            continue
        c2, c1, c0 = np.polyfit(lnN, [q["loss"] for q in g], 2)
        if not c2 > 0:
            continue
        u = -c1 / (2 * c2)
        if not (lnN.min() <= u <= lnN.max()):
            continue
        verts.append((g[0]["flops"], math.exp(u), c0 + c1 * u + c2 * u * u))
    verts.sort()
    if len(verts) < 3:
        raise RuntimeError(f"only {len(verts)} bracketed budgets")
    C = np.array([[v[0]] for v in verts])
    f, p = mono_fit(C, [v[1] for v in verts], task.get("nLaw"))
    predictC = np.array([[c] for c in task["predict"]], float)
    nstar = f(p, predictC)
    loss = [None] * len(task["predict"])
    if len(verts) >= 4:
        fc = law_model("compute")
        spec = task.get("lossLaw") or {"grid": [[-2, 0, 0.5, 1], [10, 20, 30, 40, 50], [0.02, 0.05, 0.1, 0.2, 0.4]],
                                         "bounds": [(-10, 3), (-50, 150), (0.005, 2)]}
        grid, bounds = spec["grid"], spec["bounds"]
        pc = fit_law(fc, C, [v[2] for v in verts], bounds, grid)
        loss = [float(v) for v in fc(pc, predictC)]
    return {"nStar": [float(v) for v in nstar], "lossStar": loss}


def surface_optimum(lr, bs, loss):
    """As the engine's fitSweepSurface: quadratic in (ln lr, ln bs) through the runs within 2% of
    the best loss (the window doubled until it spans 3 lr and 3 batch values and 6 runs), its
    minimum clamped to the swept ranges; returns (lr*, bs*, bracketed)."""
    lr, bs, loss = (np.asarray(v, float) for v in (lr, bs, loss))

    def spans(m):
        return len(np.unique(np.round(np.log(lr[m]), 6))) >= 3 and len(np.unique(np.round(np.log(bs[m]), 6))) >= 3 and m.sum() >= 6

    sel = np.ones(len(loss), bool)
    w = 0.02
    while w < 1:
        m = loss <= loss.min() * (1 + w)
        if spans(m):
            sel = m
            break
        w *= 2
    u, v = np.log(lr[sel]), np.log(bs[sel])
    u0, v0 = u.mean(), v.mean()
    a, b = u - u0, v - v0
    A = np.stack([np.ones_like(a), a, b, a * a, b * b, a * b], axis=1)
    c = np.linalg.lstsq(A, loss[sel], rcond=None)[0]
    h11, h22, h12 = 2 * c[3], 2 * c[4], c[5]
    det = h11 * h22 - h12 * h12
    if not (h11 > 0 and det > 0):
        return None
    us = u0 + (-c[1] * h22 + c[2] * h12) / det
    vs = v0 + (-c[2] * h11 + c[1] * h12) / det
    U, V = np.log(lr), np.log(bs)
    bracketed = U.min() <= us <= U.max() and V.min() <= vs <= V.max()
    return math.exp(np.clip(us, U.min(), U.max())), math.exp(np.clip(vs, V.min(), V.max())), bracketed


def task_surface(task):
    rows = []
    for i, s in enumerate(task["settings"]):
        if i == task["holdOut"]:
            continue
        opt = surface_optimum(s["lr"], s["bs"], s["loss"])
        if opt and opt[2]:  # only bracketed optima feed the power laws, as ours
            rows.append((s["N"], s["D"], opt[0], opt[1]))
    held = task["settings"][task["holdOut"]]
    f, p = mono_fit([[r[0], r[1]] for r in rows], [r[2] for r in rows], task.get("lrLaw"))
    lr = float(f(p, np.array([[held["N"], held["D"]]], float))[0])
    fb, pb = mono_fit([[r[1]] for r in rows], [r[3] for r in rows], task.get("batchLaw"))
    bs = float(fb(pb, np.array([[held["D"]]], float))[0])
    return {"lr": lr, "bs": bs}


def main():
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    schedules = {k: Schedule(v["steps"], v["lrs"], v["total"]) for k, v in spec.get("schedules", {}).items()}
    results = {}
    for task in spec["tasks"]:
        t0 = time.perf_counter()
        c0 = time.process_time()
        try:
            if task["type"] == "law":
                out = task_law(task, schedules)
            elif task["type"] == "isoflop":
                out = task_isoflop(task)
            elif task["type"] == "surface":
                out = task_surface(task)
            else:
                raise ValueError(f"unknown task type {task['type']}")
        except Exception as e:  # noqa: BLE001 - report per task, keep going
            out = {"error": f"{type(e).__name__}: {e}"}
        out["ms"] = (time.perf_counter() - t0) * 1000
        out["cpuMs"] = (time.process_time() - c0) * 1000  # CPU: wall time on a shared machine says little
        results[task["id"]] = out
    json.dump({"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
