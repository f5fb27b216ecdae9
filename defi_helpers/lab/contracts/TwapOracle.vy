# pragma version ~=0.4.3
"""
@title Values a token at a Uniswap v2 pair's time-weighted average price
@notice Uniswap v2 pairs add price * seconds to price0CumulativeLast / price1CumulativeLast
        (UQ112x112) before the first trade of each block. This oracle stores the
        accumulator at the start of a window of at least PERIOD seconds; update()
        closes the window and sets the average = (cumulative now - cumulative then)
        / seconds elapsed. value_of() uses that stored average, which no trade in
        the current transaction can change: a swap in this block accumulates only the
        price *before* it. Same idea as Uniswap's ExampleOracleSimple
        (Uniswap/v2-periphery), written independently for The DeFi Lending Handbook (MIT).
"""

interface IUniswapV2Pair:
    def getReserves() -> (uint112, uint112, uint32): view
    def token0() -> address: view
    def price0CumulativeLast() -> uint256: view
    def price1CumulativeLast() -> uint256: view

PAIR: public(immutable(address))
BASE: public(immutable(address))
PERIOD: public(immutable(uint256))

cumulative_last: public(uint256)
timestamp_last: public(uint256)
price_average: public(uint256)   # quote units per base unit, UQ112x112


@deploy
def __init__(pair: address, base: address, period: uint256):
    PAIR = pair
    BASE = base
    PERIOD = period
    self.cumulative_last = self._cumulative()
    self.timestamp_last = block.timestamp


@view
@internal
def _cumulative() -> uint256:
    # the pair's accumulator, brought to now with the current reserves if no trade
    # has touched the pair in this block (the counterfactual of UniswapV2OracleLibrary)
    r0: uint112 = 0
    r1: uint112 = 0
    last: uint32 = 0
    r0, r1, last = staticcall IUniswapV2Pair(PAIR).getReserves()
    base_is_0: bool = staticcall IUniswapV2Pair(PAIR).token0() == BASE
    c: uint256 = 0
    price: uint256 = 0
    if base_is_0:
        c = staticcall IUniswapV2Pair(PAIR).price0CumulativeLast()
        price = (convert(r1, uint256) << 112) // convert(r0, uint256)
    else:
        c = staticcall IUniswapV2Pair(PAIR).price1CumulativeLast()
        price = (convert(r0, uint256) << 112) // convert(r1, uint256)
    now: uint256 = block.timestamp % 2**32
    if convert(last, uint256) != now:
        c += price * ((now + 2**32 - convert(last, uint256)) % 2**32)
    return c


@external
def update():
    """@notice Close the window (at least PERIOD seconds long) and store its average price."""
    elapsed: uint256 = block.timestamp - self.timestamp_last
    assert elapsed >= PERIOD, "TWAP window not elapsed"
    c: uint256 = self._cumulative()
    self.price_average = (c - self.cumulative_last) // elapsed
    self.cumulative_last = c
    self.timestamp_last = block.timestamp


@view
@external
def value_of(amount: uint256) -> uint256:
    """@notice Quote units that `amount` base units are worth at the stored average price."""
    assert self.price_average > 0, "no average yet"
    return amount * self.price_average >> 112
