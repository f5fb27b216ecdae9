# pragma version ~=0.4.3
"""
@title A fixed-price seller of a token (the Synthetix depot of the bZx-2 attack)
@notice Sells TOKEN for QUOTE at a fixed rate: TOKEN units per QUOTE unit = RATE.
        Stands for "buying the collateral at the fair price elsewhere".
        Written for The DeFi Lending Handbook (MIT).
"""
from ethereum.ercs import IERC20

TOKEN: public(immutable(address))
QUOTE: public(immutable(address))
RATE: public(immutable(uint256))


@deploy
def __init__(token: address, quote: address, rate: uint256):
    TOKEN = token
    QUOTE = quote
    RATE = rate


@external
def buy(quote_amount: uint256) -> uint256:
    """@notice Pay `quote_amount` of QUOTE, receive quote_amount * RATE of TOKEN."""
    out: uint256 = quote_amount * RATE
    assert extcall IERC20(QUOTE).transferFrom(msg.sender, self, quote_amount)
    assert extcall IERC20(TOKEN).transfer(msg.sender, out)
    return out
