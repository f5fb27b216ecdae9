"""Benchmarks for :mod:`defi_helpers.risk`: vectorised numpy against plain Python loops.

``run()`` times

* the liquidation cascade (:func:`defi_helpers.risk.simulate_cascade`) on a
  population of 100,000 positions, against :func:`cascade_python`, the same
  algorithm written as loops over the positions;
* the Monte Carlo (:func:`defi_helpers.risk.monte_carlo_liquidation`) for
  100,000 paths x 365 daily steps, against :func:`monte_carlo_python`, the
  same estimator written as a loop over paths and steps with ``random.gauss``.
  If the pure-Python loop would take more than ~30 s, it is timed on a
  subsample of paths and extrapolated linearly; the result says so.

Run: ``python tests/benchmarks/bench_risk.py`` (prints a table) or call ``run()``.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np

from defi_helpers import risk

__all__ = ["run", "cascade_python", "monte_carlo_python"]

_PY_BUDGET_S = 30.0


def cascade_python(collateral_amount, debt_usd, price, shock, pool_depth_usd,
                   liquidation_threshold=0.83, liquidation_bonus=0.05, pool_fee=0.003,
                   sell_fraction=1.0, max_rounds=500, tol=1e-9):
    """:func:`defi_helpers.risk.simulate_cascade` written as plain Python loops.

    Returns ``(prices, bad_debt_usd)``: the reference the vectorised version is
    tested and timed against.
    """
    q = [float(x) for x in collateral_amount]
    d = [float(x) for x in debt_usd]
    k = pool_depth_usd * (pool_depth_usd / price)
    p = price * (1.0 - shock)
    base, quote = math.sqrt(k / p), math.sqrt(k * p)
    prices = [p]
    bad = 0.0
    for _ in range(max_rounds):
        sold = 0.0
        any_liq = False
        for i in range(len(q)):
            if d[i] <= 0 or q[i] <= tol:
                continue
            hf = q[i] * p * liquidation_threshold / d[i]
            if hf >= 1.0:
                continue
            any_liq = True
            cover = d[i] * (0.5 if hf > 0.95 else 1.0)
            want = cover * (1.0 + liquidation_bonus) / p
            if want > q[i]:
                seized, repaid = q[i], q[i] * p / (1.0 + liquidation_bonus)
            else:
                seized, repaid = want, cover
            q[i] -= seized
            d[i] -= repaid
            if q[i] <= tol and d[i] > 0:
                bad += d[i]
                d[i] = 0.0
                q[i] = 0.0
            sold += seized
        if not any_liq:
            break
        sell = sell_fraction * sold
        if sell > 0:
            eff = sell * (1.0 - pool_fee)
            out = eff * quote / (base + eff)
            base, quote = base + sell, quote - out
            p = min(p, quote / base)
        prices.append(p)
    return prices, bad


def monte_carlo_python(health_factor, sigma, days, n_paths, mu=0.0, seed=0):
    """The Monte Carlo estimator of :func:`defi_helpers.risk.monte_carlo_liquidation`
    as a loop over paths and daily steps (``random.gauss``; Brownian-bridge
    first passage). Returns ``(prob_terminal, prob_first_passage)``."""
    rng = random.Random(seed)
    n_steps = max(1, round(days))
    dt = days / 365.0 / n_steps
    drift, vol = (mu - 0.5 * sigma ** 2) * dt, sigma * math.sqrt(dt)
    b = -math.log(health_factor)
    two_over = 2.0 / (sigma ** 2 * dt)
    hits_t = 0
    fp = 0.0
    for _ in range(n_paths):
        x = 0.0
        log_stay = 0.0
        below = False
        for _ in range(n_steps):
            prev = x
            x += drift + vol * rng.gauss(0.0, 1.0)
            if x < b:
                below = True
            elif not below:
                log_stay += math.log1p(-math.exp(-two_over * (prev - b) * (x - b)))
        hits_t += x < b
        fp += 1.0 if below else -math.expm1(log_stay)
    return hits_t / n_paths, fp / n_paths


def _time(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def run(n_paths: int = 100_000, days: int = 365, n_positions: int = 100_000) -> dict:
    """Time the vectorised models against their pure-Python loops.

    Returns
    -------
    dict
        Seconds for each implementation, the speed-ups, and for the Monte
        Carlo whether the Python time was extrapolated from a subsample
        (``mc_python_extrapolated``, ``mc_python_paths_timed``).
    """
    hf, sigma = 1.25, 0.8
    res: dict = {"mc_paths": n_paths, "mc_steps": days, "cascade_positions": n_positions}

    # --- Monte Carlo -----------------------------------------------------
    t_np, mc = _time(risk.monte_carlo_liquidation, hf, sigma, days, n_paths=n_paths, seed=0,
                     progress=False)
    res["mc_numpy_s"] = t_np
    res["mc_numpy_prob_first_passage"] = mc.prob_first_passage
    res["mc_closed_form_first_passage"] = float(risk.prob_liquidation_first_passage(hf, sigma, days))
    probe = max(200, min(n_paths, 2_000))
    t_probe, _ = _time(monte_carlo_python, hf, sigma, days, probe, seed=0)
    estimate = t_probe * n_paths / probe
    if estimate > _PY_BUDGET_S and probe < n_paths:
        res["mc_python_s"] = estimate
        res["mc_python_extrapolated"] = True
        res["mc_python_paths_timed"] = probe
    else:
        t_py, _ = _time(monte_carlo_python, hf, sigma, days, n_paths, seed=0)
        res["mc_python_s"] = t_py
        res["mc_python_extrapolated"] = False
        res["mc_python_paths_timed"] = n_paths
    res["mc_speedup"] = res["mc_python_s"] / t_np

    # --- Cascade ---------------------------------------------------------
    q, d = risk.sample_positions(n_positions, 2e9, 2_000.0, seed=0)
    args = (q, d, 2_000.0, 0.2, 1.5e9)
    t_np, cas = _time(risk.simulate_cascade, *args)
    t_py, (prices, _bad) = _time(cascade_python, *args)
    res["cascade_numpy_s"] = t_np
    res["cascade_python_s"] = t_py
    res["cascade_speedup"] = t_py / t_np
    res["cascade_rounds"] = cas.rounds
    res["cascade_same_result"] = bool(np.allclose(cas.prices, prices, rtol=1e-12))
    return res


if __name__ == "__main__":  # pragma: no cover
    for key, value in run().items():
        print(f"{key:32s} {value:.4g}" if isinstance(value, float) else f"{key:32s} {value}")
