"""Measuring the risks of a lending position and of a lending market.

Pure functions over numpy/pandas; no I/O and no plotting (a Monte Carlo run
may show a ``tqdm`` progress bar when asked or when long). Volatilities and
drifts are annualised, a year has 365 days, and rates, thresholds and shocks
are fractions.

* **Liquidation risk of one position** -- one volatile collateral priced by a
  geometric Brownian motion, a stable debt: :func:`prob_liquidation_terminal`,
  :func:`prob_liquidation_first_passage`, checked by the vectorised Monte Carlo
  :func:`monte_carlo_liquidation`; value at risk :func:`var_gbm`; the trade of
  yield for safety :func:`hf_buffer_tradeoff`.
* **Liquidation cascades** -- :func:`simulate_cascade` runs a population of
  positions (:func:`sample_positions`) through Aave-style liquidations whose
  collateral is sold into a constant-product pool, to a fixed point.
* **Oracles** -- :func:`push_oracle` (deviation threshold + heartbeat) and
  :func:`aggregate_oracle` (median of sources with a spread check).
* **Bad debt and stress tests** -- :func:`bad_debt_usd`, :func:`looped_position`,
  :func:`stress_test_position`.

The liquidation probabilities are textbook results for geometric Brownian
motion, not protocol code: a model of the price, with its known blind spots
(no jumps, constant volatility, continuous trading). The chapter says so.

References
----------
Aave v3 semantics via :mod:`defi_helpers.collateral` (``aave/aave-v3-core``,
``GenericLogic.sol`` and ``LiquidationLogic.sol``).
J. C. Hull, *Options, Futures, and Other Derivatives*, ch. on barrier options
(first-passage probability of a drifted Brownian motion).
P. Glasserman, *Monte Carlo Methods in Financial Engineering*, Springer (2004),
section 6.4 "Extremes and Barrier Crossings: Brownian Interpolation" -- the
Brownian-bridge crossing probability used by :func:`monte_carlo_liquidation`.
M. Broadie, P. Glasserman, S. Kou, "A continuity correction for discrete
barrier options", *Mathematical Finance* 7 (1997) -- the size of the gap between
discrete and continuous monitoring (corrected there by shifting the barrier).
Perez, Werner, Xu, Livshits, "Liquidations: DeFi on a Knife-edge", FC 2021;
Qin, Zhou, Gamito, Jovanovic, Gervais, "An Empirical Study of DeFi Liquidations", IMC 2021.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from ._validate import Bool, Domain, Finite, Int, Opt, Real, check_array, check_same_length, contract

__all__ = [
    "DAYS_PER_YEAR", "prob_liquidation_terminal", "prob_liquidation_first_passage",
    "var_gbm", "monte_carlo_liquidation", "MonteCarloResult", "simulate_gbm_paths",
    "hf_buffer_tradeoff", "sample_positions", "simulate_cascade", "CascadeResult",
    "push_oracle", "aggregate_oracle", "bad_debt_usd", "looped_position",
    "stress_test_position", "CHAINLINK_ETH_USD_HEARTBEAT_S",
]

#: Days in a year, as in Aave's ``SECONDS_PER_YEAR = 365 days``.
DAYS_PER_YEAR = 365.0
#: Chainlink ETH/USD (Ethereum mainnet) heartbeat, 3,600 s: the feed updates at
#: least hourly. Quoted by integrators (sherlock-audit 2023-04-jojo-judging #449;
#: kestra "chainlink-price-feed-staleness-guard" blueprint), read 2025; check
#: data.chain.link for the current value. Its deviation threshold (0.5 % is often
#: quoted) is not verified here.
CHAINLINK_ETH_USD_HEARTBEAT_S = 3_600

_AUTO_PROGRESS_DRAWS = 20_000_000   # show a progress bar from 20 M normal draws up
#: Largest Monte Carlo run (normal draws, ``n_paths * n_steps``): about 20 s.
MAX_DRAWS = 100_000_000
#: Draws held in memory at once by :func:`monte_carlo_liquidation` (a chunk is cut to fit): 32 MB.
_CHUNK_ELEMENTS = 4_000_000
#: Largest number of chunks a run may be cut into (a smaller ``chunk_paths`` only slows it down).
_MAX_CHUNKS = 10_000

_SIGMA_WHY = "annualised volatility as a fraction: 0.8 means 80 %"
_HF = Real(lo=0, lo_open=True, allow_inf=True, why="HF = collateral x LT / debt; inf when there is no debt")
_SIGMA = Real(lo=0, lo_open=True, why=_SIGMA_WHY)
_DAYS = Real(lo=0, lo_open=True, why="a horizon in days")
_MU = Real(why="annualised drift of the price")
_PRICE = Real(lo=0, lo_open=True, scalar=True, why="a price in USD")
_LT = Real(lo=0, hi=1, lo_open=True, scalar=True, why="a liquidation threshold as a fraction")
_BONUS = Real(lo=0, hi=1, hi_open=True, scalar=True, why="a liquidation bonus as a fraction: 0.05 = 5 %")
_SEED = Int(lo=0, why="the seed of numpy.random.default_rng")


class _Vector(Domain):
    """A 1-D array of finite floats (one value per round or per path), converted to ``ndarray``."""

    type_text = "1-D array of float"

    def __init__(self, lo=None, lo_open=False, empty_ok=False, integer=False, example=(1.0,)):
        self.lo, self.lo_open, self.empty_ok, self.integer = lo, lo_open, empty_ok, integer
        self._example = example

    def check(self, name, value):
        if value is None or isinstance(value, (str, bytes)) or np.ndim(value) != 1:
            raise ValueError(f"{name} must be a 1-D array ({self.describe()}); got {str(value)[:60]!r}")
        if len(value) == 0 and self.empty_ok:
            return np.zeros(0, dtype=int if self.integer else float)
        arr = check_array(name, value, lo=self.lo, lo_open=self.lo_open)
        if self.integer:
            if np.any(arr != np.floor(arr)) or np.any(np.abs(arr) > 2**53):
                raise ValueError(f"{name} must hold whole numbers; got {str(value)[:60]}")
            return arr.astype(int)
        return arr

    def describe(self):
        what = "whole numbers" if self.integer else "finite numbers"
        bound = "" if self.lo is None else f" {'>' if self.lo_open else '>='} {self.lo:g}"
        return f"a 1-D array of {what}{bound}" + (", possibly empty" if self.empty_ok else "")

    def example(self):
        return np.array(self._example, dtype=int if self.integer else float)


def _gbm_args(health_factor, sigma, days, mu):
    """Converted arguments (the contract checked them) and the log-price drift and barrier."""
    hf, sig, m = np.asarray(health_factor), np.asarray(sigma), np.asarray(mu)
    t = np.asarray(days) / DAYS_PER_YEAR
    nu = m - 0.5 * sig ** 2                 # drift of log-price
    with np.errstate(divide="ignore"):
        b = -np.log(hf)                      # barrier in log-price: HF < 1 <=> log(P_T/P_0) < b
    return hf, sig, t, nu, b


@contract(health_factor=_HF, sigma=_SIGMA, days=_DAYS, mu=_MU)
def prob_liquidation_terminal(health_factor, sigma, days, mu=0.0):
    """Probability that the health factor is below 1 at the end of the horizon.

    With one collateral whose price follows a geometric Brownian motion and a
    stable debt, ``HF_t = HF_0 * P_t / P_0``, so ``HF_T < 1`` exactly when
    ``log(P_T / P_0) < b = -log(HF_0)``::

        P = Phi((b - nu T) / (sigma sqrt(T))),   nu = mu - sigma^2 / 2,  T = days / 365.

    This ignores paths that dip below 1 and recover -- which a liquidator
    would not ignore; see :func:`prob_liquidation_first_passage`.

    Parameters
    ----------
    health_factor : float or array of float
        Current HF, {domain:health_factor} (``inf`` for a debt-free position gives 0).
    sigma : float or array of float
        Annualised volatility of the collateral price (0.8 = 80 %), {domain:sigma}.
    days : float or array of float
        Horizon in days, {domain:days}.
    mu : float or array of float, default 0
        Annualised drift of the price, {domain:mu}.

    Returns
    -------
    float or numpy.ndarray
        Probability in [0, 1].

    Examples
    --------
    >>> round(prob_liquidation_terminal(1.25, 0.8, 30), 4)
    0.1954

    References
    ----------
    Lognormal terminal distribution of geometric Brownian motion (Hull,
    *Options, Futures, and Other Derivatives*); HF linear in price from
    aave/aave-v3-core GenericLogic.sol.
    """
    hf, sig, t, nu, b = _gbm_args(health_factor, sigma, days, mu)
    with np.errstate(invalid="ignore"):
        z = (b - nu * t) / (sig * np.sqrt(t))
    return np.where(np.isinf(hf), 0.0, special.ndtr(z))


@contract(health_factor=_HF, sigma=_SIGMA, days=_DAYS, mu=_MU)
def prob_liquidation_first_passage(health_factor, sigma, days, mu=0.0):
    """Probability that the health factor touches 1 at any time within the horizon.

    The first-passage (barrier) probability of a Brownian motion with drift
    ``nu`` through the level ``b = -log(HF_0) < 0``::

        P = Phi((b - nu T)/(sigma sqrt T)) + exp(2 nu b / sigma^2) Phi((b + nu T)/(sigma sqrt T)).

    With ``mu = 0`` the factor ``exp(2 nu b / sigma^2)`` is simply ``HF_0``.
    The ratio to :func:`prob_liquidation_terminal` is exactly
    ``1 + exp(2 nu b / sigma^2) Phi((b + nu T)/(sigma sqrt T)) / Phi((b - nu T)/(sigma sqrt T))``:
    exactly 2 at every horizon when the log-price has no drift (``nu = 0``, the
    reflection principle) and tending to 2 as ``T -> 0`` for any drift, but
    below 2 (falling towards 1 as ``T`` grows) when ``nu < 0`` -- the case
    ``mu = 0`` -- and above 2 when ``nu > 0``. At HF 1.25 and ``sigma = 0.8``
    with ``mu = 0`` it is 1.89 over 30 days and 1.57 over 365. A position
    already at ``HF <= 1`` returns 1. Always ``>=`` :func:`prob_liquidation_terminal`.
    The second term is computed in logs so extreme drifts do not overflow;
    where its log is ``inf - inf`` (a vanishing ``sigma``: the path is
    deterministic) the term is 0, its limit (its log tends to
    ``-(b - nu T)**2 / (2 sigma**2 T)``).

    Parameters
    ----------
    health_factor : float or array of float
        {domain:health_factor}; as in :func:`prob_liquidation_terminal`.
    sigma : float or array of float
        {domain:sigma}.
    days : float or array of float
        {domain:days}.
    mu : float or array of float, default 0
        {domain:mu}.

    Returns
    -------
    float or numpy.ndarray
        Probability in [0, 1].

    Examples
    --------
    >>> round(prob_liquidation_first_passage(1.25, 0.8, 30), 4)
    0.3684

    References
    ----------
    Hull, *Options, Futures, and Other Derivatives*, barrier options
    (down-and-in probability); Broadie, Glasserman & Kou (1997) for the gap
    between this continuous result and daily monitoring (a barrier shift), and
    Glasserman (2004), section 6.4, for the Brownian-bridge correction that
    :func:`monte_carlo_liquidation` uses instead.
    """
    hf, sig, t, nu, b = _gbm_args(health_factor, sigma, days, mu)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        st = sig * np.sqrt(t)
        first = special.ndtr((b - nu * t) / st)
        log_second = 2.0 * nu * b / sig ** 2 + special.log_ndtr((b + nu * t) / st)
        log_second = np.where(np.isnan(log_second), -np.inf, log_second)
        p = np.clip(first + np.exp(log_second), 0.0, 1.0)
    p = np.where(hf <= 1.0, 1.0, p)
    return np.where(np.isinf(hf), 0.0, p)


@contract(value=Real(lo=0, why="a market value in USD"), sigma=_SIGMA, days=_DAYS,
          confidence=Real(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True, why="a probability: 0.99 means 99 %"),
          mu=_MU)
def var_gbm(value, sigma, days, confidence=0.99, mu=0.0):
    """Value at risk of a holding whose price follows geometric Brownian motion.

    The loss not exceeded with probability ``confidence`` over ``days``::

        VaR = V * (1 - exp(nu T - sigma sqrt(T) z)),   z = Phi^-1(confidence).

    Parameters
    ----------
    value : float or array of float
        Market value of the holding now, in USD, {domain:value}.
    sigma : float or array of float
        Annualised volatility, {domain:sigma}.
    days : float or array of float
        Horizon in days, {domain:days}.
    confidence : float, default 0.99
        {domain:confidence}.
    mu : float or array of float, default 0
        Annualised drift, {domain:mu}.

    Returns
    -------
    float or numpy.ndarray
        The VaR in USD (a positive number is a loss; with a large positive
        drift it can be negative, a gain even in the bad case).

    Examples
    --------
    >>> round(var_gbm(10_000, 0.8, 1), 2)
    936.14

    References
    ----------
    Lognormal quantile of geometric Brownian motion (Hull, ch. "Value at Risk").
    """
    sig, t = np.asarray(sigma), np.asarray(days) / DAYS_PER_YEAR
    z = special.ndtri(confidence)
    return value * (1.0 - np.exp((mu - 0.5 * sig ** 2) * t - sig * np.sqrt(t) * z))


_PROB = Real(lo=0, hi=1, scalar=True, why="a probability")
_SE = Real(lo=0, scalar=True, why="a standard error")


@contract(prob_terminal=_PROB, se_terminal=_SE, prob_first_passage=_PROB, se_first_passage=_SE,
          prob_discrete=_PROB, n_paths=Int(lo=2), n_steps=Int(lo=1), seed=_SEED,
          terminal_log_return=_Vector())
@dataclass(frozen=True)
class MonteCarloResult:
    """Liquidation probabilities estimated by :func:`monte_carlo_liquidation`.

    Checked on construction: probabilities in [0, 1], standard errors >= 0,
    ``terminal_log_return`` a 1-D array of finite numbers.
    """

    prob_terminal: float
    """Share of paths with HF < 1 at the horizon."""
    se_terminal: float
    """Its standard error, ``sqrt(p (1-p) / n)``."""
    prob_first_passage: float
    """Probability that HF touches 1 within the horizon (continuous monitoring
    via the Brownian-bridge correction, or discrete if ``bridge=False``)."""
    se_first_passage: float
    """Standard error of ``prob_first_passage``."""
    prob_discrete: float
    """Share of paths whose HF was below 1 at one of the step dates (daily
    checks by default): always <= the continuous probability."""
    n_paths: int
    n_steps: int
    seed: int
    terminal_log_return: np.ndarray
    """``log(P_T / P_0)`` of every path (for histograms and Monte Carlo VaR)."""


_STORED_POINTS = 5_000_000


@contract(price=_PRICE, sigma=Real(lo=0, lo_open=True, scalar=True, why=_SIGMA_WHY),
          days=Real(lo=0, lo_open=True, scalar=True, why="a horizon in days"),
          n_paths=Int(lo=1, hi=_STORED_POINTS), steps_per_day=Int(lo=1, hi=86_400, why="at most one a second"),
          mu=Real(scalar=True, why="annualised drift of the price"), seed=_SEED)
def simulate_gbm_paths(price, sigma, days, n_paths, steps_per_day=1, mu=0.0, seed=0):
    """Price paths of a geometric Brownian motion, for charts (small runs only).

    Returns an array of shape ``(n_paths, n_steps + 1)`` starting at ``price``,
    ``n_steps = max(1, round(days * steps_per_day))``.
    Exact simulation: ``log`` increments are normal with mean ``nu dt`` and
    variance ``sigma^2 dt``. Refuses more than 5 million points; use
    :func:`monte_carlo_liquidation` (chunked) for big runs.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> simulate_gbm_paths(2_000, 0.8, 30, n_paths=3, seed=1).shape
    (3, 31)
    """
    p0, sig, d, n, spd, m = price, sigma, days, n_paths, steps_per_day, mu
    n_steps = max(1, round(d * spd))
    if n * (n_steps + 1) > _STORED_POINTS:
        raise ValueError(f"n_paths x (days x steps_per_day + 1) must be <= {_STORED_POINTS:,} stored points; got "
                         f"n_paths={n:,}, days={d:g}, steps_per_day={spd:,}")
    dt = d / DAYS_PER_YEAR / n_steps
    rng = np.random.default_rng(seed)
    inc = (m - 0.5 * sig ** 2) * dt + sig * math.sqrt(dt) * rng.standard_normal((n, n_steps))
    logp = np.concatenate([np.zeros((n, 1)), np.cumsum(inc, axis=1)], axis=1)
    return p0 * np.exp(logp)


@contract(health_factor=Real(lo=1, lo_open=True, scalar=True, why="a position at HF <= 1 is already liquidatable"),
          sigma=Real(lo=0, lo_open=True, scalar=True, why=_SIGMA_WHY),
          days=Real(lo=0, lo_open=True, scalar=True, why="a horizon in days"),
          mu=Real(scalar=True, why="annualised drift of the price"),
          n_paths=Int(lo=2, hi=1_000_000), steps_per_day=Int(lo=1, hi=1_440, why="at most one a minute"),
          seed=_SEED, chunk_paths=Int(lo=1, hi=1_000_000), bridge=Bool(), progress=Opt(Bool()))
def monte_carlo_liquidation(health_factor, sigma, days, mu=0.0, n_paths=100_000,
                            steps_per_day=1, seed=0, chunk_paths=10_000, bridge=True,
                            progress=None) -> MonteCarloResult:
    """Vectorised, seeded, chunked Monte Carlo of the liquidation probabilities.

    Simulates ``n_paths`` log-price paths with ``days * steps_per_day``
    normal increments, ``chunk_paths`` paths at a time (100,000 x 365 float64
    would be 292 MB at once; a 10,000-path chunk is 29 MB). The random
    stream does not depend on the chunk size, so results are reproducible
    from ``seed`` alone.

    First passage is estimated without the bias of daily checks: between two
    simulated points ``x_i, x_{i+1}`` above the barrier ``b``, a Brownian
    bridge crosses it with probability ``exp(-2 (x_i - b)(x_{i+1} - b) /
    (sigma^2 dt))``; each path contributes ``1 - prod(1 - p_i)`` (or 1 if a
    point is already below). This conditional expectation is unbiased for
    the continuous first-passage probability, so it matches
    :func:`prob_liquidation_first_passage` within its standard error
    (Glasserman, *Monte Carlo Methods in Financial Engineering*, 2004,
    section 6.4, Brownian interpolation).

    A run draws ``n_paths * n_steps`` normals (``n_steps = max(1,
    round(days * steps_per_day))``): at most :data:`MAX_DRAWS` (100 million,
    some 20 s), with ``n_steps`` at most 4 million and in at most 10,000
    chunks.

    Parameters
    ----------
    health_factor : float
        {domain:health_factor}; as in :func:`prob_liquidation_terminal`.
    sigma : float
        Annualised volatility, {domain:sigma}.
    days : float
        Horizon in days, {domain:days}.
    mu : float, default 0
        Annualised drift, {domain:mu}.
    n_paths : int, default 100,000
        {domain:n_paths}.
    steps_per_day : int, default 1
        {domain:steps_per_day}.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``, {domain:seed}.
    chunk_paths : int, default 10,000
        Paths simulated at once, {domain:chunk_paths} (memory ~ ``chunk_paths *
        steps * 8`` bytes x 3; a chunk is cut to 4 million draws, which does
        not change the result).
    bridge : bool, default True
        Use the Brownian-bridge correction; ``False`` reports the discrete
        (step-date) estimate as ``prob_first_passage``. {domain:bridge}.
    progress : bool or None
        Show a ``tqdm`` bar; ``None`` shows it only for runs of >= 20 M draws.
        {domain:progress}.

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    >>> r = monte_carlo_liquidation(1.25, 0.8, 30, n_paths=20_000, seed=7)
    >>> abs(r.prob_terminal - prob_liquidation_terminal(1.25, 0.8, 30)) < 4 * r.se_terminal
    True
    """
    hf, sig, d, m, n, spd, chunk = health_factor, sigma, days, mu, n_paths, steps_per_day, chunk_paths
    n_steps = max(1, round(d * spd))
    if n_steps > _CHUNK_ELEMENTS or n * n_steps > MAX_DRAWS:
        raise ValueError(f"n_paths x days x steps_per_day must be at most {MAX_DRAWS:,} draws, with days x "
                         f"steps_per_day at most {_CHUNK_ELEMENTS:,} steps; got n_paths={n:,}, days={d:g}, "
                         f"steps_per_day={spd:,}")
    if math.ceil(n / chunk) > _MAX_CHUNKS:
        raise ValueError(f"n_paths / chunk_paths must be at most {_MAX_CHUNKS:,} chunks; got n_paths={n:,}, "
                         f"chunk_paths={chunk:,}")
    chunk = min(chunk, max(1, _CHUNK_ELEMENTS // n_steps))   # same random stream, bounded memory
    dt = d / DAYS_PER_YEAR / n_steps
    drift, vol = (m - 0.5 * sig ** 2) * dt, sig * math.sqrt(dt)
    b = -math.log(hf)
    rng = np.random.default_rng(seed)
    show = progress if progress is not None else n * n_steps >= _AUTO_PROGRESS_DRAWS
    starts = range(0, n, chunk)
    if show:
        from tqdm.auto import tqdm  # optional dependency, imported only when used
        starts = tqdm(starts, total=math.ceil(n / chunk), desc="Monte Carlo", unit="chunk")
    hits_t = hits_d = 0
    fp_sum = fp_sq = 0.0
    terminal = np.empty(n)
    for start in starts:
        k = min(chunk, n - start)
        x = rng.standard_normal((k, n_steps))
        x *= vol
        x += drift
        np.cumsum(x, axis=1, out=x)                   # log(P_t / P_0) at each step
        terminal[start:start + k] = x[:, -1]
        below_t = x[:, -1] < b
        below_any = (x.min(axis=1) < b)
        hits_t += int(below_t.sum())
        hits_d += int(below_any.sum())
        if bridge:
            gap = x - b                               # > 0 while above the barrier
            prev = np.empty_like(gap)
            prev[:, 0] = -b                           # x_0 = 0
            prev[:, 1:] = gap[:, :-1]
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                p_cross = np.exp(-2.0 * prev * gap / (sig ** 2 * dt))
                log_stay = np.log1p(-np.minimum(p_cross, 1.0)).sum(axis=1)
            est = np.where(below_any, 1.0, -np.expm1(log_stay))
        else:
            est = below_any.astype(float)
        fp_sum += float(est.sum())
        fp_sq += float((est ** 2).sum())
    p_t = hits_t / n
    p_fp = fp_sum / n
    var_fp = max(fp_sq / n - p_fp ** 2, 0.0) * n / (n - 1)
    return MonteCarloResult(
        prob_terminal=p_t, se_terminal=math.sqrt(p_t * (1 - p_t) / n),
        prob_first_passage=p_fp, se_first_passage=math.sqrt(var_fp / n),
        prob_discrete=hits_d / n, n_paths=n, n_steps=n_steps, seed=seed,
        terminal_log_return=terminal)


@contract(health_factors=Real(why="each above liquidation_threshold"),
          liquidation_threshold=Real(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True,
                                     why="a liquidation threshold as a fraction"),
          supply_apy=Real(lo=-1, scalar=True, why="a yearly rate as a fraction"),
          borrow_apy=Real(lo=-1, scalar=True, why="a yearly rate as a fraction"),
          sigma=_SIGMA, days=_DAYS, mu=_MU)
def hf_buffer_tradeoff(health_factors, liquidation_threshold, supply_apy, borrow_apy,
                       sigma, days, mu=0.0):
    """How a looped position's target HF trades yield for safety.

    Looping one collateral against a debt to leverage ``L`` gives ``HF =
    LT * L / (L - 1)`` at entry, so a target ``HF`` means ``L = HF / (HF - LT)``
    and a net yield on equity of ``L * supply_apy - (L - 1) * borrow_apy``.
    The price of collateral in debt units follows a GBM with volatility
    ``sigma`` (for ETH against USDC ~0.6--0.8; for a staking token against
    ETH, far lower); the risk is the first-passage probability.

    Parameters
    ----------
    health_factors : float or array of float
        Target HFs, {domain:health_factors}, each > ``liquidation_threshold``.
    liquidation_threshold : float
        {domain:liquidation_threshold}.
    supply_apy, borrow_apy : float
        Yearly rates as fractions, each {domain:supply_apy}.
    sigma, days, mu : float or array of float
        As in :func:`prob_liquidation_first_passage`: {domain:sigma}, {domain:days}, {domain:mu}.

    Returns
    -------
    pandas.DataFrame
        Columns ``health_factor``, ``leverage``, ``net_apy``, ``prob_liquidation``.

    Examples
    --------
    >>> t = hf_buffer_tradeoff([1.1, 1.5], 0.83, 0.03, 0.02, 0.05, 30)
    >>> [round(x, 3) for x in t["leverage"]]
    [4.074, 2.239]
    """
    lt, s, r = liquidation_threshold, supply_apy, borrow_apy
    hf = check_array("health_factors", health_factors, lo=lt, lo_open=True,
                     why="above liquidation_threshold: a loop's HF = LT x L / (L - 1)")
    lev = hf / (hf - lt)
    net = lev * s - (lev - 1.0) * r
    prob = prob_liquidation_first_passage(hf, sigma, days, mu)
    return pd.DataFrame({"health_factor": np.atleast_1d(hf), "leverage": np.atleast_1d(lev),
                         "net_apy": np.atleast_1d(net), "prob_liquidation": np.atleast_1d(prob)})


# =============================================================================
# Liquidation cascades
# =============================================================================

@contract(n_positions=Int(lo=1, hi=1_000_000), total_debt_usd=Real(lo=0, lo_open=True, scalar=True),
          price=_PRICE, liquidation_threshold=_LT,
          hf_median=Real(lo=1, lo_open=True, scalar=True, why="positions below HF 1 were already liquidated"),
          hf_spread=Real(lo=0, scalar=True), size_spread=Real(lo=0, scalar=True), seed=_SEED)
def sample_positions(n_positions, total_debt_usd, price, liquidation_threshold=0.83,
                     hf_median=1.5, hf_spread=0.5, size_spread=1.0, seed=0):
    """A seeded population of borrowers: one collateral token, stable debt.

    Health factors are ``1 + (hf_median - 1) * exp(hf_spread * Z)`` -- all
    above 1 (positions below were already liquidated), median ``hf_median``,
    a long right tail. Debt sizes are lognormal (``size_spread`` is the
    log-standard deviation: big whales and many minnows), scaled to
    ``total_debt_usd``. Collateral follows from ``HF = q P LT / d``.
    Spreads so wide that a draw overflows float64 raise ``ValueError``.

    Parameters
    ----------
    {domains}

    Returns
    -------
    tuple of numpy.ndarray
        ``(collateral_amount, debt_usd)``, each of length ``n_positions``.

    Examples
    --------
    >>> q, d = sample_positions(1_000, 1e8, 2_000, seed=1)
    >>> round(d.sum()), bool((q * 2_000 * 0.83 / d > 1).all())
    (100000000, True)
    """
    n, total, p, lt = n_positions, total_debt_usd, price, liquidation_threshold
    med, hs, ss = hf_median, hf_spread, size_spread
    rng = np.random.default_rng(seed)
    hf = 1.0 + (med - 1.0) * np.exp(hs * rng.standard_normal(n))
    size = np.exp(ss * rng.standard_normal(n))
    debt = total * size / size.sum()
    coll = hf * debt / (p * lt)
    return coll, debt


@contract(price_start=_PRICE, prices=_Vector(lo=0, lo_open=True),
          collateral_sold=_Vector(lo=0, empty_ok=True, example=()),
          debt_repaid_usd=_Vector(lo=0, empty_ok=True, example=()),
          n_liquidated=_Vector(lo=0, empty_ok=True, integer=True, example=()),
          bad_debt_usd=Real(lo=0, scalar=True), converged=Bool(), liquidation_threshold=_LT)
@dataclass(frozen=True)
class CascadeResult:
    """Round-by-round record of :func:`simulate_cascade`.

    Checked on construction: ``prices`` (> 0, at most ``price_start``: a
    cascade only sells) has one entry more than each per-round array.
    """

    price_start: float
    """Price before the shock."""
    prices: np.ndarray
    """``prices[0]`` right after the exogenous shock, then after each round."""
    collateral_sold: np.ndarray
    """Collateral tokens liquidators sold into the pool in each round."""
    debt_repaid_usd: np.ndarray
    """Debt repaid by liquidations in each round."""
    n_liquidated: np.ndarray
    """Positions liquidated (fully or partly) in each round."""
    bad_debt_usd: float
    """Debt left with no collateral behind it at the end."""
    converged: bool
    """True if no position was left liquidatable (a fixed point)."""
    liquidation_threshold: float

    def __post_init__(self):
        rounds = len(self.prices) - 1
        for name in ("collateral_sold", "debt_repaid_usd", "n_liquidated"):
            if len(getattr(self, name)) != rounds:
                raise ValueError(f"{name} must have one entry per round, len(prices) - 1 = {rounds}; "
                                 f"got {len(getattr(self, name))}")
        if np.any(self.prices > self.price_start * (1 + 1e-12)):
            raise ValueError(f"prices must be <= price_start (a cascade only sells); got max(prices)="
                             f"{float(np.max(self.prices)):g}, price_start={self.price_start:g}")
        with np.errstate(over="ignore"):
            if not np.isfinite(np.sum(self.debt_repaid_usd)):
                raise ValueError("debt_repaid_usd must add up to a finite number")

    @property
    def final_price(self) -> float:
        return float(self.prices[-1])

    @property
    def rounds(self) -> int:
        return len(self.prices) - 1

    @property
    def shock_drop(self) -> float:
        """Fall caused by the exogenous shock alone."""
        return 1.0 - float(self.prices[0]) / self.price_start

    @property
    def total_drop(self) -> float:
        """Fall from the start to the fixed point."""
        return 1.0 - self.final_price / self.price_start

    @property
    def amplification(self) -> float:
        """``total_drop / shock_drop``: 1 means liquidations added nothing."""
        return self.total_drop / self.shock_drop if self.shock_drop > 0 else 1.0

    @property
    def total_debt_repaid_usd(self) -> float:
        return float(np.sum(self.debt_repaid_usd))

    def to_frame(self) -> pd.DataFrame:
        """One row per round (round 0 is the shock)."""
        return pd.DataFrame({
            "round": np.arange(len(self.prices)),
            "price": self.prices,
            "collateral_sold": np.concatenate([[0.0], self.collateral_sold]),
            "debt_repaid_usd": np.concatenate([[0.0], self.debt_repaid_usd]),
            "n_liquidated": np.concatenate([[0], self.n_liquidated]).astype(int),
        })


@contract(collateral_amount=Real(lo=0, why="tokens per position"), debt_usd=Real(lo=0, why="USD per position"),
          price=_PRICE, shock=Real(lo=0, hi=1, hi_open=True, scalar=True, why="a fraction: 0.2 = -20 %"),
          pool_depth_usd=Real(lo=0, lo_open=True, scalar=True, why="the USD side of the pool"),
          liquidation_threshold=_LT, liquidation_bonus=_BONUS,
          pool_fee=Real(lo=0, hi=1, hi_open=True, scalar=True, why="a fraction of each sale"),
          sell_fraction=Real(lo=0, hi=1, scalar=True, why="a share of the seized collateral"),
          max_rounds=Int(lo=1, hi=100_000), tol=Real(lo=0, scalar=True, why="tokens"))
def simulate_cascade(collateral_amount, debt_usd, price, shock, pool_depth_usd,
                     liquidation_threshold=0.83, liquidation_bonus=0.05, pool_fee=0.003,
                     sell_fraction=1.0, max_rounds=500, tol=1e-9) -> CascadeResult:
    """Liquidation cascade of a population of positions, iterated to a fixed point.

    The model, in the units of Aave v3 (one volatile collateral, USD debt):

    1. The collateral trades in a constant-product pool holding
       ``pool_depth_usd`` of USD and ``pool_depth_usd / price`` tokens; the
       lending market's oracle follows its spot price (arbitrage ties the
       pool to the wider market; the pool stands for the market's depth).
    2. An exogenous seller moves the price down by ``shock`` (a sale of the
       size that does this in the pool).
    3. Each round, every position with ``HF = q P LT / d < 1`` is liquidated
       once under the v3.0--v3.2 close factor (50 % of the debt if ``HF >
       0.95``, else 100 %): the liquidator repays ``debt_to_cover`` and
       seizes ``debt_to_cover (1 + bonus) / P`` of collateral, or all of it
       if that is less (:func:`defi_helpers.collateral.liquidate`).
    4. Liquidators sell ``sell_fraction`` of the seized collateral into the
       pool (after its fee), lowering ``P``; a position left with no
       collateral but some debt is written off as bad debt.
    5. Repeat until no position is liquidatable (the fixed point) or
       ``max_rounds``.

    Vectorised over positions (one numpy pass per round). Prices never rise:
    each round only sells into the pool.

    Parameters
    ----------
    collateral_amount, debt_usd : array of float
        Per position: collateral in tokens and debt in USD, each
        {domain:collateral_amount}, equal lengths (see :func:`sample_positions`).
    price : float
        Collateral price before the shock, USD, {domain:price}.
    shock : float
        Exogenous fractional price fall, {domain:shock}.
    pool_depth_usd : float
        USD side of the pool, {domain:pool_depth_usd}; the token side is ``pool_depth_usd / price``.
    liquidation_threshold : float, default 0.83
        LT of the collateral (Aave v3 Ethereum WETH, 2023-10-31 snapshot), {domain:liquidation_threshold}.
    liquidation_bonus : float, default 0.05
        Bonus as a fraction (WETH: 10500 -> 0.05, same snapshot), {domain:liquidation_bonus}.
    pool_fee : float, default 0.003
        {domain:pool_fee}.
    sell_fraction : float, default 1
        Share of seized collateral sold into the pool at once, {domain:sell_fraction}.
    max_rounds : int, default 500
        {domain:max_rounds}.
    tol : float, default 1e-9
        Collateral (tokens) below which a position counts as empty, {domain:tol}.

    Returns
    -------
    CascadeResult

    Examples
    --------
    >>> q, d = sample_positions(500, 5e7, 2_000, seed=3)
    >>> r = simulate_cascade(q, d, 2_000, shock=0.25, pool_depth_usd=2e7)
    >>> r.final_price <= 2_000 * 0.75, round(r.amplification, 2) >= 1
    (True, True)

    References
    ----------
    aave/aave-v3-core LiquidationLogic.sol (close factor, bonus) via
    :mod:`defi_helpers.collateral`; Uniswap/v2-core UniswapV2Pair.sol (sale
    into a constant-product pool); the cascade mechanism as discussed by
    Perez et al. (FC 2021) and Qin et al. (IMC 2021).
    """
    q = np.array(collateral_amount, dtype=float).reshape(-1)
    d = np.array(debt_usd, dtype=float).reshape(-1)
    check_same_length(collateral_amount=q, debt_usd=d)
    p0, s, depth, lt, bonus = price, shock, pool_depth_usd, liquidation_threshold, liquidation_bonus
    fee, sf, rounds = pool_fee, sell_fraction, max_rounds
    # Pool after the exogenous shock: same k, price p0 (1 - s).
    k = depth * (depth / p0)
    p = p0 * (1.0 - s)
    base, quote = math.sqrt(k / p), math.sqrt(k * p)
    prices, sold, repaid_r, count = [p], [], [], []
    bad = 0.0
    converged = False
    for _ in range(rounds):
        active = (d > 0) & (q > tol)
        with np.errstate(divide="ignore", invalid="ignore"):
            hf = np.where(active, q * p * lt / np.where(d > 0, d, 1.0), np.inf)
        liq = hf < 1.0
        if not liq.any():
            converged = True
            break
        cf = np.where(hf > 0.95, 0.5, 1.0)            # Aave v3.0-3.2 close factor
        cover = np.where(liq, cf * d, 0.0)
        want = cover * (1.0 + bonus) / p
        capped = want > q
        seized = np.where(liq, np.where(capped, q, want), 0.0)
        repaid = np.where(liq, np.where(capped, q * p / (1.0 + bonus), cover), 0.0)
        q -= seized
        d -= repaid
        empty = (q <= tol) & (d > 0)
        bad += float(d[empty].sum())                  # written off (v3.3+: reserve deficit)
        d[empty] = 0.0
        q[empty] = 0.0
        sell = sf * float(seized.sum())
        if sell > 0:
            eff = sell * (1.0 - fee)
            out = eff * quote / (base + eff)
            base, quote = base + sell, quote - out
            p = min(p, quote / base)
            if not p > 0.0:
                raise ValueError(f"pool_depth_usd: the pool is drained to a price of 0 (float64 underflow) "
                                 f"at pool_depth_usd={depth:g}, price={p0:g}; use a deeper pool")
        prices.append(p)
        sold.append(sell)
        repaid_r.append(float(repaid.sum()))
        count.append(int(liq.sum()))
    return CascadeResult(price_start=p0, prices=np.array(prices), collateral_sold=np.array(sold),
                         debt_repaid_usd=np.array(repaid_r), n_liquidated=np.array(count, dtype=int),
                         bad_debt_usd=bad, converged=converged, liquidation_threshold=lt)


# =============================================================================
# Oracles
# =============================================================================

@contract(prices=Real(lo=0, lo_open=True, why="market prices"), times_s=Real(why="seconds, increasing"),
          deviation_threshold=Real(lo=0, hi=1, hi_open=True, scalar=True, why="a fraction: 0.005 = 0.5 %"),
          heartbeat_s=Real(lo=0, lo_open=True, scalar=True, why="seconds"))
def push_oracle(prices, times_s, deviation_threshold, heartbeat_s):
    """What a push oracle (Chainlink-style) reports for a price series.

    A new round is written when the market price has moved by at least
    ``deviation_threshold`` from the last reported price, or when
    ``heartbeat_s`` seconds have passed since the last report. Between
    rounds, consumers read a stale price -- the gap is the oracle's error.

    Parameters
    ----------
    prices : array of float
        Market price at each time, {domain:prices}.
    times_s : array of float
        Times in seconds, strictly increasing, same length; {domain:times_s}.
    deviation_threshold : float
        Fraction, e.g. 0.005 for 0.5 %, {domain:deviation_threshold}.
    heartbeat_s : float
        Seconds, e.g. :data:`CHAINLINK_ETH_USD_HEARTBEAT_S`; {domain:heartbeat_s}.

    Returns
    -------
    pandas.DataFrame
        ``time_s``, ``price``, ``reported``, ``updated`` (bool),
        ``staleness_s`` (seconds since the last round) and ``error``
        (``reported / price - 1``).

    Examples
    --------
    >>> t = push_oracle([100, 100.3, 100.6, 100.6], [0, 60, 120, 4000], 0.005, 3600)
    >>> t["reported"].tolist(), t["updated"].tolist()
    ([100.0, 100.0, 100.6, 100.6], [True, False, True, True])

    References
    ----------
    smartcontractkit/documentation, data-feeds (deviation threshold and
    heartbeat; check ``updatedAt`` from ``latestRoundData``; PR #2095).
    """
    p = np.asarray(prices, dtype=float).reshape(-1)
    t = np.asarray(times_s, dtype=float).reshape(-1)
    check_same_length(prices=p, times_s=t)
    if np.any(t[1:] <= t[:-1]):
        raise ValueError(f"times_s must be strictly increasing; got {times_s!r}")
    dev, hb = deviation_threshold, heartbeat_s
    reported = np.empty_like(p)
    updated = np.zeros(p.size, dtype=bool)
    stale = np.empty_like(p)
    last_p, last_t = p[0], t[0]
    for i in range(p.size):       # inherently sequential: each round depends on the last
        if i == 0 or abs(p[i] / last_p - 1.0) >= dev or t[i] - last_t >= hb:
            last_p, last_t = p[i], t[i]
            updated[i] = True
        reported[i] = last_p
        stale[i] = t[i] - last_t
    return pd.DataFrame({"time_s": t, "price": p, "reported": reported, "updated": updated,
                         "staleness_s": stale, "error": reported / p - 1.0})


@contract(source_prices=Real(lo=0, lo_open=True, why="one price per source"),
          max_spread=Real(lo=0, scalar=True, why="a fraction around the median"))
def aggregate_oracle(source_prices, max_spread=0.02):
    """Median of several price sources, and whether they agree.

    Redundancy as lenders use it: take the median (robust to one bad source)
    and refuse to act -- pause, or fall back -- when the sources spread by
    more than ``max_spread`` around it.

    Parameters
    ----------
    source_prices : sequence of float
        One price per source, {domain:source_prices}.
    max_spread : float, default 0.02
        Largest accepted ``max |p_i / median - 1|``, {domain:max_spread}.

    Returns
    -------
    tuple of (float, bool)
        The median and ``True`` when every source is within ``max_spread``.

    Examples
    --------
    >>> aggregate_oracle([1.00, 1.001, 1.30])
    (1.001, False)
    """
    p = np.asarray(source_prices, dtype=float).reshape(-1)
    spread = max_spread
    med = float(np.median(p))
    return med, bool(np.max(np.abs(p / med - 1.0)) <= spread)


# =============================================================================
# Bad debt and stress tests
# =============================================================================

@contract(collateral_usd=Real(lo=0), debt_usd=Real(lo=0), liquidation_bonus=_BONUS)
def bad_debt_usd(collateral_usd, debt_usd, liquidation_bonus=0.05):
    """Debt that no liquidation can recover: ``max(0, debt - collateral / (1 + bonus))``.

    A liquidator who must be paid ``1 + bonus`` in collateral per unit of
    debt repaid can repay at most ``collateral / (1 + bonus)``; the rest is
    bad debt, absorbed by reserves, a safety module (Aave v3.3+: a reserve
    ``deficit`` covered by Umbrella) or, in the end, the lenders.

    Parameters
    ----------
    collateral_usd : float or array of float
        Value of the collateral, USD, {domain:collateral_usd}.
    debt_usd : float or array of float
        Debt, USD, {domain:debt_usd}.
    liquidation_bonus : float, default 0.05
        {domain:liquidation_bonus}.

    Examples
    --------
    >>> round(bad_debt_usd(1_000, 1_000, 0.05), 2)
    47.62
    >>> bad_debt_usd(2_000, 1_000)
    0.0

    References
    ----------
    aave/aave-v3-core LiquidationLogic.sol (collateral cap on a liquidation);
    aave-dao/aave-v3-origin docs/3.3/Aave-v3.3-features.md (deficit accounting).
    """
    return np.maximum(debt_usd - collateral_usd / (1.0 + liquidation_bonus), 0.0)


@contract(equity_usd=Real(lo=0, lo_open=True, scalar=True), leverage=Real(lo=1, scalar=True, why="exposure / equity"),
          price=_PRICE)
def looped_position(equity_usd, leverage, price):
    """Collateral and debt of a position looped to ``leverage`` (exposure / equity).

    ``collateral = L E / P`` tokens and ``debt = (L - 1) E`` USD.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> looped_position(10_000, 3, 2_000)
    (15.0, 20000.0)
    """
    e, lev, p = equity_usd, leverage, price
    return lev * e / p, (lev - 1.0) * e


@contract(collateral_amount=Real(lo=0, lo_open=True, scalar=True, why="tokens"),
          debt_usd=Real(lo=0, scalar=True), price=_PRICE,
          shocks=Real(lo=0, hi=1, hi_open=True, why="fractional falls: 0.2 = -20 %"),
          liquidation_threshold=_LT, liquidation_bonus=_BONUS, returns=Finite(allow_inf=True))
def stress_test_position(collateral_amount, debt_usd, price, shocks, liquidation_threshold=0.83,
                         liquidation_bonus=0.05):
    """A position after each price shock: HF, the liquidations it triggers, equity left.

    For each shock the price falls to ``price (1 - shock)``; while ``HF < 1``
    liquidations follow the v3.0--v3.2 close factor (as in
    :func:`simulate_cascade`, at the shocked price); what the borrower keeps is
    ``collateral x price - debt`` afterwards. The equity lost beyond the
    market move is the liquidation bonus paid away.

    Parameters
    ----------
    collateral_amount : float
        Tokens, {domain:collateral_amount}.
    debt_usd : float
        USD, {domain:debt_usd}.
    price : float
        Price before the shock, {domain:price}.
    shocks : float or array of float
        Fractional falls, {domain:shocks}.
    liquidation_threshold : float, default 0.83
        {domain:liquidation_threshold}.
    liquidation_bonus : float, default 0.05
        {domain:liquidation_bonus}.

    Returns
    -------
    pandas.DataFrame
        ``shock``, ``price``, ``hf_after_shock`` (``inf`` when ``debt_usd``
        is 0: documented, not an error), ``liquidations``,
        ``debt_repaid_usd``, ``collateral_seized``, ``equity_before_usd``,
        ``equity_after_usd``, ``liquidation_penalty_usd``, ``bad_debt_usd``.

    Examples
    --------
    >>> q, d = looped_position(10_000, 3, 2_000)
    >>> t = stress_test_position(q, d, 2_000, [0.0, 0.3])
    >>> t["liquidations"].tolist()
    [0, 1]
    """
    # numpy scalars, so that an overflow raises (the contract turns it into a ValueError)
    # instead of a Python float silently becoming inf in a table that may hold a documented inf.
    q0, d0, p0 = np.float64(collateral_amount), np.float64(debt_usd), np.float64(price)
    sh = np.asarray(shocks, dtype=float).reshape(-1)
    lt, bonus = np.float64(liquidation_threshold), np.float64(liquidation_bonus)
    rows = []
    for s in sh:
        p = p0 * (1.0 - s)
        q, d = q0, d0
        hf0 = q * p * lt / d if d > 0 else math.inf
        n = 0
        repaid_total = seized_total = bad = 0.0
        while d > 0 and q > 0 and q * p * lt / d < 1.0 and n < 100:
            hf = q * p * lt / d
            cover = d * (0.5 if hf > 0.95 else 1.0)
            want = cover * (1.0 + bonus) / p
            seized = min(want, q)
            repaid = cover if want <= q else q * p / (1.0 + bonus)
            q, d = q - seized, d - repaid
            repaid_total += repaid
            seized_total += seized
            n += 1
        if q <= 0 and d > 0:
            bad, d = d, 0.0
        eq_before = q0 * p - d0
        eq_after = q * p - d
        rows.append((s, p, hf0, n, repaid_total, seized_total, eq_before, eq_after,
                     seized_total * p - repaid_total, bad))
    return pd.DataFrame(rows, columns=["shock", "price", "hf_after_shock", "liquidations",
                                       "debt_repaid_usd", "collateral_seized", "equity_before_usd",
                                       "equity_after_usd", "liquidation_penalty_usd",
                                       "bad_debt_usd"])
