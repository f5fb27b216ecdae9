# pragma version ~=0.4.3
"""
@title Two legitimate uses of an Aave flash loan (flashLoanSimple), each in one transaction
@notice arbitrage(): borrow QUOTE, buy a token in one Uniswap v2 pair, sell it in another.
        liquidate(): borrow the debt asset, call Aave's liquidationCall on an unhealthy
        borrower, sell the seized collateral in a Uniswap v2 pair.
        Both repay amount + premium and send the rest to OWNER, and both revert -- so that
        nothing happens -- unless the proceeds cover the loan and its premium: the
        "profit guard" every such bot has. Written for The DeFi Lending Handbook (MIT).
"""
from ethereum.ercs import IERC20

interface IPool:
    def flashLoanSimple(receiver: address, asset: address, amount: uint256, params: Bytes[32], referral: uint16): nonpayable
    def liquidationCall(collateral: address, debt: address, user: address, debt_to_cover: uint256, receive_a_token: bool): nonpayable

interface IUniswapV2Pair:
    def getReserves() -> (uint112, uint112, uint32): view
    def token0() -> address: view
    def swap(amount0Out: uint256, amount1Out: uint256, to: address, data: Bytes[32]): nonpayable

POOL: public(immutable(address))
OWNER: public(immutable(address))

mode: uint256          # 1 arbitrage, 2 liquidation
token: address         # arbitrage: the token bought and sold; liquidation: the collateral
pair_a: address        # arbitrage: buy here; liquidation: sell the collateral here
pair_b: address        # arbitrage: sell here
borrower: address
profit: public(uint256)


@deploy
def __init__(pool: address, owner: address):
    POOL = pool
    OWNER = owner


@internal
def _swap(pair: address, token_in: address, amount_in: uint256) -> uint256:
    r0: uint112 = 0
    r1: uint112 = 0
    ts: uint32 = 0
    r0, r1, ts = staticcall IUniswapV2Pair(pair).getReserves()
    in_is_0: bool = staticcall IUniswapV2Pair(pair).token0() == token_in
    r_in: uint256 = convert(r1, uint256)
    r_out: uint256 = convert(r0, uint256)
    if in_is_0:
        r_in = convert(r0, uint256)
        r_out = convert(r1, uint256)
    fee_in: uint256 = amount_in * 997
    out: uint256 = fee_in * r_out // (r_in * 1000 + fee_in)
    assert extcall IERC20(token_in).transfer(pair, amount_in)
    if in_is_0:
        extcall IUniswapV2Pair(pair).swap(0, out, self, b"")
    else:
        extcall IUniswapV2Pair(pair).swap(out, 0, self, b"")
    return out


@internal
def _payout(asset: address):
    bal: uint256 = staticcall IERC20(asset).balanceOf(self)
    self.profit = bal
    if bal > 0:
        assert extcall IERC20(asset).transfer(OWNER, bal)


@external
def arbitrage(quote: address, amount: uint256, token: address, buy_pair: address, sell_pair: address):
    assert msg.sender == OWNER, "only the owner"
    self.mode = 1
    self.token = token
    self.pair_a = buy_pair
    self.pair_b = sell_pair
    extcall IPool(POOL).flashLoanSimple(self, quote, amount, b"", 0)
    self._payout(quote)


@external
def liquidate(debt: address, amount: uint256, collateral: address, borrower: address, sell_pair: address):
    assert msg.sender == OWNER, "only the owner"
    self.mode = 2
    self.token = collateral
    self.pair_a = sell_pair
    self.borrower = borrower
    extcall IPool(POOL).flashLoanSimple(self, debt, amount, b"", 0)
    self._payout(debt)


@external
def executeOperation(asset: address, amount: uint256, premium: uint256, initiator: address,
                     params: Bytes[32]) -> bool:
    assert msg.sender == POOL and initiator == self, "not our flash loan"
    if self.mode == 1:
        bought: uint256 = self._swap(self.pair_a, asset, amount)
        self._swap(self.pair_b, self.token, bought)
    else:
        assert extcall IERC20(asset).approve(POOL, amount)
        extcall IPool(POOL).liquidationCall(self.token, asset, self.borrower, amount, False)
        self._swap(self.pair_a, self.token, staticcall IERC20(self.token).balanceOf(self))
    assert staticcall IERC20(asset).balanceOf(self) >= amount + premium, "does not pay: proceeds below loan + premium"
    assert extcall IERC20(asset).approve(POOL, amount + premium)
    return True
