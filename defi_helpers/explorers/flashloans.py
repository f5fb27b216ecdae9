"""Explorers and tables of the flash-loan chapter.

(a) a spot-oracle attack: the attacker's profit and the pool's price impact
    against the size of the pump, for a pool depth and a lender's LTV;
(b) the cost of moving a geometric TWAP against the blocks the attacker holds,
    for a window length and a target move.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import flashloans
from .._validate import Int, Real, contract
from ..charts.flashloans import attack_profit_chart, pool_label, twap_cost_chart
from ..explore import Explorer, Param
from ..i18n import tr
from ._domains import Grid

__all__ = ["spot_oracle_attack_explorer", "twap_manipulation_explorer", "attack_table",
           "twap_cost_table", "impact_table", "PUMP_GRID_USD", "BLOCKS_GRID",
           "COLLATERAL_USD", "TWAP_POOL_DEPTH_USD"]

#: x grid of explorer (a): USDC sold into the pool.
PUMP_GRID_USD = np.arange(0.0, 5_000_001.0, 250_000.0)
#: USDC the attacker also spends on collateral at the fair price (explorer a).
COLLATERAL_USD = 1_000_000.0
#: x grid of explorer (b): blocks held (log-spaced); rows with more blocks than the window are dropped.
BLOCKS_GRID = np.array([1, 2, 3, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300])
#: Full-range liquidity per side of the pool behind the TWAP (explorer b), USD.
TWAP_POOL_DEPTH_USD = 10_000_000.0

#: Largest amount of USD the tables take (USD 1e12, above any pool or loan), so that pool
#: arithmetic on the grids stays a float.
_MAX_USD = 1e12
#: Longest TWAP window: 24 hours of 12-second Ethereum blocks.
_MAX_WINDOW_BLOCKS = 7_200


@contract(pool_depth_musd=Real(lo=1e-3, hi=_MAX_USD / 1e6, scalar=True, example=2.0,
                               why="USDC in the pool, in USD million, from USD 1,000 up"),
          ltv=Real(lo=0, hi=1, lo_open=True, hi_open=True, scalar=True, example=0.7,
                   why="the lender's loan-to-value for the token"),
          pump_usd=Grid(lo=0, hi=_MAX_USD, why="USDC sold into the pool"),
          collateral_usd=Real(lo=0, hi=_MAX_USD, scalar=True, why="USDC spent on collateral"))
def attack_table(pool_depth_musd: float, ltv: float, pump_usd=PUMP_GRID_USD,
                 collateral_usd: float = COLLATERAL_USD) -> pd.DataFrame:
    """Spot-oracle attack over a grid of pump sizes, for one pool and one LTV.

    The pool holds ``pool_depth_musd`` million USDC and as many TKN at $1;
    0.3 % fee; flash premium 5 bps (Aave v3 default).

    Parameters
    ----------
    pool_depth_musd : float
        USDC in the pool, in USD million, from USD 1,000 up; {domain:pool_depth_musd}.
    ltv : float
        The lender's loan-to-value for the token; {domain:ltv}.
    pump_usd : sequence of float
        USDC sold into the pool; {domain:pump_usd}.
    collateral_usd : float
        USDC spent on collateral; {domain:collateral_usd}.
    """
    depth = pool_depth_musd * 1e6
    a = flashloans.spot_oracle_attack(pump_usd, depth, depth, collateral_usd, ltv)
    return pd.DataFrame({"pump_usd": pump_usd, "profit_usd": a.profit,
                         "price_impact": a.price_impact, "borrowed_usd": a.borrowed})


@contract(window_blocks=Int(lo=1, hi=_MAX_WINDOW_BLOCKS, why="blocks in the TWAP window, at most 24 hours"),
          target_move=Real(lo=0, hi=10, scalar=True, example=0.35,
                           why="the rise of the TWAP wanted, as a fraction: 0.35 means +35 %"),
          blocks=Grid(whole=True, lo=1, hi=_MAX_WINDOW_BLOCKS, why="blocks the attacker holds the price"),
          depth_usd=Real(lo=0, lo_open=True, hi=_MAX_USD, scalar=True, why="USD of each token in the pool"))
def twap_cost_table(window_blocks: float, target_move: float, blocks=BLOCKS_GRID,
                    depth_usd: float = TWAP_POOL_DEPTH_USD) -> pd.DataFrame:
    """Cost of lifting an ``n``-block geometric TWAP by ``target_move`` (fraction), per blocks held.

    Pool: ``depth_usd`` of each token at price 1 (full-range constant product).
    Rows with more ``blocks`` than the window are left out; at least one must
    fit. A move that would need a spot price or a cost beyond the float
    range is refused.

    Parameters
    ----------
    window_blocks : int
        Blocks in the TWAP window, at most 24 hours; {domain:window_blocks}.
    target_move : float
        The rise of the TWAP wanted, as a fraction: 0.35 means +35 %; {domain:target_move}.
    blocks : sequence of float
        Blocks the attacker holds the price; {domain:blocks}.
    depth_usd : float
        USD of each token in the pool; {domain:depth_usd}.
    """
    n = int(round(window_blocks))
    if np.min(blocks) > n:
        raise ValueError(f"blocks must hold at least one value <= window_blocks = {n}; "
                         f"got a smallest value of {np.min(blocks)}")
    m = np.asarray(blocks)[np.asarray(blocks) <= n].astype(float)
    target = 1.0 + target_move
    try:
        q = flashloans.twap_required_spot(target, 1.0, n, m)
        total = flashloans.twap_manipulation_cost(target, 1.0, n, m, depth_usd, depth_usd)
    except ValueError as exc:  # beyond float64: report it in this table's own parameters
        raise ValueError(f"target_move {target_move!r} over window_blocks {n}, held for as few as "
                         f"{m.min():g} blocks in a pool of depth_usd {depth_usd:g}, needs a spot price or a "
                         f"cost beyond the float range; drop the fewest blocks or ask for a smaller move "
                         f"({exc})") from None
    return pd.DataFrame({"blocks": m, "spot_multiple": q, "per_block_usd": total / m,
                         "cost_usd": total})


@contract(trades_usd=Grid(lo=0, hi=_MAX_USD, why="USDC paid into the pool"),
          depths_usd=Grid(lo=1e3, hi=_MAX_USD, max_points=20, why="USDC in the pool, from USD 1,000 up"))
def impact_table(trades_usd=np.linspace(0.0, 2e6, 41), depths_usd=(2e6, 2e7, 2e8)) -> pd.DataFrame:
    """Price impact of buying ETH (at $2,000) with USDC in pools of several depths (long format).

    Parameters
    ----------
    trades_usd : sequence of float
        USDC paid into the pool; {domain:trades_usd}.
    depths_usd : sequence of float
        USDC in the pool, from USD 1,000 up; {domain:depths_usd}.
    """
    frames = []
    for depth in depths_usd:
        frames.append(pd.DataFrame({
            "trade_usd": trades_usd,
            "price_impact": flashloans.cpmm_price_impact(trades_usd, depth, depth / 2_000.0),
            "pool": pool_label(depth),
        }))
    return pd.concat(frames, ignore_index=True)


@contract(returns=None)
def spot_oracle_attack_explorer() -> Explorer:
    """Explorer (a): profit of a flash-loan attack on a lender that reads a pool's spot price."""
    return Explorer(
        model=attack_table,
        params=[
            Param("pool_depth_musd", tr("Pool depth (USDC side)"), 1, 10, 1, 2, "USD million"),
            Param("ltv", tr("Lender's LTV for the token"), 0.6, 0.9, 0.1, 0.7, "fraction"),
        ],
        chart=attack_profit_chart,
        title=tr("A spot-price oracle is only as deep as its pool"),
        subtitle=tr("Attacker buys $1M of collateral at the fair price, pumps the pool the lender reads, "
                    "borrows LTV x the pumped value"),
        description=tr("Two lines against the USDC sold into the pool, from $0 to $5 million: the attacker's "
                       "profit in dollars (red, left axis) and the pool's price impact in per cent (blue dashed, "
                       "right axis). The profit starts negative, falls while the pump's slippage dominates, then "
                       "rises once the price has moved far enough, crossing zero sooner in a shallow pool or "
                       "with a generous LTV. A deeper pool flattens both curves."),
    )


@contract(returns=None)
def twap_manipulation_explorer() -> Explorer:
    """Explorer (b): Euler's cost of moving a geometric TWAP."""
    return Explorer(
        model=twap_cost_table,
        params=[
            Param("window_blocks", tr("TWAP window"), 30, 300, 30, 150, "blocks"),
            Param("target_move", tr("TWAP move wanted"), 0.05, 0.50, 0.05, 0.35, "fraction"),
        ],
        chart=twap_cost_chart,
        title=tr("Moving a TWAP: fewer blocks need absurd prices"),
        subtitle=tr("Geometric TWAP, $10M of full-range liquidity per side; cost = slippage paid every block "
                    "held"),
        description=tr("Two falling lines against the number of blocks the attacker holds the price, on a log "
                       "scale from 1 to 300: the total upper-bound cost in dollars (red, left axis, log scale) "
                       "and the spot price needed as a multiple of the honest price (blue dashed, right axis, "
                       "log scale). Holding one block requires an astronomical price and cost; spreading the "
                       "move over many blocks cuts both by orders of magnitude but exposes the attacker to "
                       "arbitrage for longer. A longer window or a larger move raises every point."),
    )
