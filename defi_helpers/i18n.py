"""Translatable text: ``tr("Health factor")`` returns the string in the reader's language.

The language is chosen by the environment variable ``DEFI_HANDBOOK_LANG`` (``zh_TW``
for the Traditional Chinese edition, set by its book build; English when unset or
unknown), read at each call, so a kernel started by either edition's build speaks
its language. Translations are read from
``defi_helpers/locale/<lang>/LC_MESSAGES/defi_helpers.po`` (untranslated and fuzzy
entries fall back to English). The catalog is extracted with
``pybabel extract -k tr`` (``make translations``); a string built at run time is
translated as a template with named fields::

    tr("Aave v3 Ethereum, as configured on {date}").format(date=m.as_of)

The name is ``tr``, not ``_``: ``_`` is the throwaway variable of Python code.
"""

from __future__ import annotations

import ast
import os
from functools import lru_cache
from pathlib import Path

from ._validate import Str, contract

__all__ = ["tr", "tr_noop", "language"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "defi_helpers"
ENV = "DEFI_HANDBOOK_LANG"


def language() -> str:
    """The language of the text: ``DEFI_HANDBOOK_LANG`` if a catalog exists for it, else ``"en"``."""
    lang = os.environ.get(ENV, "").strip()
    return lang if lang and _catalog_file(lang).exists() else "en"


def _catalog_file(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


@lru_cache(maxsize=8)
def _catalog(lang: str, mtime_ns: int) -> dict[str, str]:
    """msgid -> msgstr of a .po file (no plurals or contexts: the package uses neither)."""
    messages: dict[str, str] = {}
    entry: dict[str, str] = {}
    key = None
    fuzzy = False

    def flush():
        nonlocal entry, fuzzy
        if entry.get("msgid") and entry.get("msgstr") and not fuzzy:
            messages[entry["msgid"]] = entry["msgstr"]
        entry, fuzzy = {}, False

    for raw in _catalog_file(lang).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            key = None
        elif line.startswith("#"):
            if "msgid" in entry:
                flush()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
        elif line.startswith(("msgid ", "msgstr ")):
            key, _, rest = line.partition(" ")
            if key == "msgid" and "msgstr" in entry:
                flush()
            entry[key] = _unquote(rest)
        elif line.startswith('"') and key:
            entry[key] += _unquote(line)
    flush()
    return messages


@contract(message=Str(max_len=5_000), returns=None)
def tr(message: str) -> str:
    """``message`` (English source text) in the reader's language; ``message`` itself if untranslated.

    Parameters
    ----------
    {domains}

    Examples
    --------
    >>> tr("Health factor")  # English unless DEFI_HANDBOOK_LANG names a catalog
    'Health factor'
    """
    lang = language()
    if lang == "en":
        return message
    path = _catalog_file(lang)
    return _catalog(lang, path.stat().st_mtime_ns).get(message, message)


@contract(text=Str(max_len=5_000), returns=None)
def tr_noop(text: str) -> str:
    """Mark ``text`` for the catalog without translating it here (a constant translated later,
    where it is used, with ``tr(text)``)."""
    return text
