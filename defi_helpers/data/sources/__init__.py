"""Live data providers, one module each; see :mod:`defi_helpers.data.live`.

* :mod:`.defillama` -- protocol/chain TVL, yield pools, stablecoin supply;
* :mod:`.lido` -- stETH APR;
* :mod:`.pendle` -- PT markets and implied/underlying APY history;
* :mod:`.funding` -- perpetual funding rates (Binance USDⓈ-M, Bybit v5).

Each function takes a :class:`~._http.Client` (retries, timeouts, base URLs)
and returns a tidy DataFrame in the handbook's units, or raises
:class:`~._http.FetchError` / :class:`~._http.SchemaError`.
"""

from ._http import DEFAULT_BASE_URLS, Client, FetchError, HttpSettings, LiveDataError, SchemaError

__all__ = ["DEFAULT_BASE_URLS", "Client", "FetchError", "HttpSettings", "LiveDataError", "SchemaError"]
