"""The dataset registry: every bundled dataset loads, with complete, dated metadata."""

import datetime as dt

import pytest

from defi_helpers import data
from defi_helpers.data import DatasetMeta

NAMES = data.list_datasets()


def test_registry_lists_the_foundation_dataset():
    assert "aave_v3_ethereum_reserves" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_dataset_loads_with_metadata(name):
    df = data.load(name)
    m = df.attrs["meta"]
    assert isinstance(m, DatasetMeta) and m.name == name
    assert len(df) > 0
    dt.date.fromisoformat(m.as_of)
    assert m.sources and all(s.get("title") for s in m.sources)
    assert m.licence and m.confidence[:1] in "ABC"
    assert set(df.columns) <= set(m.columns)
    assert m.as_of in data.source_line(df)


def test_unknown_dataset_names_the_choices():
    with pytest.raises(ValueError, match="aave_v3_ethereum_reserves"):
        data.load("no_such_dataset")


def test_aave_reserves_snapshot_values():
    """Spot-check against the 2023-10-31 configuration report (bps / ray converted)."""
    df = data.load("aave_v3_ethereum_reserves").set_index("asset")
    assert df.loc["WETH", ["ltv", "liquidation_threshold", "liquidation_bonus"]].tolist() == [0.805, 0.83, 0.05]
    assert df.loc["USDC", "slope2"] == 0.6 and df.loc["USDC", "optimal_usage"] == 0.9
    assert df.loc["wstETH", "base_rate"] == 0.0025
    assert (df["ltv"] < df["liquidation_threshold"]).all()


def test_catalog_lists_every_dataset():
    md = data.catalog_markdown()
    for name in NAMES:
        assert f'load("{name}")' in md


@pytest.mark.parametrize("name", ["../snapshots/aave_v3_ethereum_reserves", "/etc/passwd",
                                  "snapshots/aave_v3_ethereum_reserves", "x" * 10_000, 3, None])
def test_load_accepts_only_listed_names(name):
    with pytest.raises(ValueError, match="name"):
        data.load(name)
    with pytest.raises(ValueError, match="name"):
        data.meta(name)


@pytest.mark.parametrize("live", ["yes", "STRICT", 1, 0.0])
def test_load_accepts_only_the_documented_live_values(live):
    with pytest.raises(ValueError, match="live"):
        data.load("aave_v3_ethereum_reserves", live=live)


def test_dataset_meta_validates_on_construction():
    m = data.meta("aave_v3_ethereum_reserves")
    fields = {k: getattr(m, k) for k in m.__dataclass_fields__}
    assert DatasetMeta(**{**fields, "sources": list(m.sources)}).sources == m.sources  # stored as a tuple
    with pytest.raises(ValueError, match="sources"):
        DatasetMeta(**{**fields, "sources": ("a title",)})
    with pytest.raises(ValueError, match="fetched_at"):
        DatasetMeta(**{**fields, "fetched_at": float("nan")})
    with pytest.raises(ValueError, match="title"):
        DatasetMeta(**{**fields, "title": 3})
    with pytest.raises(ValueError, match="df"):
        data.source_line(None)
