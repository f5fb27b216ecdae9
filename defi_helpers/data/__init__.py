"""Dataset registry: bundled, hand-curated, dated snapshots with their sources.

Each dataset is a pair of files in ``defi_helpers/data/snapshots/``:

``<name>.csv``
    The table itself.
``<name>.json``
    Its metadata: ``title``, ``description``, ``unit``, ``as_of`` (ISO date),
    ``sources`` (a list of ``{"title", "url"}``, optionally ``"short"``: the name used in
    the source line under charts), ``licence``, ``confidence``
    (``A`` primary source, ``B`` reputable secondary, ``C`` approximate; with
    a note), ``columns`` (column -> description with unit) and, optionally,
    ``translate`` (the free-text columns -- notes, events, mechanisms -- that a
    non-English edition reads translated, from the package catalog; never a column
    that code filters on).

:func:`load` returns a :class:`pandas.DataFrame` whose ``attrs["meta"]`` holds
that metadata as a :class:`DatasetMeta`. Loading never touches the network.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pandas as pd

from .._validate import Choice, Domain, Instance, Opt, Str, check_str, contract
from ..i18n import language, tr

__all__ = ["DatasetMeta", "load", "list_datasets", "meta", "catalog_markdown", "source_line"]

_REQUIRED = ("title", "description", "unit", "as_of", "sources", "licence", "confidence", "columns")


class _DatasetName(Domain):
    """The name of a bundled dataset: one that :func:`list_datasets` lists (never a path)."""

    type_text = "str"

    def check(self, name, value):
        check_str(name, value, max_len=100)
        names = list_datasets()
        if value not in names:
            raise ValueError(f"{name} must be one of {names}; got {value!r}")
        return value

    def describe(self):
        return "a name listed by list_datasets() (not a path)"

    def example(self):
        return "aave_v3_ethereum_reserves"


_NAME = _DatasetName()
_TEXT = Str(max_len=5_000)


@contract(name=Str(), title=Str(max_len=500), description=_TEXT, unit=Str(max_len=500),
          as_of=Str(nonempty=False, max_len=40),
          sources=Instance((tuple, list), example=lambda: ({"title": "x"},), text="tuple of dict"),
          licence=_TEXT, confidence=_TEXT, columns=Instance(dict, example=dict, text="dict of str"),
          fetched_at=Opt(Str(max_len=100)),
          translate=Instance((tuple, list), example=tuple, text="tuple of column names"))
@dataclass(frozen=True)
class DatasetMeta:
    """Metadata of one bundled dataset (see the module docstring).

    Checked on construction: the text fields are strings; ``sources`` is a
    tuple (or list, stored as a tuple) of dicts, each with a ``"title"``
    string; ``columns`` a dict; ``fetched_at`` None or a string.
    """

    name: str
    title: str
    description: str
    unit: str
    as_of: str
    sources: tuple[dict, ...]
    licence: str
    confidence: str
    columns: dict = field(default_factory=dict)
    fetched_at: str | None = None
    translate: tuple = ()
    """Set when the data came from a live fetch rather than the snapshot."""

    def __post_init__(self):
        for i, src in enumerate(self.sources):
            if not isinstance(src, dict) or not isinstance(src.get("title"), str) or not src["title"]:
                raise ValueError(f"sources must hold dicts with a non-empty 'title'; sources[{i}] is {src!r}")
        object.__setattr__(self, "sources", tuple(self.sources))
        unknown = [c for c in self.translate if c not in self.columns]
        if unknown:
            raise ValueError(f"translate must name documented columns; {unknown} are not in columns")
        object.__setattr__(self, "translate", tuple(self.translate))

    @property
    def source_text(self) -> str:
        """One line for under a chart: sources and the date of the data."""
        # A source's short name is in the catalog (see book/_ext/defi_i18n.dataset_messages);
        # a full title stays in its original language, as in a bibliography.
        names = tr("; ").join(tr(short) if (short := s.get("short")) else s["title"] for s in self.sources)
        when = (tr("fetched {when}").format(when=self.fetched_at) if self.fetched_at
                else tr("snapshot as of {date}").format(date=self.as_of))
        return tr("Source: {names} ({when}).").format(names=names, when=when)


def _snapshots():
    return resources.files(__name__).joinpath("snapshots")


@lru_cache(maxsize=None)
def _read_meta(name: str) -> DatasetMeta:
    path = _snapshots().joinpath(f"{name}.json")
    if not path.is_file():
        raise ValueError(f"name must be one of {list_datasets()}; got {name!r}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ValueError(f"dataset {name!r} metadata lacks {missing}")
    return DatasetMeta(
        name=name,
        title=raw["title"],
        description=raw["description"],
        unit=raw["unit"],
        as_of=raw["as_of"],
        sources=tuple(raw["sources"]),
        licence=raw["licence"],
        confidence=raw["confidence"],
        columns=dict(raw["columns"]),
        translate=tuple(raw.get("translate", ())),
    )


def list_datasets() -> list[str]:
    """Names of every bundled dataset, sorted."""
    return sorted(p.name[:-5] for p in _snapshots().iterdir() if p.name.endswith(".json"))


@contract(name=_NAME, returns=None)
def meta(name: str) -> DatasetMeta:
    """Metadata of dataset ``name`` without reading its table.

    Parameters
    ----------
    {domains}
    """
    return _read_meta(name)


@contract(name=_NAME, live=Opt(Choice(True, False, "strict")), returns=None)
def load(name: str, live: bool | str | None = None) -> pd.DataFrame:
    """Return the bundled snapshot ``name`` as a DataFrame.

    The metadata is attached as ``df.attrs["meta"]`` (a :class:`DatasetMeta`);
    charts read it to print the source line. Columns named ``date`` or ending
    in ``_date`` are parsed as dates.

    ``live=True`` (or ``$DEFI_HANDBOOK_LIVE=1`` when ``live`` is left unset)
    refreshes the dataset from its public API instead, falling back to this
    snapshot with a warning if anything fails; ``live="strict"`` raises
    instead. See :mod:`defi_helpers.data.live`. By default nothing here
    touches the network. ``live=False`` stays offline whatever the environment says.

    Parameters
    ----------
    name : str
        {domain:name}.
    live : bool, "strict" or None
        {domain:live}.

    Raises
    ------
    ValueError
        If ``name`` is not a bundled dataset (the message lists them; paths
        are refused) or ``live`` is not one of the values above.
    """
    if live or (live is None and os.environ.get("DEFI_HANDBOOK_LIVE", "").strip().lower()
                not in ("", "0", "false", "no", "off")):
        from .live import load_live

        return load_live(name, live)
    m = _read_meta(name)
    with _snapshots().joinpath(f"{name}.csv").open(encoding="utf-8") as fh:
        df = pd.read_csv(fh, comment="#")
    for col in df.columns:
        if col == "date" or col.endswith("_date"):
            df[col] = pd.to_datetime(df[col])
    undocumented = [c for c in df.columns if c not in m.columns]
    if undocumented:
        raise ValueError(f"dataset {name!r} has columns without metadata: {undocumented}")
    if language() != "en":
        for col in m.translate:
            df[col] = df[col].map(lambda v: tr(v) if isinstance(v, str) else v)
    df.attrs["meta"] = m
    return df


@contract(df=Instance(pd.DataFrame, example=lambda: load("aave_v3_ethereum_reserves"), text="pandas.DataFrame"),
          returns=None)
def source_line(df: pd.DataFrame) -> str | None:
    """The source line of a loaded dataset, or None if it has no metadata.

    Parameters
    ----------
    {domains}
    """
    m = df.attrs.get("meta")
    return m.source_text if isinstance(m, DatasetMeta) else None


def catalog_markdown() -> str:
    """A Markdown section per dataset: title, date, unit, sources, licence, columns.

    In the reader's language (:func:`defi_helpers.i18n.tr`): the metadata's text is in the
    package catalog; source titles stay in their original language, as a bibliography does."""
    # Labels translated outside the f-strings: pybabel (Python 3.11) does not see tr() inside one.
    as_of, unit, confidence, licence = tr("As of:"), tr("Unit:"), tr("Confidence:"), tr("Licence / terms:")
    sources, column, meaning = tr("Sources:"), tr("column"), tr("meaning")
    parts = []
    for name in list_datasets():
        m = meta(name)
        text = {k: tr(getattr(m, k)) for k in ("title", "description", "unit", "confidence", "licence")}
        srcs = "\n".join(f"  - [{s['title']}]({s['url']})" if s.get("url") else f"  - {s['title']}"
                         for s in m.sources)
        cols = "\n".join("| `" + c + "` | " + tr(d) + " |" for c, d in m.columns.items())
        parts.append(
            f"## {text['title']}\n\n"
            f"`load(\"{name}\")` — {text['description']}\n\n"
            f"- **{as_of}** {m.as_of}\n- **{unit}** {text['unit']}\n"
            f"- **{confidence}** {text['confidence']}\n- **{licence}** {text['licence']}\n"
            f"- **{sources}**\n{srcs}\n\n"
            f"| {column} | {meaning} |\n|---|---|\n{cols}\n"
        )
    return "\n".join(parts)
