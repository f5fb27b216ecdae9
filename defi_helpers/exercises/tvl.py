"""Self-checks for the TVL chapter: ``check("tvl.1", answer)``.

Every expected value is computed by :mod:`defi_helpers.tvl`, so the chapter,
its solutions and these checks cannot disagree.
"""

from __future__ import annotations

from .. import tvl as _tvl
from . import Expected

_E, _L = 100.0, 0.8
_supplied, _borrowed = _tvl.looped_deposits(_E, _L)
_graph = _tvl.staking_loop_graph(100.0, 0.8, 0.5, 0.8, 0.5)
_no_feedback = _tvl.staking_loop_graph(100.0, 0.8, 0.5, 0.8, 0.0)
_CHAIN_TVLS = {"Ethereum": 100.0, "Ethereum-borrowed": 30.0, "Arbitrum": 20.0,
               "Arbitrum-borrowed": 5.0, "staking": 40.0}

ANSWERS = {
    "1": Expected(
        value=_supplied,
        unit="USD",
        hint="At the loop limit supplied = E / (1 - LTV).",
        mistakes=(
            (_tvl.looped_deposits_after(_E, _L, 1)[0], "that is one loop only; run it to the limit."),
            (_E / _L, "you divided by the LTV; the series sums to E / (1 - LTV)."),
            (_supplied + _borrowed, "that adds the borrowed amount to the supplied amount."),
        ),
    ),
    "2": Expected(
        value=_tvl.defillama_tvl(_supplied, _borrowed),
        unit="USD",
        hint="DefiLlama's lending TVL is what the market still holds: supplied minus borrowed.",
        mistakes=(
            (_supplied, "that is the supplied total, which DefiLlama shows only with the borrows toggle on."),
            (_supplied + _borrowed, "that counts deposits and borrows."),
        ),
    ),
    "3": Expected(
        value=_tvl.independent_capital(10.0, 0.55),
        unit="USD bn",
        hint="Independent capital = TVL * (1 - f).",
        mistakes=(
            (10.0 * 0.55, "that is the recycled part, TVL * f."),
            (10.0 * _tvl.tvl_multiplier(0.55), "you multiplied by 1 / (1 - f) instead of dividing."),
        ),
    ),
    "4": Expected(
        value=_graph.naive_tvl(),
        unit="USD",
        hint="Follow the money round the loop: the staking node receives 100 plus what lending 2 lends back, "
             "so x_staking = 100 / (1 - product of the four fractions); then add every reserve, the lenders' "
             "USDC and ETH included.",
        mistakes=(
            (float(_graph.naive_tvl() - _graph.lenders().sum()),
             "that leaves out the lenders: the USDC and ETH that are borrowed were supplied by them, and sit "
             "in the lending markets' reserves until borrowed."),
            (_no_feedback.naive_tvl(), "that ignores the ETH lent by lending 2 and staked again (the cycle)."),
            (_graph.defillama_tvl(), "that is the DefiLlama-style figure; the question asks for naive TVL."),
        ),
    ),
    "5": Expected(
        value=_tvl.sum_chain_tvls(_CHAIN_TVLS, include=["borrowed"]),
        unit="USD m",
        hint="Add the plain chain keys, then every '-borrowed' key; leave staking out.",
        mistakes=(
            (_tvl.sum_chain_tvls(_CHAIN_TVLS, include=["borrowed", "staking"]), "staking is a separate toggle."),
            (_tvl.sum_chain_tvls(_CHAIN_TVLS), "that is the default figure, without borrows."),
        ),
    ),
}
