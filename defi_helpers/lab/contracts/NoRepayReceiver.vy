# pragma version ~=0.4.3
"""
@title A flash-loan receiver that keeps the money
@notice Aave v3 `flashLoanSimple` receiver (IFlashLoanSimpleReceiver.executeOperation)
        that sends the borrowed tokens to its owner's wallet and approves nothing.
        The pool's pull of amount + premium then fails and the whole transaction
        reverts: the tokens never leave the pool. Written for The DeFi Lending
        Handbook (MIT).
"""
from ethereum.ercs import IERC20

interface IPool:
    def flashLoanSimple(receiver: address, asset: address, amount: uint256, params: Bytes[32], referral: uint16): nonpayable

POOL: public(immutable(address))
OWNER: public(immutable(address))


@deploy
def __init__(pool: address, owner: address):
    POOL = pool
    OWNER = owner


@external
def borrow(asset: address, amount: uint256):
    """@notice Take a flash loan of `amount` and try to keep it."""
    extcall IPool(POOL).flashLoanSimple(self, asset, amount, b"", 0)


@external
def executeOperation(asset: address, amount: uint256, premium: uint256, initiator: address,
                     params: Bytes[32]) -> bool:
    assert msg.sender == POOL, "caller is not the pool"
    assert extcall IERC20(asset).transfer(OWNER, amount)
    return True
