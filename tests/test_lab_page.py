"""The lab page (notebooks/lab.ipynb): in the book, what it says about the lab is what the code does.

The page is an appendix in the Reference part, not a numbered chapter (no
exercises); test_notebooks.py executes it. Its computed results are shown only
as code output, except the facts asserted here.
"""

import json
import re

import pytest
import yaml

from helpers import ROOT
from prose import reading_text, says

DOC = "notebooks/lab"


def code_of(doc: str) -> str:
    cells = json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_page_is_in_the_reference_part_before_datasets():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    ref = next(p for p in toc["parts"] if p["caption"] == "Reference")
    files = [c["file"] for c in ref["chapters"]]
    assert files.index(DOC) == files.index("book/datasets") - 1


def test_protocol_versions_and_packages_match_the_pins():
    from defi_helpers.lab import artifacts

    text = reading_text(DOC)
    assert text.index("Prerequisites:") < text.index("Protocol versions.") < text.index(
        "Last checked against them on 2026-11-30.")
    aave, uni = artifacts.PINS["aave-v3-core"], artifacts.PINS["uniswap-v2-core"]
    assert aave["protocol"] == "Aave v3.0.2" and aave["source_repository"].endswith("/tree/v1.19.3")
    says(DOC, f"Aave v3.0.2 (`{aave['package']}` {aave['version']}, built from `aave/aave-v3-core` tag v1.19.3)")
    says(DOC, f"Uniswap v2 (`{uni['package']}` {uni['version']})")
    says(DOC, f"| `{aave['package']}` | {aave['version']} (Aave v3.0.2) | BUSL-1.1 |")
    says(DOC, f"| `{uni['package']}` | {uni['version']} | GPL-3.0-or-later |")
    assert aave["licence"].startswith("BUSL-1.1") and uni["licence"].startswith("GPL-3.0-or-later")


def test_fetch_command_and_cache_as_described(monkeypatch):
    from defi_helpers.lab import artifacts

    says(DOC, "runs `python defi_helpers/lab/artifacts.py fetch`")
    says(DOC, f"`${artifacts.ENV_VAR}`")
    monkeypatch.delenv(artifacts.ENV_VAR, raising=False)
    assert artifacts.cache_dir() == ROOT / ".cache" / "artifacts"
    says(DOC, "into `.cache/artifacts/`")
    says(DOC, "pinned in `defi_helpers/lab/artifacts.json`")
    makefile = (ROOT / "Makefile").read_text()
    assert "artifacts.py fetch" in makefile


def test_v33_close_factor_constants_as_stated():
    """$2,000 and $1,000 are aave-v3-origin's MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD = 2000e8 and
    MIN_LEFTOVER_BASE = threshold / 2 (LiquidationLogic.sol, v3.3.0; docs/3.3/Aave-v3.3-features.md)."""
    threshold = 2000e8
    says(DOC, f"each worth at least ${threshold / 1e8:,.0f} (`MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD = 2000e8`")
    says(DOC, f"may not leave less than ${threshold / 2 / 1e8:,.0f} (`MIN_LEFTOVER_BASE`)")


def test_sample_size_in_the_prose_is_the_one_the_cell_runs():
    m = re.search(r"run_sample\(scenarios=(\d+), seed=(\d+)\)", code_of(DOC))
    assert m, "the page runs run_sample(scenarios=N, seed=S)"
    says(DOC, f"the cell below runs {m.group(1)} seeded scenarios per property")
    from defi_helpers.lab import differential

    says(DOC, "The test-suite draws at least 200 scenarios per property with hypothesis")
    suite = (ROOT / "tests" / "test_differential_aave.py").read_text()
    assert int(re.search(r'"LAB_DIFF_EXAMPLES", (\d+)\)', suite).group(1)) >= 200
    assert set(differential.PROPERTIES) == {"health factor and borrowing power", "E-Mode thresholds", "liquidation",
                                            "rates and indexes", "flash-loan premium"}


def test_hands_on_example_does_what_the_prose_says():
    """Alice's 16,000 USDC uses nearly all her borrowing power; 5,000 more reverts with code 36."""
    lab = pytest.importorskip("defi_helpers.lab")
    m = lab.AaveMarket.deploy(prices={"WETH": 2_000, "USDC": 1})
    m.supply("lender", "USDC", 1_000_000)
    m.supply("alice", "WETH", 10)
    m.borrow("alice", "USDC", 16_000)
    acc = m.account("alice")
    assert 0 < acc.available_borrows_usd < 5_000
    with pytest.raises(lab.AaveRevert) as e:
        m.borrow("alice", "USDC", 5_000)
    assert (e.value.code, e.value.name) == ("36", "COLLATERAL_CANNOT_COVER_NEW_BORROW")
    says(DOC, "Alice supplies 10 WETH and borrows 16,000 USDC")
    says(DOC, "so 5,000 USDC more is refused")
    m.set_price("WETH", 1_900)
    out = m.liquidate("bob", "alice", "WETH", "USDC")
    assert out.debt_repaid == 8_000  # 0.95 < HF < 1: the v3.0.2 close factor of 50 %


def test_page_sample_passes_and_has_the_table_columns():
    diff = pytest.importorskip("defi_helpers.lab.differential")
    table = diff.summarise(diff.run_sample(scenarios=3, seed=0))
    assert list(table.columns) == ["property", "quantity", "scenarios", "tolerance", "why", "largest difference",
                                   "all within tolerance"]
    assert table["all within tolerance"].all()
    assert set(table["property"]) == set(diff.PROPERTIES)


def test_health_factor_curve_crosses_one_at_the_liquidation_price():
    """The chart's data come from the Pool; HF = 1 where the model's liquidation price is."""
    from defi_helpers import collateral

    lab = pytest.importorskip("defi_helpers.lab")
    from defi_helpers.lab.differential import pool_health_factor_curve

    m = lab.AaveMarket.deploy(prices={"WETH": 2_000, "USDC": 1})
    m.supply("lender", "USDC", 100_000)
    m.supply("alice", "WETH", 10)
    m.borrow("alice", "USDC", 16_000)
    curve = pool_health_factor_curve(m, "alice", "WETH", prices=range(1_500, 3_001, 100))
    assert list(curve.columns) == ["price", "health_factor", "liquidation_price"]
    assert curve["liquidation_price"].iloc[0] == pytest.approx(collateral.liquidation_price(10, 16_000, 0.83),
                                                               rel=1e-9)
    assert m.price("WETH") == 2_000  # the sweep is undone
