# pragma version ~=0.4.3
"""
@title Values a token at a Uniswap v2 pair's SPOT price (the design bZx used in 2020)
@notice value_of(amount) = amount * reserve_quote / reserve_base, from getReserves()
        read in the same transaction: one swap earlier in that transaction moves it.
        Written for The DeFi Lending Handbook (MIT).
"""

interface IUniswapV2Pair:
    def getReserves() -> (uint112, uint112, uint32): view
    def token0() -> address: view

PAIR: public(immutable(address))
BASE: public(immutable(address))


@deploy
def __init__(pair: address, base: address):
    PAIR = pair
    BASE = base


@view
@external
def value_of(amount: uint256) -> uint256:
    """@notice Quote units that `amount` base units are worth at the spot price (rounded down)."""
    r0: uint112 = 0
    r1: uint112 = 0
    ts: uint32 = 0
    r0, r1, ts = staticcall IUniswapV2Pair(PAIR).getReserves()
    if staticcall IUniswapV2Pair(PAIR).token0() == BASE:
        return amount * convert(r1, uint256) // convert(r0, uint256)
    return amount * convert(r0, uint256) // convert(r1, uint256)
