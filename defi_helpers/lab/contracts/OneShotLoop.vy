# pragma version ~=0.4.3
"""
@title One-shot leverage with Aave's flashLoan and interestRateModes = [2]
@notice loop(): flash-borrow DEBT with mode 2 on behalf of the user; inside executeOperation
        swap it for COLLATERAL in a Uniswap v2 pair and supply it to Aave on the user's behalf.
        With mode 2 the pool does not pull the loan back: it opens it as the user's variable
        debt (FlashLoanLogic.executeFlashLoan -> BorrowLogic.executeBorrow), which passes only
        if the user's position, with the new collateral, allows it. The user must first
        delegate credit to this contract (VariableDebtToken.approveDelegation).
        Written for The DeFi Lending Handbook (MIT).
"""
from ethereum.ercs import IERC20

interface IPool:
    def flashLoan(receiver: address, assets: DynArray[address, 1], amounts: DynArray[uint256, 1], modes: DynArray[uint256, 1], on_behalf_of: address, params: Bytes[32], referral: uint16): nonpayable
    def supply(asset: address, amount: uint256, on_behalf_of: address, referral: uint16): nonpayable

interface IUniswapV2Pair:
    def getReserves() -> (uint112, uint112, uint32): view
    def token0() -> address: view
    def swap(amount0Out: uint256, amount1Out: uint256, to: address, data: Bytes[32]): nonpayable

POOL: public(immutable(address))

collateral: address
pair: address
user: address


@deploy
def __init__(pool: address):
    POOL = pool


@external
def loop(debt: address, amount: uint256, collateral: address, pair: address):
    """@notice Open `amount` of `debt` as msg.sender's variable debt, fully invested in `collateral`."""
    self.collateral = collateral
    self.pair = pair
    self.user = msg.sender
    extcall IPool(POOL).flashLoan(self, [debt], [amount], [2], msg.sender, b"", 0)


@external
def executeOperation(assets: DynArray[address, 1], amounts: DynArray[uint256, 1],
                     premiums: DynArray[uint256, 1], initiator: address, params: Bytes[32]) -> bool:
    assert msg.sender == POOL and initiator == self, "not our flash loan"
    debt: address = assets[0]
    r0: uint112 = 0
    r1: uint112 = 0
    ts: uint32 = 0
    r0, r1, ts = staticcall IUniswapV2Pair(self.pair).getReserves()
    in_is_0: bool = staticcall IUniswapV2Pair(self.pair).token0() == debt
    r_in: uint256 = convert(r1, uint256)
    r_out: uint256 = convert(r0, uint256)
    if in_is_0:
        r_in = convert(r0, uint256)
        r_out = convert(r1, uint256)
    fee_in: uint256 = amounts[0] * 997
    out: uint256 = fee_in * r_out // (r_in * 1000 + fee_in)
    assert extcall IERC20(debt).transfer(self.pair, amounts[0])
    if in_is_0:
        extcall IUniswapV2Pair(self.pair).swap(0, out, self, b"")
    else:
        extcall IUniswapV2Pair(self.pair).swap(out, 0, self, b"")
    assert extcall IERC20(self.collateral).approve(POOL, out)
    extcall IPool(POOL).supply(self.collateral, out, self.user, 0)
    return True
