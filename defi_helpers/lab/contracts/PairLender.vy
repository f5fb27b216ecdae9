# pragma version ~=0.4.3
"""
@title A minimal lending market that trusts one price oracle
@notice Deposit COLLATERAL, borrow DEBT up to LTV_BPS / 10,000 of the collateral's value as
        ORACLE.value_of() reports it (in DEBT units). No interest, no liquidation: just
        enough market to show that the loan is only as good as the price it was sized at.
        The same contract is deployed twice in the handbook: once over a SpotOracle,
        once over a TwapOracle. Written for The DeFi Lending Handbook (MIT).
"""
from ethereum.ercs import IERC20

interface IOracle:
    def value_of(amount: uint256) -> uint256: view

COLLATERAL: public(immutable(address))
DEBT: public(immutable(address))
ORACLE: public(immutable(address))
LTV_BPS: public(immutable(uint256))

collateral_of: public(HashMap[address, uint256])
debt_of: public(HashMap[address, uint256])


@deploy
def __init__(collateral: address, debt: address, oracle: address, ltv_bps: uint256):
    assert ltv_bps < 10000, "LTV must be below 100 %"
    COLLATERAL = collateral
    DEBT = debt
    ORACLE = oracle
    LTV_BPS = ltv_bps


@view
@internal
def _max_borrow(user: address) -> uint256:
    power: uint256 = staticcall IOracle(ORACLE).value_of(self.collateral_of[user]) * LTV_BPS // 10000
    if power <= self.debt_of[user]:
        return 0
    return power - self.debt_of[user]


@view
@external
def max_borrow(user: address) -> uint256:
    """@notice DEBT units `user` may still borrow at the oracle's current price."""
    return self._max_borrow(user)


@external
def deposit(amount: uint256):
    assert extcall IERC20(COLLATERAL).transferFrom(msg.sender, self, amount)
    self.collateral_of[msg.sender] += amount


@external
def borrow(amount: uint256):
    assert amount <= self._max_borrow(msg.sender), "borrow exceeds borrowing power"
    self.debt_of[msg.sender] += amount
    assert extcall IERC20(DEBT).transfer(msg.sender, amount)
