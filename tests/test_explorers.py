"""The explorer modules' declared contracts (issue 14): sliders inside the domains, grids, scenarios."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from defi_helpers.explore import Explorer
from defi_helpers.explorers._domains import MAX_GRID_POINTS, Grid, Scenarios
from defi_helpers._validate import Real

MODULES = ["collateral", "looping", "lst", "usde", "pendle", "tvl", "rwa", "flashloans", "risk"]


def _explorers():
    for name in MODULES:
        mod = importlib.import_module(f"defi_helpers.explorers.{name}")
        for attr in mod.__all__:
            if attr.endswith("_explorer"):
                yield pytest.param(getattr(mod, attr), id=f"{name}.{attr}")


@pytest.mark.parametrize("factory", list(_explorers()))
def test_every_slider_value_lies_in_the_models_declared_domain(factory):
    """The contract never refuses what the explorer's own sliders can send, and its example is the default."""
    ex = factory()
    assert isinstance(ex, Explorer)
    declared = ex.model.__contract__.params
    for p in ex.params:
        dom = declared[p.name]
        assert all(dom.accepts(float(v)) for v in p.values()), (p.name, dom)
        assert dom.accepts(p.default)
        if isinstance(dom, Real) and dom.example_value is not None:
            assert dom.example() == pytest.approx(p.default), p.name


@pytest.mark.parametrize("factory", list(_explorers()))
def test_every_table_function_and_factory_declares_a_contract(factory):
    assert factory.__contract__.returns is None  # an Explorer is not a number
    mod = importlib.import_module(factory.__module__)
    for attr in mod.__all__:
        obj = getattr(mod, attr)
        if callable(obj) and attr.endswith("_table"):
            assert hasattr(obj, "__contract__"), attr
            assert "{domains}" not in obj.__doc__ and "Parameters" in obj.__doc__, attr


def test_grid_checks_shape_length_values_and_keeps_integer_grids():
    g = Grid(lo=0, hi=10)
    np.testing.assert_array_equal(g.check("x", [1.0, 2.5]), [1.0, 2.5])
    assert g.check("x", 3.0).tolist() == [3.0]  # one number is a grid of one point
    assert g.check("x", np.arange(3)).dtype == np.int64
    for bad in ([[1.0, 2.0]], [], [11.0], [True], "1", None, np.zeros(MAX_GRID_POINTS + 1)):
        with pytest.raises(ValueError, match="^x must"):
            g.check("x", bad)
    with pytest.raises(ValueError, match="loops must be a 1-D sequence .* each a whole number"):
        Grid(whole=True, lo=0, hi=10).check("loops", [1.5])


def test_scenarios_check_labels_pairs_and_rates():
    s = Scenarios(Real(lo=-1, hi=10, scalar=True), "(a, b)", {"x": (0.03, 0.02)})
    assert s.check("scenarios", {"x": [0.03, 0.02]}) == {"x": (0.03, 0.02)}
    for bad in ({}, [(0.03, 0.02)], {1: (0.03, 0.02)}, {"x": (0.03,)}, {"x": "ab"}):
        with pytest.raises(ValueError, match="^scenarios must be"):
            s.check("scenarios", bad)
    with pytest.raises(ValueError, match=r"scenarios\['x'\] must be in \[-1, 10\]; got nan"):
        s.check("scenarios", {"x": (float("nan"), 0.02)})
    with pytest.raises(ValueError, match="scenarios.* must be"):
        s.check("scenarios", {str(i): (0.0, 0.0) for i in range(21)})


def test_table_functions_refuse_bad_input_naming_the_parameter():
    from defi_helpers.explorers import collateral, flashloans, looping, pendle, rwa

    with pytest.raises(ValueError, match="debt_usd must be"):
        collateral.hf_table(0.0, 0.85)
    with pytest.raises(ValueError, match="target_leverage .* needs .* loops"):
        looping.loop_cost_table(10, 0.999999999, 999_000, gas_cost_per_tx=0.0)
    with pytest.raises(ValueError, match="target_leverage must be < max_leverage"):
        looping.loop_cost_table(10, 0.5, 3, gas_cost_per_tx=0.0)
    with pytest.raises(ValueError, match="blocks must hold at least one value <= window_blocks = 30"):
        flashloans.twap_cost_table(30, 0.35, blocks=[50, 100])
    with pytest.raises(ValueError, match="target_move 0.35 over window_blocks 7200, .* beyond the float range"):
        flashloans.twap_cost_table(7_200, 0.35)
    with pytest.raises(ValueError, match="discount_rate \\* days / 365 must be < 1"):
        pendle.pt_oracle_table(discount_rate=2.0, days=365)
    with pytest.raises(ValueError, match="settlement_days must be a whole number"):
        rwa.redemption_table(0.1, 0.04, 1.5)
    with pytest.raises(ValueError, match=r"scenarios\['neg'\] must be"):
        rwa.collateral_drift_table(1.1, {"neg": (-0.9, 0.06)})


def test_valid_calls_are_unchanged_by_the_contracts():
    """Numbers in, same tables out: integer grids stay integer, NaN only where documented."""
    from defi_helpers.explorers import looping, pendle

    t = looping.leverage_table(0.8)
    assert t["loops"].dtype == np.int64 and t["leverage"].iloc[1] == pytest.approx(1.8)
    a = looping.net_apy_table(0.03, 0.02)
    assert np.isnan(a["break_even_borrow_apy"].iloc[0]) and a["break_even_borrow_apy"].iloc[1:].notna().all()
    curve = pendle.amm_curve_table()
    assert set(curve["days"]) == {"360 days", "180 days", "90 days", "30 days", "7 days"}
    assert isinstance(pendle.pt_oracle_table(), pd.DataFrame)
