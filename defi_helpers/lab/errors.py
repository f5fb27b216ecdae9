"""Aave v3.0.2's revert reasons: numeric codes to names, and decoding boa's reverts.

Aave's contracts revert with short numeric strings (``require(..., '35')``)
defined in ``Errors.sol``. :data:`ERRORS` maps each code to its constant's name
and the comment beside it -- facts read from ``aave/aave-v3-core`` tag v1.19.3,
``contracts/protocol/libraries/helpers/Errors.sol`` (the file shipped in the
``@aave/core-v3@1.19.3`` package; the lab's tests check the table against the
compiled ``Errors`` library's getters). Codes differ between releases (e.g.
'35' is ``HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD`` here); never reuse
this table for v3.1+.
"""

from __future__ import annotations

from .._validate import Domain, Instance, check_str, contract

__all__ = ["ERRORS", "AaveRevert", "error_name", "error_code", "decode_revert"]

#: code -> (name, description), Aave v3.0.2 (aave-v3-core v1.19.3 Errors.sol).
ERRORS: dict[str, tuple[str, str]] = {
    '1': ('CALLER_NOT_POOL_ADMIN', 'The caller of the function is not a pool admin'),
    '2': ('CALLER_NOT_EMERGENCY_ADMIN', 'The caller of the function is not an emergency admin'),
    '3': ('CALLER_NOT_POOL_OR_EMERGENCY_ADMIN', 'The caller of the function is not a pool or emergency admin'),
    '4': ('CALLER_NOT_RISK_OR_POOL_ADMIN', 'The caller of the function is not a risk or pool admin'),
    '5': ('CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN', 'The caller of the function is not an asset listing or pool admin'),
    '6': ('CALLER_NOT_BRIDGE', 'The caller of the function is not a bridge'),
    '7': ('ADDRESSES_PROVIDER_NOT_REGISTERED', 'Pool addresses provider is not registered'),
    '8': ('INVALID_ADDRESSES_PROVIDER_ID', 'Invalid id for the pool addresses provider'),
    '9': ('NOT_CONTRACT', 'Address is not a contract'),
    '10': ('CALLER_NOT_POOL_CONFIGURATOR', 'The caller of the function is not the pool configurator'),
    '11': ('CALLER_NOT_ATOKEN', 'The caller of the function is not an AToken'),
    '12': ('INVALID_ADDRESSES_PROVIDER', 'The address of the pool addresses provider is invalid'),
    '13': ('INVALID_FLASHLOAN_EXECUTOR_RETURN', 'Invalid return value of the flashloan executor function'),
    '14': ('RESERVE_ALREADY_ADDED', 'Reserve has already been added to reserve list'),
    '15': ('NO_MORE_RESERVES_ALLOWED', 'Maximum amount of reserves in the pool reached'),
    '16': ('EMODE_CATEGORY_RESERVED', 'Zero eMode category is reserved for volatile heterogeneous assets'),
    '17': ('INVALID_EMODE_CATEGORY_ASSIGNMENT', 'Invalid eMode category assignment to asset'),
    '18': ('RESERVE_LIQUIDITY_NOT_ZERO', 'The liquidity of the reserve needs to be 0'),
    '19': ('FLASHLOAN_PREMIUM_INVALID', 'Invalid flashloan premium'),
    '20': ('INVALID_RESERVE_PARAMS', 'Invalid risk parameters for the reserve'),
    '21': ('INVALID_EMODE_CATEGORY_PARAMS', 'Invalid risk parameters for the eMode category'),
    '22': ('BRIDGE_PROTOCOL_FEE_INVALID', 'Invalid bridge protocol fee'),
    '23': ('CALLER_MUST_BE_POOL', 'The caller of this function must be a pool'),
    '24': ('INVALID_MINT_AMOUNT', 'Invalid amount to mint'),
    '25': ('INVALID_BURN_AMOUNT', 'Invalid amount to burn'),
    '26': ('INVALID_AMOUNT', 'Amount must be greater than 0'),
    '27': ('RESERVE_INACTIVE', 'Action requires an active reserve'),
    '28': ('RESERVE_FROZEN', 'Action cannot be performed because the reserve is frozen'),
    '29': ('RESERVE_PAUSED', 'Action cannot be performed because the reserve is paused'),
    '30': ('BORROWING_NOT_ENABLED', 'Borrowing is not enabled'),
    '31': ('STABLE_BORROWING_NOT_ENABLED', 'Stable borrowing is not enabled'),
    '32': ('NOT_ENOUGH_AVAILABLE_USER_BALANCE', 'User cannot withdraw more than the available balance'),
    '33': ('INVALID_INTEREST_RATE_MODE_SELECTED', 'Invalid interest rate mode selected'),
    '34': ('COLLATERAL_BALANCE_IS_ZERO', 'The collateral balance is 0'),
    '35': ('HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD', 'Health factor is lesser than the liquidation threshold'),
    '36': ('COLLATERAL_CANNOT_COVER_NEW_BORROW', 'There is not enough collateral to cover a new borrow'),
    '37': ('COLLATERAL_SAME_AS_BORROWING_CURRENCY', 'Collateral is (mostly) the same currency that is being borrowed'),
    '38': ('AMOUNT_BIGGER_THAN_MAX_LOAN_SIZE_STABLE', 'The requested amount is greater than the max loan size in stable rate mode'),
    '39': ('NO_DEBT_OF_SELECTED_TYPE', 'For repayment of a specific type of debt, the user needs to have debt that type'),
    '40': ('NO_EXPLICIT_AMOUNT_TO_REPAY_ON_BEHALF', 'To repay on behalf of a user an explicit amount to repay is needed'),
    '41': ('NO_OUTSTANDING_STABLE_DEBT', 'User does not have outstanding stable rate debt on this reserve'),
    '42': ('NO_OUTSTANDING_VARIABLE_DEBT', 'User does not have outstanding variable rate debt on this reserve'),
    '43': ('UNDERLYING_BALANCE_ZERO', 'The underlying balance needs to be greater than 0'),
    '44': ('INTEREST_RATE_REBALANCE_CONDITIONS_NOT_MET', 'Interest rate rebalance conditions were not met'),
    '45': ('HEALTH_FACTOR_NOT_BELOW_THRESHOLD', 'Health factor is not below the threshold'),
    '46': ('COLLATERAL_CANNOT_BE_LIQUIDATED', 'The collateral chosen cannot be liquidated'),
    '47': ('SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER', 'User did not borrow the specified currency'),
    '49': ('INCONSISTENT_FLASHLOAN_PARAMS', 'Inconsistent flashloan parameters'),
    '50': ('BORROW_CAP_EXCEEDED', 'Borrow cap is exceeded'),
    '51': ('SUPPLY_CAP_EXCEEDED', 'Supply cap is exceeded'),
    '52': ('UNBACKED_MINT_CAP_EXCEEDED', 'Unbacked mint cap is exceeded'),
    '53': ('DEBT_CEILING_EXCEEDED', 'Debt ceiling is exceeded'),
    '54': ('UNDERLYING_CLAIMABLE_RIGHTS_NOT_ZERO', 'Claimable rights over underlying not zero (aToken supply or accruedToTreasury)'),
    '55': ('STABLE_DEBT_NOT_ZERO', 'Stable debt supply is not zero'),
    '56': ('VARIABLE_DEBT_SUPPLY_NOT_ZERO', 'Variable debt supply is not zero'),
    '57': ('LTV_VALIDATION_FAILED', 'Ltv validation failed'),
    '58': ('INCONSISTENT_EMODE_CATEGORY', 'Inconsistent eMode category'),
    '59': ('PRICE_ORACLE_SENTINEL_CHECK_FAILED', 'Price oracle sentinel validation failed'),
    '60': ('ASSET_NOT_BORROWABLE_IN_ISOLATION', 'Asset is not borrowable in isolation mode'),
    '61': ('RESERVE_ALREADY_INITIALIZED', 'Reserve has already been initialized'),
    '62': ('USER_IN_ISOLATION_MODE_OR_LTV_ZERO', 'User is in isolation mode or ltv is zero'),
    '63': ('INVALID_LTV', 'Invalid ltv parameter for the reserve'),
    '64': ('INVALID_LIQ_THRESHOLD', 'Invalid liquidity threshold parameter for the reserve'),
    '65': ('INVALID_LIQ_BONUS', 'Invalid liquidity bonus parameter for the reserve'),
    '66': ('INVALID_DECIMALS', 'Invalid decimals parameter of the underlying asset of the reserve'),
    '67': ('INVALID_RESERVE_FACTOR', 'Invalid reserve factor parameter for the reserve'),
    '68': ('INVALID_BORROW_CAP', 'Invalid borrow cap for the reserve'),
    '69': ('INVALID_SUPPLY_CAP', 'Invalid supply cap for the reserve'),
    '70': ('INVALID_LIQUIDATION_PROTOCOL_FEE', 'Invalid liquidation protocol fee for the reserve'),
    '71': ('INVALID_EMODE_CATEGORY', 'Invalid eMode category for the reserve'),
    '72': ('INVALID_UNBACKED_MINT_CAP', 'Invalid unbacked mint cap for the reserve'),
    '73': ('INVALID_DEBT_CEILING', 'Invalid debt ceiling for the reserve'),
    '74': ('INVALID_RESERVE_INDEX', 'Invalid reserve index'),
    '75': ('ACL_ADMIN_CANNOT_BE_ZERO', 'ACL admin cannot be set to the zero address'),
    '76': ('INCONSISTENT_PARAMS_LENGTH', 'Array parameters that should be equal length are not'),
    '77': ('ZERO_ADDRESS_NOT_VALID', 'Zero address not valid'),
    '78': ('INVALID_EXPIRATION', 'Invalid expiration'),
    '79': ('INVALID_SIGNATURE', 'Invalid signature'),
    '80': ('OPERATION_NOT_SUPPORTED', 'Operation not supported'),
    '81': ('DEBT_CEILING_NOT_ZERO', 'Debt ceiling is not zero'),
    '82': ('ASSET_NOT_LISTED', 'Asset is not listed'),
    '83': ('INVALID_OPTIMAL_USAGE_RATIO', 'Invalid optimal usage ratio'),
    '84': ('INVALID_OPTIMAL_STABLE_TO_TOTAL_DEBT_RATIO', 'Invalid optimal stable to total debt ratio'),
    '85': ('UNDERLYING_CANNOT_BE_RESCUED', 'The underlying asset cannot be rescued'),
    '86': ('ADDRESSES_PROVIDER_ALREADY_ADDED', 'Reserve has already been added to reserve list'),
    '87': ('POOL_ADDRESSES_DO_NOT_MATCH', 'The token implementation pool address and the pool address provided by the initializing pool do not match'),
    '88': ('STABLE_BORROWING_ENABLED', 'Stable borrowing is enabled'),
    '89': ('SILOED_BORROWING_VIOLATION', 'User is trying to borrow multiple assets including a siloed one'),
    '90': ('RESERVE_DEBT_NOT_ZERO', 'the total debt of the reserve needs to be 0'),
    '91': ('FLASHLOAN_DISABLED', 'FlashLoaning for this asset is disabled'),
}

_BY_NAME = {name: code for code, (name, _) in ERRORS.items()}


class _Code(Domain):
    """One of Aave v3.0.2's error codes, as a string (``'35'``) or a whole number (``35``)."""

    type_text = "str or int"

    def check(self, name, value):
        ok = (isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))) \
            and str(value) in ERRORS
        if not ok:
            raise ValueError(f"{name} must be {self.describe()}; got {value!r}")
        return value

    def describe(self):
        return f"one of Aave v3.0.2's error codes 1-{max(map(int, ERRORS))} (48 is unused)"

    def example(self):
        return "35"


class _Name(Domain):
    """One of the ``Errors.sol`` constant names."""

    type_text = "str"

    def check(self, name, value):
        check_str(name, value, max_len=64)
        if value not in _BY_NAME:
            raise ValueError(f"{name} must be an Aave v3.0.2 Errors.sol name (e.g. 'INVALID_AMOUNT'); got {value!r}")
        return value

    def describe(self):
        return "an Aave v3.0.2 Errors.sol name (e.g. 'INVALID_AMOUNT')"

    def example(self):
        return "INVALID_AMOUNT"


class AaveRevert(Exception):
    """A call into the lab's contracts reverted.

    Attributes
    ----------
    reason : str or None
        The raw revert string (``'35'`` or an ERC20 message), if any.
    code, name, description : str or None
        Aave's error code, its ``Errors.sol`` name and comment, when the reason
        is one of Aave's codes.
    call : str
        What was being done (e.g. ``"borrow 1000 USDC for alice"``).
    """

    def __init__(self, call: str, reason: str | None, detail: str = ""):
        self.call, self.reason = call, reason
        entry = ERRORS.get(reason or "")
        self.code = reason if entry else None
        self.name, self.description = entry if entry else (None, None)
        if entry:
            msg = f"{call}: reverted with Aave error {reason} {self.name} ({self.description})"
        elif reason:
            msg = f"{call}: reverted with {reason!r}"
        else:
            msg = f"{call}: reverted{(': ' + detail) if detail else ''}"
        super().__init__(msg)


@contract(code=_Code())
def error_name(code: str | int) -> str:
    """``Errors.sol`` name of an Aave v3.0.2 error code.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> error_name('35')
    'HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD'
    """
    return ERRORS[str(code)][0]


@contract(name=_Name())
def error_code(name: str) -> str:
    """Code of an ``Errors.sol`` name (inverse of :func:`error_name`).

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> error_code('HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD')
    '35'
    """
    return _BY_NAME[name]


@contract(exc=Instance(BaseException, example=lambda: RuntimeError("no revert data"), text="exception"))
def decode_revert(exc: BaseException) -> str | None:
    """The revert string carried by a boa exception, or ``None`` if there is none.

    Parameters
    ----------
    {domains}

    Solidity's ``Error(string)`` return data is ABI-encoded after the selector
    ``0x08c379a0``; boa keeps the failed computation on the exception.
    """
    from eth_abi import decode

    frames = []
    for obj in (exc, getattr(exc, "__cause__", None)):
        if obj is None:
            continue
        frames.append(obj)
        frames.extend(a for a in getattr(obj, "args", ()) if hasattr(a, "computation"))
    for obj in frames:
        comp = getattr(obj, "computation", None)
        if comp is None:
            continue
        data = bytes(getattr(comp, "output", b"") or b"")
        if data[:4] == bytes.fromhex("08c379a0"):
            try:
                return decode(["string"], data[4:])[0]
            except Exception:  # noqa: BLE001 - malformed data: no reason to report
                return None
    return None
