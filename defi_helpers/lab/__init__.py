"""The protocol lab: Aave v3.0.2's own bytecode, running offline in a Python EVM.

A layer of its own: it may import the models to print them side by side; no
model imports it. Modules:

* :mod:`.artifacts` -- fetch (at set-up), verify (sha512 pinned in
  ``artifacts.json``) and read the compiled contracts of ``@aave/core-v3``
  1.19.3 (BUSL-1.1) and ``@uniswap/v2-core`` 1.0.1 (GPL-3.0-or-later);
* :mod:`.deploy` -- library linking and deployment from hardhat artifacts;
* :mod:`.market` -- :class:`AaveMarket`: deploy a market configured like Aave
  v3 Ethereum on 2023-10-31 and drive it (supply, borrow, prices, liquidation,
  flash loans, E-Mode, time travel, account data);
* :mod:`.errors` -- Aave's numeric revert codes to ``Errors.sol`` names.

Importing this package imports titanoboa (about 0.7 s); :mod:`.artifacts`
alone does not.
"""

from .artifacts import ArtifactsMissing
from .errors import ERRORS, AaveRevert, error_name
from .market import AaveMarket, Account, FlashLoanOutcome, LiquidationOutcome, Reserve

__all__ = ["AaveMarket", "Account", "Reserve", "LiquidationOutcome", "FlashLoanOutcome", "AaveRevert",
           "ArtifactsMissing", "ERRORS", "error_name"]
