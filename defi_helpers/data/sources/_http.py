"""HTTP plumbing shared by the live sources: one session, retries, timeouts.

Retries are urllib3's :class:`~urllib3.util.Retry` mounted on a
:class:`requests.Session` (no hand-written retry loop): GET requests are
retried on connection errors and on HTTP 429/500/502/503/504 with
exponential backoff, and a ``Retry-After`` header on 429/503 is honoured
(capped at ``HttpSettings.retry_after_max`` seconds). Every request has a
(connect, read) timeout.

Base URLs default to the providers' public hosts and can be overridden, for a
fake server in tests or a mirror, by ``base_urls={"llama_api": ...}``, by
``DEFI_HANDBOOK_BASE_URL_<HOST>`` (e.g. ``DEFI_HANDBOOK_BASE_URL_LLAMA_API``),
or for every host at once by ``DEFI_HANDBOOK_BASE_URL``.
"""

from __future__ import annotations

import inspect
import json
import os
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from ..._validate import check_int, check_number

__all__ = [
    "DEFAULT_BASE_URLS",
    "HttpSettings",
    "Client",
    "LiveDataError",
    "FetchError",
    "SchemaError",
]

#: Public hosts of the providers (checked 2025-11 against each provider's docs:
#: DefiLlama OpenAPI ``servers`` in DefiLlama/api-docs defillama-openapi-free.json;
#: docs.lido.fi/integrations/api; docs.pendle.finance Backend API overview;
#: developers.binance.com USDⓈ-M futures market data; bybit-exchange.github.io v5).
DEFAULT_BASE_URLS: dict[str, str] = {
    "llama_api": "https://api.llama.fi",
    "llama_yields": "https://yields.llama.fi",
    "llama_stablecoins": "https://stablecoins.llama.fi",
    "lido": "https://eth-api.lido.fi",
    "pendle": "https://api-v2.pendle.finance/core",
    "binance_futures": "https://fapi.binance.com",
    "bybit": "https://api.bybit.com",
}

_RETRY_STATUSES = (429, 500, 502, 503, 504)


class LiveDataError(RuntimeError):
    """A live refresh failed. ``source`` names the provider/endpoint."""

    def __init__(self, source: str, reason: str, url: str | None = None):
        self.source = source
        self.reason = reason
        self.url = url
        where = f" ({url})" if url else ""
        super().__init__(f"{source}{where}: {reason}")


class FetchError(LiveDataError):
    """The provider could not be reached or answered with an HTTP error."""


class SchemaError(LiveDataError):
    """The response arrived but is malformed, empty or not the documented shape."""


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts and retry policy for live requests.

    Parameters
    ----------
    connect_timeout, read_timeout : float
        Seconds to wait for a connection and for each read, > 0.
    retries : int
        Retries after the first attempt on connection errors and HTTP
        429/5xx (read timeouts are retried at most once), >= 0.
    backoff_factor : float
        urllib3 backoff: sleep ``backoff_factor * 2**(n-1)`` s before retry n
        (no sleep before the first retry), >= 0.
    retry_after_max : float
        Longest ``Retry-After`` wait honoured, in seconds, >= 0.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff_factor: float = 0.5
    retry_after_max: float = 30.0
    user_agent: str = "defi-handbook-live-data/0.1 (+python-requests)"

    def __post_init__(self):
        check_number("connect_timeout", self.connect_timeout, lo=0, lo_open=True)
        check_number("read_timeout", self.read_timeout, lo=0, lo_open=True)
        check_int("retries", self.retries, lo=0, hi=10)
        check_number("backoff_factor", self.backoff_factor, lo=0, hi=60)
        check_number("retry_after_max", self.retry_after_max, lo=0, hi=3600)


def _retry(settings: HttpSettings) -> Retry:
    kwargs: dict[str, Any] = dict(
        total=settings.retries,
        connect=settings.retries,
        read=min(1, settings.retries),
        status=settings.retries,
        other=0,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=_RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    params = inspect.signature(Retry.__init__).parameters
    if "retry_after_max" in params:  # urllib3 >= 2.5; older versions don't cap
        kwargs["retry_after_max"] = int(round(settings.retry_after_max))
    return Retry(**kwargs)


def resolve_base_urls(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Default hosts, then ``DEFI_HANDBOOK_BASE_URL``, per-host env vars, ``overrides``."""
    urls = dict(DEFAULT_BASE_URLS)
    everything = os.environ.get("DEFI_HANDBOOK_BASE_URL", "").strip()
    for host in urls:
        env = os.environ.get(f"DEFI_HANDBOOK_BASE_URL_{host.upper()}", "").strip()
        if env:
            urls[host] = env
        elif everything:
            urls[host] = everything
    for host, url in (overrides or {}).items():
        if host not in urls:
            raise ValueError(f"base_urls keys must be among {sorted(urls)}; got {host!r}")
        urls[host] = url
    return {h: u.rstrip("/") for h, u in urls.items()}


def _reason(exc: BaseException, settings: HttpSettings) -> str:
    """A short human reason for a requests exception."""
    text = repr(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return f"connection timed out after {settings.connect_timeout:g} s"
    if isinstance(exc, requests.ReadTimeout) or "Read timed out" in text or "ReadTimeoutError" in text:
        return f"no response within the {settings.read_timeout:g} s read timeout"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect (offline, DNS failure or connection refused)"
    return f"{type(exc).__name__}: {exc}"


def _error_detail(resp: requests.Response) -> str:
    """The provider's own error message, if the error body carries one."""
    try:
        body = json.loads(resp.content.decode("utf-8", errors="replace"))
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("msg", "message", "retMsg", "error"):
            if isinstance(body.get(key), str) and body[key].strip():
                return f": {body[key].strip()[:120]}"
    return ""


@dataclass
class Client:
    """A requests session with retries, timeouts and resolved base URLs.

    ``urls`` records every URL fetched and ``fetched`` the matching
    ``(source name, url)`` pairs, for the dataset's source metadata.
    """

    settings: HttpSettings = field(default_factory=HttpSettings)
    base_urls: dict[str, str] | None = None
    urls: list[str] = field(default_factory=list)
    fetched: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self):
        self.base_urls = resolve_base_urls(self.base_urls)
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": self.settings.user_agent, "Accept": "application/json"})
        adapter = HTTPAdapter(max_retries=_retry(self.settings))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def url(self, host: str, path: str) -> str:
        return f"{self.base_urls[host]}/{path.lstrip('/')}"

    def get_json(self, host: str, path: str, params: dict | None = None, *, source: str) -> Any:
        """GET ``path`` on ``host`` and return the decoded JSON.

        Raises
        ------
        FetchError
            Timeout, connection failure, or an HTTP error status (after the
            retries for 429/5xx are used up).
        SchemaError
            An empty body or a body that is not valid JSON.
        """
        url = self.url(host, path)
        try:
            resp = self.session.get(
                url, params=params,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            )
        except requests.RequestException as exc:
            raise FetchError(source, _reason(exc, self.settings), url) from exc
        full_url = resp.url or url
        self.urls.append(full_url)
        self.fetched.append((source, full_url))
        if resp.status_code >= 400:
            history = getattr(getattr(resp.raw, "retries", None), "history", ()) or ()
            tries = f" after {len(history)} retr{'y' if len(history) == 1 else 'ies'}" if history else ""
            wait = resp.headers.get("Retry-After")
            hint = f" (server asked to retry after {wait} s)" if wait and resp.status_code == 429 else ""
            detail = _error_detail(resp)
            raise FetchError(source, f"HTTP {resp.status_code} {resp.reason or ''}".rstrip() + tries + hint + detail,
                             full_url)
        text = resp.content.decode(resp.encoding or "utf-8", errors="replace")
        if not text.strip():
            raise SchemaError(source, "empty response body", full_url)
        try:
            return json.loads(text)
        except ValueError as exc:
            snippet = text.strip()[:60].replace("\n", " ")
            raise SchemaError(source, f"malformed JSON ({exc.args[0] if exc.args else exc}); body starts {snippet!r}", full_url) from None
