"""Total value locked (TVL), double counting and independent capital.

TVL adds up the value of tokens held by DeFi contracts. When a token that
is itself a claim on another protocol (a receipt token: stETH, aUSDC, a
Pendle PT) is deposited again, or when borrowed cash is re-deposited, the
same dollar of outside capital is counted once per protocol it passes
through. This module measures that with three small models:

* a **loop** on one lending market: equity ``E`` supplied, ``LTV`` borrowed
  and re-supplied until the loop converges (:func:`looped_deposits`);
* a **re-deposit fraction** ``f``: each dollar counted comes back ``f``
  times, so counted value / independent capital = ``1 / (1 - f)``
  (:func:`tvl_multiplier`);
* a **capital-flow graph**: protocols as nodes, each edge re-depositing a
  fraction of one protocol's deposits into another
  (:class:`CapitalFlowGraph`), from which naive TVL, DefiLlama-style TVL
  and independent capital follow.

Every function is pure (numbers in, numbers out). Amounts are USD floats;
LTVs and fractions are fractions (``0.8`` = 80 %).

References
----------
DefiLlama methodology: ``DefiLlama/docs``
``list-your-project/what-to-include-as-tvl.md`` (TVL buckets: staking,
pool2, borrows, vesting, offers) and ``faqs/frequently-asked-questions.md``
(the doublecount toggle; liquid staking "not included by default into chain
TVL"). Lending-market TVL as implemented: ``DefiLlama/DefiLlama-Adapters``
``projects/helper/aave.js`` (``tvl`` = underlying ``balanceOf`` the aToken,
i.e. supplied minus borrowed; ``borrowed`` = total debt, a separate
bucket). Luo, Feng, Xu and Tasca, *Piercing the Veil of TVL: DeFi
Reappraised*, arXiv:2404.11745 (total value redeemable, the DeFi
multiplier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from ._validate import as_output, check_array, check_bool, check_choice, check_int, check_number

__all__ = [
    "looped_deposits",
    "looped_deposits_after",
    "tvl_multiplier",
    "defillama_tvl",
    "independent_capital",
    "implied_redeposit_fraction",
    "LoopTVL",
    "loop_tvl_breakdown",
    "sum_chain_tvls",
    "Protocol",
    "Flow",
    "CapitalFlowGraph",
    "staking_loop_graph",
    "PROTOCOL_KINDS",
    "FLOW_KINDS",
    "TVL_BUCKETS",
]

_LTV_WHY = "at LTV 1 every borrowed dollar can be re-supplied in full and the loop never converges"

#: Kinds of protocol node the graph model distinguishes. DefiLlama leaves
#: liquid staking out of chain TVL by default (FAQ, DefiLlama/docs, read 2025).
PROTOCOL_KINDS = ("lending", "liquid_staking", "yield", "vault", "dex")
#: ``receipt``: the source's receipt token (stETH, aUSDC, PT) is deposited in
#: the target, the underlying stays at the source. ``borrow``: cash borrowed
#: from a lending source leaves it and is deposited in the target.
FLOW_KINDS = ("receipt", "borrow")
#: Additive TVL buckets of DefiLlama's API (``currentChainTvls`` keys),
#: excluded from the headline figure unless toggled on
#: (DefiLlama/docs what-to-include-as-tvl.md, read 2025).
TVL_BUCKETS = ("borrowed", "staking", "pool2", "vesting", "offers")


# --------------------------------------------------------------------------
# One lending loop
# --------------------------------------------------------------------------

def looped_deposits(equity, ltv):
    """Supplied and borrowed amounts of a loop run to its limit.

    Supply ``E``, borrow ``LTV * E``, supply that, borrow again, ... The
    geometric series gives ``supplied = E / (1 - LTV)`` and
    ``borrowed = LTV * E / (1 - LTV)``; the net position (supplied minus
    borrowed) is still ``E``.

    Parameters
    ----------
    equity : float or array of float
        Independent capital put in, in USD (>= 0).
    ltv : float or array of float
        Loan-to-value used on each round, a fraction in [0, 1).

    Returns
    -------
    tuple of (float or numpy.ndarray, float or numpy.ndarray)
        ``(supplied, borrowed)`` in USD.

    Raises
    ------
    ValueError
        If ``ltv`` is outside [0, 1) or ``equity`` is negative.

    Examples
    --------
    >>> supplied, borrowed = looped_deposits(100, 0.8)
    >>> round(supplied, 9), round(borrowed, 9)
    (500.0, 400.0)

    References
    ----------
    defi-math reference sheet section 3 (looping algebra); the loop is the
    one Aave v3 allows while ``borrow <= LTV * collateral``
    (aave-dao/aave-v3-origin, ``GenericLogic.calculateAvailableBorrows``).
    """
    e = check_array("equity", equity, lo=0)
    ltv_arr = check_array("ltv", ltv, lo=0, hi=1, hi_open=True, why=_LTV_WHY)
    supplied = e / (1.0 - ltv_arr)
    borrowed = supplied * ltv_arr
    like = np.broadcast_arrays(np.asarray(equity, dtype=float), np.asarray(ltv, dtype=float))[0]
    return as_output(supplied, like), as_output(borrowed, like)


def looped_deposits_after(equity, ltv, loops):
    """Supplied and borrowed amounts after a finite number of loops.

    With ``n`` borrow-and-resupply rounds:
    ``supplied = E * (1 - LTV**(n+1)) / (1 - LTV)`` and
    ``borrowed = E * LTV * (1 - LTV**n) / (1 - LTV)``. As ``n`` grows these
    tend to :func:`looped_deposits`.

    Parameters
    ----------
    equity : float or array of float
        Independent capital, in USD (>= 0).
    ltv : float or array of float
        Loan-to-value used on each round, in [0, 1).
    loops : int
        Number of borrow-and-resupply rounds (>= 0). ``0`` is a plain deposit.

    Returns
    -------
    tuple
        ``(supplied, borrowed)`` in USD.

    Examples
    --------
    >>> looped_deposits_after(100, 0.8, 0)
    (100.0, 0.0)
    >>> s, b = looped_deposits_after(100, 0.8, 3)
    >>> round(s, 6), round(b, 6)
    (295.2, 195.2)
    """
    e = check_array("equity", equity, lo=0)
    ltv_arr = check_array("ltv", ltv, lo=0, hi=1, hi_open=True, why=_LTV_WHY)
    n = check_int("loops", loops, lo=0)
    # sum_{k=0..n} L^k written as a sum so LTV = 0 needs no special case.
    powers = ltv_arr[..., None] ** np.arange(n + 1)
    supplied = e * powers.sum(axis=-1)
    borrowed = supplied - e
    like = np.broadcast_arrays(np.asarray(equity, dtype=float), np.asarray(ltv, dtype=float))[0]
    return as_output(supplied, like), as_output(borrowed, like)


def tvl_multiplier(redeposit_fraction):
    """Counted value per dollar of independent capital: ``1 / (1 - f)``.

    If a fraction ``f`` of every dollar deposited is deposited again
    somewhere that is also counted, the counted total is
    ``E * (1 + f + f**2 + ...) = E / (1 - f)``.

    Parameters
    ----------
    redeposit_fraction : float or array of float
        ``f``, a fraction in [0, 1).

    Returns
    -------
    float or numpy.ndarray
        The multiplier, >= 1.

    Raises
    ------
    ValueError
        If ``f`` is outside [0, 1): at ``f = 1`` the series diverges.

    Examples
    --------
    >>> tvl_multiplier(0.5)
    2.0
    >>> tvl_multiplier([0.0, 0.8])
    array([1., 5.])
    """
    f = check_array("redeposit_fraction", redeposit_fraction, lo=0, hi=1, hi_open=True,
                    why="at f = 1 every dollar is re-deposited forever and the total diverges")
    return as_output(1.0 / (1.0 - f), redeposit_fraction)


def independent_capital(tvl_usd, redeposit_fraction):
    """Independent capital behind a counted TVL, given the re-deposit fraction.

    ``E = TVL * (1 - f)``: the inverse of :func:`tvl_multiplier`.

    Examples
    --------
    A $10B protocol whose deposits are 55 % recycled holds $4.5B of
    independent capital:

    >>> round(independent_capital(10e9, 0.55) / 1e9, 6)
    4.5
    """
    tvl = check_array("tvl_usd", tvl_usd, lo=0)
    f = check_array("redeposit_fraction", redeposit_fraction, lo=0, hi=1, hi_open=True)
    like = np.broadcast_arrays(np.asarray(tvl_usd, dtype=float), np.asarray(redeposit_fraction, dtype=float))[0]
    return as_output(tvl * (1.0 - f), like)


def implied_redeposit_fraction(tvl_usd, independent_usd):
    """The re-deposit fraction that turns ``independent_usd`` into ``tvl_usd``.

    ``f = 1 - E / TVL``.

    Examples
    --------
    >>> implied_redeposit_fraction(10e9, 4e9)
    0.6
    """
    tvl = check_number("tvl_usd", tvl_usd, lo=0, lo_open=True)
    ind = check_number("independent_usd", independent_usd, lo=0, lo_open=True, hi=tvl,
                       why="independent capital cannot exceed the TVL that counts it")
    return 1.0 - ind / tvl


def defillama_tvl(supplied, borrowed, include_borrowed=False):
    """TVL of a lending market the way DefiLlama reports it.

    DefiLlama's lending adapters count the underlying tokens still held by
    the market -- supplied minus borrowed, the available liquidity -- as
    ``tvl`` and report the debt as a separate ``borrowed`` bucket that a
    reader may toggle on (which adds it back).

    Parameters
    ----------
    supplied : float or array of float
        Total supplied, in USD (>= 0).
    borrowed : float or array of float
        Total borrowed, in USD, in [0, supplied].
    include_borrowed : bool, default False
        Add the ``borrowed`` bucket (the "borrows" toggle).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> defillama_tvl(500, 400)
    100.0
    >>> defillama_tvl(500, 400, include_borrowed=True)
    500.0

    References
    ----------
    DefiLlama/DefiLlama-Adapters, ``projects/helper/aave.js`` (``getTvl``
    sums ``balanceOf(aToken)`` of each underlying; ``getBorrowed`` sums
    variable + stable debt); DefiLlama/docs,
    ``list-your-project/what-to-include-as-tvl.md`` ("Borrows" bucket).
    """
    s = check_array("supplied", supplied, lo=0)
    b = check_array("borrowed", borrowed, lo=0)
    if np.any(b > s + 1e-9 * np.maximum(1.0, s)):
        raise ValueError(
            f"borrowed must be <= supplied (a market cannot lend more than was supplied); "
            f"got borrowed={borrowed!r}, supplied={supplied!r}"
        )
    check_bool("include_borrowed", include_borrowed)
    out = s if include_borrowed else s - b
    like = np.broadcast_arrays(np.asarray(supplied, dtype=float), np.asarray(borrowed, dtype=float))[0]
    return as_output(out + 0.0 * b, like)


@dataclass(frozen=True)
class LoopTVL:
    """What each way of counting reports for one looped position (USD)."""

    independent_capital: float
    """Equity actually put in from outside."""
    supplied: float
    """Supplied to the market, ``E / (1 - LTV)``."""
    borrowed: float
    """Borrowed from the market, ``LTV * E / (1 - LTV)``."""
    defillama_default: float
    """Supplied minus borrowed: DefiLlama's default lending TVL."""
    defillama_with_borrows: float
    """Default TVL plus the borrowed bucket."""
    deposits_plus_borrows: float
    """Supplied plus borrowed: a naive "total activity" figure."""

    @property
    def multiplier(self) -> float:
        """Supplied per dollar of independent capital, ``1 / (1 - LTV)``."""
        return self.supplied / self.independent_capital if self.independent_capital else 1.0

    def as_series(self) -> pd.Series:
        """The figures as a labelled Series (index: measure, values: USD)."""
        return pd.Series(
            {
                "independent capital": self.independent_capital,
                "DefiLlama default (supplied - borrowed)": self.defillama_default,
                "supplied (deposits)": self.supplied,
                "DefiLlama + borrows toggle": self.defillama_with_borrows,
                "supplied + borrowed": self.deposits_plus_borrows,
            },
            name="usd",
        )


def loop_tvl_breakdown(equity, ltv) -> LoopTVL:
    """Every TVL figure of one loop at its limit (:func:`looped_deposits`).

    Examples
    --------
    >>> r = loop_tvl_breakdown(100, 0.8)
    >>> [round(v, 9) for v in (r.supplied, r.defillama_default,
    ...                        r.defillama_with_borrows, r.deposits_plus_borrows)]
    [500.0, 100.0, 500.0, 900.0]
    >>> round(r.multiplier, 9)
    5.0
    """
    e = check_number("equity", equity, lo=0)
    supplied, borrowed = looped_deposits(e, check_number("ltv", ltv))
    return LoopTVL(
        independent_capital=e,
        supplied=supplied,
        borrowed=borrowed,
        defillama_default=defillama_tvl(supplied, borrowed),
        defillama_with_borrows=defillama_tvl(supplied, borrowed, include_borrowed=True),
        deposits_plus_borrows=supplied + borrowed,
    )


def sum_chain_tvls(current_chain_tvls: Mapping[str, float], include=()) -> float:
    """Headline TVL from DefiLlama's ``currentChainTvls``, with toggles.

    ``/protocol/{slug}`` returns ``currentChainTvls`` whose plain keys are
    chains (``"Ethereum"``) and whose suffixed keys are extra buckets, per
    chain (``"Ethereum-borrowed"``, sometimes ``"borrowed-Ethereum"``) or in
    total (``"borrowed"``). The headline figure sums the plain chain keys;
    each bucket named in ``include`` is added on top.

    Parameters
    ----------
    current_chain_tvls : mapping of str to float
        As returned by the API (USD values >= 0).
    include : iterable of str
        Buckets to add, from :data:`TVL_BUCKETS`.

    Returns
    -------
    float

    Examples
    --------
    >>> sum_chain_tvls({"Ethereum": 100, "Ethereum-borrowed": 30})
    100.0
    >>> sum_chain_tvls({"Ethereum": 100, "Ethereum-borrowed": 30}, include=["borrowed"])
    130.0

    References
    ----------
    DefiLlama/api-docs ``defillama-openapi-free.json`` (``/protocol/{protocol}``);
    data-sources reference sheet section 1.1 (suffixed keys).
    """
    if not isinstance(current_chain_tvls, Mapping):
        raise ValueError(f"current_chain_tvls must be a mapping of key -> USD; got {current_chain_tvls!r}")
    wanted = [include] if isinstance(include, str) else list(include)
    for b in wanted:
        if b not in TVL_BUCKETS:
            raise ValueError(f"include must name buckets from {TVL_BUCKETS}; got {b!r}")
    bucket_names = set(TVL_BUCKETS) | {"doublecounted", "liquidstaking", "dcAndLsOverlap", "treasury"}
    plain = 0.0
    per_chain: dict[str, float] = {b: 0.0 for b in TVL_BUCKETS}
    total: dict[str, float | None] = {b: None for b in TVL_BUCKETS}
    for key, value in current_chain_tvls.items():
        v = check_number(f"current_chain_tvls[{key!r}]", value, lo=0)
        if key in bucket_names:
            if key in total:
                total[key] = v
            continue
        if "-" in key:
            parts = key.split("-")
            bucket = next((p for p in (parts[-1], parts[0]) if p in per_chain), None)
            if bucket is not None:
                per_chain[bucket] += v
            continue
        plain += v
    extra = 0.0
    for b in wanted:
        # The bare key is the all-chain total; per-chain keys split it. Use one, not both.
        extra += total[b] if total[b] is not None else per_chain[b]
    return plain + extra


# --------------------------------------------------------------------------
# Capital-flow graph
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Protocol:
    """A node of the capital-flow graph.

    Attributes
    ----------
    name : str
        A unique label.
    kind : str
        One of :data:`PROTOCOL_KINDS`. ``"liquid_staking"`` is left out of
        DefiLlama's default chain TVL; only ``"lending"`` nodes can lend out
        (``borrow`` flows).
    external_usd : float
        Fresh capital deposited from outside DeFi, in USD (>= 0).
    doublecounted : bool
        DefiLlama's adapter flag for protocols whose deposits are other
        protocols' receipt tokens (yield aggregators, vaults); excluded by
        default since 2022-08-04.
    """

    name: str
    kind: str = "lending"
    external_usd: float = 0.0
    doublecounted: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty string; got {self.name!r}")
        check_choice("kind", self.kind, PROTOCOL_KINDS)
        object.__setattr__(self, "external_usd", check_number("external_usd", self.external_usd, lo=0))
        check_bool("doublecounted", self.doublecounted)


@dataclass(frozen=True)
class Flow:
    """An edge: a fraction of ``source``'s deposits re-deposited in ``target``.

    Attributes
    ----------
    source, target : str
        Protocol names. They may be equal only for a ``borrow`` flow: cash
        borrowed from a market and supplied back to it is a loop.
    fraction : float
        Share of the source's total deposits that moves, in [0, 1].
    kind : str
        ``"receipt"`` (the source's receipt token moves; its underlying stays
        at the source) or ``"borrow"`` (cash lent out by a lending source).
    """

    source: str
    target: str
    fraction: float
    kind: str = "receipt"

    def __post_init__(self):
        object.__setattr__(self, "fraction", check_number("fraction", self.fraction, lo=0, hi=1))
        check_choice("kind", self.kind, FLOW_KINDS)
        if self.source == self.target and self.kind != "borrow":
            raise ValueError(
                f"a receipt flow must join two different protocols; got source=target={self.source!r} "
                f"(only a 'borrow' flow may return to its own market: that is a loop)"
            )


@dataclass(frozen=True)
class CapitalFlowGraph:
    """Protocols and the re-deposit flows between them.

    Each protocol's total deposits ``x`` solve ``x = e + F.T @ x``, where
    ``e`` holds the external (independent) capital and ``F[i, j]`` the
    fraction of protocol ``i``'s deposits re-deposited in ``j``. The series
    converges when every cycle of flows has gain below 1 (spectral radius of
    ``F`` < 1); the constructor raises otherwise.

    Three totals follow:

    * **naive TVL** -- every protocol's deposits added up, ``sum(x)``;
    * **DefiLlama-style TVL** -- lending nodes count supplied minus borrowed,
      liquid staking and ``doublecounted`` nodes are left out unless their
      toggles are on, the borrowed bucket is added only on request;
    * **independent capital** -- ``sum(e)``, what came from outside.

    Examples
    --------
    100 of ETH is staked; 80 % of the liquid-staking token is supplied to a
    lending market, which lends 70 % of its deposits out as ETH that is
    staked again:

    >>> g = CapitalFlowGraph(
    ...     protocols=(Protocol("staking", "liquid_staking", external_usd=100),
    ...                Protocol("lending", "lending")),
    ...     flows=(Flow("staking", "lending", 0.8),
    ...            Flow("lending", "staking", 0.7, kind="borrow")))
    >>> round(g.naive_tvl(), 4), round(g.defillama_tvl(), 4), g.independent_capital()
    (409.0909, 54.5455, 100.0)

    References
    ----------
    Luo et al. (2024), arXiv:2404.11745 (TVL vs total value redeemable; the
    DeFi multiplier). DefiLlama/docs FAQ (doublecount toggle, liquid
    staking excluded from chain TVL by default); DefiLlama-Adapters
    ``projects/helper/aave.js`` (lending TVL = supplied - borrowed).
    """

    protocols: tuple
    flows: tuple = field(default_factory=tuple)

    def __post_init__(self):
        protocols = tuple(self.protocols)
        flows = tuple(self.flows)
        if not protocols:
            raise ValueError("protocols must contain at least one Protocol; got none")
        for p in protocols:
            if not isinstance(p, Protocol):
                raise ValueError(f"protocols must hold Protocol objects; got {p!r}")
        names = [p.name for p in protocols]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"protocols must have unique names; duplicated: {dup}")
        index = {n: i for i, n in enumerate(names)}
        kinds = {p.name: p.kind for p in protocols}
        seen = set()
        for fl in flows:
            if not isinstance(fl, Flow):
                raise ValueError(f"flows must hold Flow objects; got {fl!r}")
            for end in (fl.source, fl.target):
                if end not in index:
                    raise ValueError(f"flow names unknown protocol {end!r}; protocols are {names}")
            if (fl.source, fl.target, fl.kind) in seen:
                raise ValueError(f"flows must not repeat an edge; {fl.source!r} -> {fl.target!r} ({fl.kind}) appears twice")
            seen.add((fl.source, fl.target, fl.kind))
            if fl.kind == "borrow" and kinds[fl.source] != "lending":
                raise ValueError(
                    f"flow kind 'borrow' needs a lending source; {fl.source!r} is {kinds[fl.source]!r}"
                )
        object.__setattr__(self, "protocols", protocols)
        object.__setattr__(self, "flows", flows)
        n = len(protocols)
        receipt = np.zeros((n, n))
        borrow = np.zeros((n, n))
        for fl in flows:
            m = borrow if fl.kind == "borrow" else receipt
            m[index[fl.source], index[fl.target]] += fl.fraction
        out_borrow = borrow.sum(axis=1)
        out_receipt = receipt.sum(axis=1)
        for i, p in enumerate(protocols):
            if out_borrow[i] >= 1.0:
                raise ValueError(
                    f"fraction: borrow flows out of {p.name!r} sum to {out_borrow[i]:g}; they must be < 1 "
                    f"(a market cannot lend out all its deposits)"
                )
            if out_receipt[i] > 1.0 + 1e-12:
                raise ValueError(
                    f"fraction: receipt flows out of {p.name!r} sum to {out_receipt[i]:g}; they must be <= 1"
                )
        F = receipt + borrow
        rho = float(np.max(np.abs(np.linalg.eigvals(F)))) if n else 0.0
        if rho >= 1.0 - 1e-12:
            raise ValueError(
                f"fraction: a cycle of flows has gain {rho:.6g}; it must be < 1, or each dollar "
                f"would be counted infinitely often"
            )
        object.__setattr__(self, "_F", F)
        object.__setattr__(self, "_borrow", borrow)
        object.__setattr__(self, "_index", index)

    # -- core solution ----------------------------------------------------
    @property
    def names(self) -> tuple:
        """Protocol names, in the order given."""
        return tuple(p.name for p in self.protocols)

    def external(self) -> np.ndarray:
        """External capital of each protocol (USD), in :attr:`names` order."""
        return np.array([p.external_usd for p in self.protocols], dtype=float)

    def deposits(self) -> np.ndarray:
        """Total deposits of each protocol (USD): ``x = (I - F.T)^-1 e``."""
        n = len(self.protocols)
        return np.linalg.solve(np.eye(n) - self._F.T, self.external())

    def borrowed_out(self) -> np.ndarray:
        """Cash each lending protocol has lent out (USD)."""
        return self._borrow.sum(axis=1) * self.deposits()

    # -- totals -----------------------------------------------------------
    def independent_capital(self) -> float:
        """Capital that entered from outside DeFi (USD)."""
        return float(self.external().sum())

    def naive_tvl(self) -> float:
        """Every protocol's deposits added up (USD)."""
        return float(self.deposits().sum())

    def counted(self, include_liquid_staking=False, include_doublecounted=False) -> np.ndarray:
        """Boolean mask of the protocols a DefiLlama-style total includes."""
        for name, v in (("include_liquid_staking", include_liquid_staking),
                        ("include_doublecounted", include_doublecounted)):
            check_bool(name, v)
        return np.array([
            (include_liquid_staking or p.kind != "liquid_staking")
            and (include_doublecounted or not p.doublecounted)
            for p in self.protocols
        ])

    def defillama_tvl(self, include_borrowed=False, include_liquid_staking=False,
                      include_doublecounted=False) -> float:
        """DefiLlama-style chain TVL with its toggles (USD).

        Default: counted protocols' deposits minus what lending nodes lent
        out; liquid staking and ``doublecounted`` nodes excluded.
        """
        return float(self.breakdown(include_borrowed, include_liquid_staking,
                                    include_doublecounted)["defillama_usd"].sum())

    def multiplier(self) -> float:
        """Naive TVL per dollar of independent capital."""
        ind = self.independent_capital()
        if ind == 0:
            raise ValueError("independent capital is 0: give some protocol external_usd > 0")
        return self.naive_tvl() / ind

    def breakdown(self, include_borrowed=False, include_liquid_staking=False,
                  include_doublecounted=False) -> pd.DataFrame:
        """One row per protocol: external capital, deposits, lent out, counted TVL.

        Columns: ``protocol``, ``kind``, ``external_usd``, ``deposits_usd``,
        ``borrowed_out_usd``, ``counted`` (bool) and ``defillama_usd``.
        """
        check_bool("include_borrowed", include_borrowed)
        x = self.deposits()
        b = self.borrowed_out()
        mask = self.counted(include_liquid_staking, include_doublecounted)
        own = x - b + (b if include_borrowed else 0.0)
        return pd.DataFrame({
            "protocol": list(self.names),
            "kind": [p.kind for p in self.protocols],
            "external_usd": self.external(),
            "deposits_usd": x,
            "borrowed_out_usd": b,
            "counted": mask,
            "defillama_usd": np.where(mask, own, 0.0),
        })

    def summary(self) -> pd.Series:
        """The three headline totals and the multiplier, as a Series."""
        return pd.Series({
            "independent capital": self.independent_capital(),
            "DefiLlama-style TVL": self.defillama_tvl(),
            "naive TVL": self.naive_tvl(),
            "multiplier (naive / independent)": self.multiplier(),
        })


def staking_loop_graph(external_usd=100.0, stake_to_lending=0.8, lending_to_pendle=0.5,
                       pendle_to_lending=0.8, lending_to_staking=0.5) -> CapitalFlowGraph:
    """The chapter's example: staking -> lending -> Pendle -> lending -> staking.

    ``external_usd`` of ETH is staked (liquid staking). A fraction of the
    staking token is supplied to lending market 1 (``receipt``), which lends
    part of its deposits out (``borrow``) as cash deposited in Pendle; a
    fraction of Pendle's deposits comes back as PTs supplied to lending
    market 2 (``receipt``), which lends ETH out that is staked again
    (``borrow``), closing the loop.

    Each fraction is in [0, 1]; the two borrow fractions must be < 1.

    Examples
    --------
    >>> g = staking_loop_graph(100, 0.8, 0.5, 0.8, 0.5)
    >>> round(g.naive_tvl(), 4), round(g.independent_capital(), 4)
    (300.0, 100.0)
    """
    return CapitalFlowGraph(
        protocols=(
            Protocol("staking", "liquid_staking", external_usd=external_usd),
            Protocol("lending 1", "lending"),
            Protocol("pendle", "yield"),
            Protocol("lending 2", "lending"),
        ),
        flows=(
            Flow("staking", "lending 1", stake_to_lending, "receipt"),
            Flow("lending 1", "pendle", lending_to_pendle, "borrow"),
            Flow("pendle", "lending 2", pendle_to_lending, "receipt"),
            Flow("lending 2", "staking", lending_to_staking, "borrow"),
        ),
    )
