"""Tests for defi_helpers.tvl, its datasets and its exercise self-checks."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from defi_helpers import data, tvl
from defi_helpers.exercises import check
from defi_helpers.exercises import tvl as tvl_exercises
from defi_helpers.tvl import CapitalFlowGraph, Flow, Protocol


# --------------------------------------------------------------------------
# Worked numbers
# --------------------------------------------------------------------------

def test_we19_loop_breakdown():
    """WE19 (defi-math.md section 5): E = 100, L = 0.8.

    Geometric series: supplied = 100 / (1 - 0.8) = 500, borrowed = 0.8 * 500 = 400.
    DefiLlama lending TVL = underlying balanceOf(aToken) = supplied - borrowed = 100
    (DefiLlama-Adapters projects/helper/aave.js, getTvl); the borrows bucket adds 400
    back: 500. Supplied + borrowed = 900. Multiplier over E: 500 / 100 = 5.
    """
    r = tvl.loop_tvl_breakdown(100, 0.8)
    assert r.supplied == pytest.approx(500.0)
    assert r.borrowed == pytest.approx(400.0)
    assert r.defillama_default == pytest.approx(100.0)
    assert r.defillama_with_borrows == pytest.approx(500.0)
    assert r.deposits_plus_borrows == pytest.approx(900.0)
    assert r.multiplier == pytest.approx(5.0)
    s = r.as_series()
    assert s["independent capital"] == 100.0
    assert s["supplied + borrowed"] == pytest.approx(900.0)


def test_we19_redeposit_fraction_half():
    """WE19 second part: f = 0.5 gives TVL / unique = 1 / (1 - 0.5) = 2."""
    assert tvl.tvl_multiplier(0.5) == pytest.approx(2.0)


def test_seed_claim_ten_billion_four_to_five_independent():
    """The seed's claim: a $10B-TVL protocol may hold only $4-5B of independent capital.

    E = TVL (1 - f): f = 0.5 gives $5B, f = 0.6 gives $4B, so the claim means
    50-60 % of the deposits are recycled (a multiplier of 2 to 2.5).
    """
    assert tvl.independent_capital(10e9, 0.5) == pytest.approx(5e9)
    assert tvl.independent_capital(10e9, 0.6) == pytest.approx(4e9)
    assert tvl.implied_redeposit_fraction(10e9, 4.5e9) == pytest.approx(0.55)
    assert tvl.tvl_multiplier(0.6) == pytest.approx(2.5)


def test_finite_loops_match_series_and_converge():
    """WE12-style: after n loops supplied = E (1 - L^(n+1)) / (1 - L); n = 1, 3 at L = 0.8.

    n = 1: 100 (1 + 0.8) = 180, borrowed 80. n = 3: 100 (1 + .8 + .64 + .512) = 295.2.
    """
    s1, b1 = tvl.looped_deposits_after(100, 0.8, 1)
    assert (s1, b1) == (pytest.approx(180.0), pytest.approx(80.0))
    s3, _ = tvl.looped_deposits_after(100, 0.8, 3)
    assert s3 == pytest.approx(100 * (1 - 0.8**4) / 0.2)
    s_many, b_many = tvl.looped_deposits_after(100, 0.8, 400)
    assert s_many == pytest.approx(500.0)
    assert b_many == pytest.approx(400.0)


def test_vectorised_over_ltv_and_equity():
    s, b = tvl.looped_deposits(np.array([100.0, 200.0]), np.array([0.5, 0.75]))
    np.testing.assert_allclose(s, [200.0, 800.0])
    np.testing.assert_allclose(b, [100.0, 600.0])
    np.testing.assert_allclose(tvl.tvl_multiplier([0.0, 0.5, 0.9]), [1.0, 2.0, 10.0])
    s2, _ = tvl.looped_deposits_after(100.0, np.array([0.0, 0.5]), 2)
    np.testing.assert_allclose(s2, [100.0, 175.0])


def test_defillama_tvl_toggle_and_arrays():
    assert tvl.defillama_tvl(500, 400) == pytest.approx(100)
    assert tvl.defillama_tvl(500, 400, include_borrowed=True) == pytest.approx(500)
    np.testing.assert_allclose(tvl.defillama_tvl([10, 20], [5, 0]), [5, 20])


def test_sum_chain_tvls_reference_sheet_example():
    """data-sources.md 1.1: {"Ethereum": 100, "Ethereum-borrowed": 30} -> 100 without, 130 with borrows."""
    d = {"Ethereum": 100, "Ethereum-borrowed": 30}
    assert tvl.sum_chain_tvls(d) == 100
    assert tvl.sum_chain_tvls(d, include=["borrowed"]) == 130


def test_sum_chain_tvls_key_forms_and_no_double_add():
    """Per-chain keys in either order; the bare bucket key is the total and replaces them."""
    d = {"Ethereum": 100, "borrowed-Ethereum": 30, "Arbitrum": 20, "Arbitrum-borrowed": 5,
         "staking": 7, "Ethereum-staking": 7}
    assert tvl.sum_chain_tvls(d) == 120
    assert tvl.sum_chain_tvls(d, include=["borrowed"]) == 155
    assert tvl.sum_chain_tvls(d, include="staking") == 127          # bare total used once
    with_total = dict(d, borrowed=35)
    assert tvl.sum_chain_tvls(with_total, include=["borrowed"]) == 155


# --------------------------------------------------------------------------
# Capital-flow graph
# --------------------------------------------------------------------------

def test_graph_two_node_loop_closed_form():
    """Staking (100 external) -> lending (receipt 0.8) -> staking (borrow 0.7).

    x_s = 100 + 0.7 x_l, x_l = 0.8 x_s -> x_s = 100 / (1 - 0.56) = 227.27, x_l = 181.82.
    Naive = 409.09. DefiLlama default: staking left out (liquid staking), lending counts
    x_l - 0.7 x_l = 54.55; with the liquid-staking toggle add 227.27.
    """
    g = CapitalFlowGraph(
        (Protocol("staking", "liquid_staking", 100.0), Protocol("lending", "lending")),
        (Flow("staking", "lending", 0.8), Flow("lending", "staking", 0.7, "borrow")),
    )
    xs = 100 / (1 - 0.56)
    np.testing.assert_allclose(g.deposits(), [xs, 0.8 * xs])
    assert g.naive_tvl() == pytest.approx(xs * 1.8)
    assert g.defillama_tvl() == pytest.approx(0.3 * 0.8 * xs)
    assert g.defillama_tvl(include_liquid_staking=True) == pytest.approx(xs + 0.24 * xs)
    assert g.defillama_tvl(include_borrowed=True) == pytest.approx(0.8 * xs)
    assert g.independent_capital() == 100.0
    assert g.multiplier() == pytest.approx(1.8 / 0.44)


def test_self_loop_reproduces_looped_deposits():
    """A borrow flow from a market back to itself is the single-market loop."""
    g = CapitalFlowGraph((Protocol("aave", "lending", 100.0),), (Flow("aave", "aave", 0.8, "borrow"),))
    supplied, borrowed = tvl.looped_deposits(100, 0.8)
    assert g.naive_tvl() == pytest.approx(supplied)
    assert g.defillama_tvl() == pytest.approx(supplied - borrowed)
    assert g.borrowed_out()[0] == pytest.approx(borrowed)


def test_staking_loop_graph_example():
    """staking -> lending 1 -> pendle -> lending 2 -> staking, fractions .8, .5, .8, .5.

    Cycle gain 0.16: x_staking = 100 / 0.84; the chain multiplies it by 1 + .8 + .4 + .32 = 2.52,
    so naive TVL = 252 / 0.84 = 300. DefiLlama default: lending 1 keeps half (.4 x_s),
    Pendle counts all (.4 x_s), lending 2 keeps half (.16 x_s): 0.96 x_s = 114.29.
    """
    g = tvl.staking_loop_graph(100, 0.8, 0.5, 0.8, 0.5)
    xs = 100 / 0.84
    assert g.naive_tvl() == pytest.approx(300.0)
    assert g.defillama_tvl() == pytest.approx(0.96 * xs)
    bd = g.breakdown()
    assert list(bd.protocol) == ["staking", "lending 1", "pendle", "lending 2"]
    assert not bd.loc[0, "counted"] and bd.counted.iloc[1:].all()
    assert g.summary()["multiplier (naive / independent)"] == pytest.approx(3.0)


def test_doublecounted_flag_excluded_by_default():
    g = CapitalFlowGraph(
        (Protocol("aave", "lending", 100.0), Protocol("vault", "vault", doublecounted=True)),
        (Flow("aave", "vault", 1.0),),
    )
    assert g.naive_tvl() == pytest.approx(200.0)
    assert g.defillama_tvl() == pytest.approx(100.0)
    assert g.defillama_tvl(include_doublecounted=True) == pytest.approx(200.0)


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 5))
    kinds = draw(st.lists(st.sampled_from(tvl.PROTOCOL_KINDS), min_size=n, max_size=n))
    ext = draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n))
    assume(sum(ext) > 1.0)
    protocols = [Protocol(f"p{i}", kinds[i], ext[i]) for i in range(n)]
    flows = []
    for i in range(n):
        # Keep each node's outflow below 0.9 so every cycle gain is < 0.9^k < 1.
        budget = 0.9
        for j in range(n):
            if draw(st.booleans()):
                kind = "borrow" if kinds[i] == "lending" and draw(st.booleans()) else "receipt"
                if kind == "receipt" and i == j:
                    continue
                f = draw(st.floats(0, budget))
                budget -= f
                flows.append(Flow(f"p{i}", f"p{j}", f, kind))
    return CapitalFlowGraph(tuple(protocols), tuple(flows))


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_independent_capital_at_most_naive_tvl(g):
    """x = e + F^T x with F >= 0 gives x >= e, so sum(x) >= sum(e); DefiLlama default <= naive."""
    assert g.independent_capital() <= g.naive_tvl() * (1 + 1e-9) + 1e-6
    assert g.defillama_tvl() <= g.naive_tvl() * (1 + 1e-9) + 1e-6
    assert np.all(g.deposits() >= g.external() - 1e-6)


@settings(max_examples=150, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_tvl_invariant_to_relabelling(g, rnd):
    """Renaming and reordering protocols changes no total."""
    names = list(g.names)
    new_names = {n: f"q{k}_{n[::-1]}" for k, n in enumerate(rnd.sample(names, len(names)))}
    protocols = [Protocol(new_names[p.name], p.kind, p.external_usd, p.doublecounted) for p in g.protocols]
    rnd.shuffle(protocols)
    flows = [Flow(new_names[f.source], new_names[f.target], f.fraction, f.kind) for f in g.flows]
    rnd.shuffle(flows)
    h = CapitalFlowGraph(tuple(protocols), tuple(flows))
    assert h.naive_tvl() == pytest.approx(g.naive_tvl(), rel=1e-9, abs=1e-6)
    assert h.defillama_tvl() == pytest.approx(g.defillama_tvl(), rel=1e-9, abs=1e-6)
    assert h.independent_capital() == pytest.approx(g.independent_capital())
    by_name = dict(zip(g.names, g.deposits()))
    for old, new in new_names.items():
        assert dict(zip(h.names, h.deposits()))[new] == pytest.approx(by_name[old], rel=1e-9, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 0.99), st.floats(0, 0.99))
def test_multiplier_grows_with_f(f1, f2):
    lo, hi = sorted((f1, f2))
    assert tvl.tvl_multiplier(lo) <= tvl.tvl_multiplier(hi)
    assert tvl.tvl_multiplier(lo) >= 1.0


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 0.9), st.floats(0.0, 0.9))
def test_graph_naive_tvl_grows_with_each_fraction(a, b):
    lo, hi = sorted((a, b))
    g_lo = tvl.staking_loop_graph(100, lo, 0.5, 0.8, 0.5)
    g_hi = tvl.staking_loop_graph(100, hi, 0.5, 0.8, 0.5)
    assert g_lo.naive_tvl() <= g_hi.naive_tvl() + 1e-9


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1e9), st.floats(0, 0.99))
def test_loop_net_position_is_equity(e, ltv):
    supplied, borrowed = tvl.looped_deposits(e, ltv)
    assert supplied - borrowed == pytest.approx(e, rel=1e-9, abs=1e-6)
    assert supplied == pytest.approx(e * tvl.tvl_multiplier(ltv), rel=1e-12, abs=1e-9)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

@pytest.mark.parametrize("f", [1.0, 1.2, -0.1, float("nan"), "0.5", None])
def test_multiplier_rejects_bad_fraction(f):
    with pytest.raises(ValueError, match="redeposit_fraction"):
        tvl.tvl_multiplier(f)


@pytest.mark.parametrize("ltv", [1.0, 1.5, -0.01, float("inf")])
def test_looped_deposits_rejects_bad_ltv(ltv):
    with pytest.raises(ValueError, match="ltv"):
        tvl.looped_deposits(100, ltv)


def test_other_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="equity"):
        tvl.looped_deposits(-1, 0.5)
    with pytest.raises(ValueError, match="loops"):
        tvl.looped_deposits_after(100, 0.5, -1)
    with pytest.raises(ValueError, match="loops"):
        tvl.looped_deposits_after(100, 0.5, 2.5)
    with pytest.raises(ValueError, match="borrowed"):
        tvl.defillama_tvl(100, 120)
    with pytest.raises(ValueError, match="include_borrowed"):
        tvl.defillama_tvl(100, 20, include_borrowed="yes")
    with pytest.raises(ValueError, match="independent_usd"):
        tvl.implied_redeposit_fraction(10, 11)
    with pytest.raises(ValueError, match="include"):
        tvl.sum_chain_tvls({"Ethereum": 1}, include=["doublecount"])
    with pytest.raises(ValueError, match="current_chain_tvls"):
        tvl.sum_chain_tvls({"Ethereum": -5})


def test_graph_rejects_bad_structure():
    lend = Protocol("lend", "lending", 10.0)
    stake = Protocol("stake", "liquid_staking", 10.0)
    with pytest.raises(ValueError, match="fraction"):
        CapitalFlowGraph((lend, stake), (Flow("stake", "lend", 1.0), Flow("lend", "stake", 0.99, "borrow"),
                                         Flow("lend", "stake", 1.0, "receipt")))
    with pytest.raises(ValueError, match="borrow"):
        CapitalFlowGraph((lend, stake), (Flow("stake", "lend", 0.5, "borrow"),))
    with pytest.raises(ValueError, match="unknown protocol"):
        CapitalFlowGraph((lend,), (Flow("lend", "ghost", 0.5),))
    with pytest.raises(ValueError, match="unique"):
        CapitalFlowGraph((lend, Protocol("lend", "vault")))
    with pytest.raises(ValueError, match="fraction"):
        Flow("a", "b", 1.5)
    with pytest.raises(ValueError, match="kind"):
        Protocol("x", "bank")
    with pytest.raises(ValueError, match="external_usd"):
        Protocol("x", "lending", -3.0)
    with pytest.raises(ValueError, match="receipt flow"):
        Flow("a", "a", 0.5)
    with pytest.raises(ValueError, match="must be < 1"):
        CapitalFlowGraph((lend, stake), (Flow("lend", "lend", 0.5, "borrow"), Flow("lend", "stake", 0.6, "borrow")))


def test_cycle_with_gain_one_is_rejected():
    """Two vaults depositing all their receipts into each other never converge."""
    a, b = Protocol("a", "vault", 1.0), Protocol("b", "vault")
    with pytest.raises(ValueError, match="gain"):
        CapitalFlowGraph((a, b), (Flow("a", "b", 1.0), Flow("b", "a", 1.0)))


# --------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["defi_tvl_history", "lending_tvl_leaders"])
def test_datasets_load_with_metadata(name):
    df = data.load(name)
    m = df.attrs["meta"]
    assert len(df) >= 5
    assert set(df.confidence) <= {"A", "B", "C"}
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert (df.value_usd_bn > 0).all()
    assert m.as_of >= str(df.date.max().date())
    assert all(s["title"] for s in m.sources)
    assert set(df.columns) == set(m.columns)


def test_tvl_history_shows_both_counts_of_the_2021_peak():
    """CoinDesk (2022-05-09) '$252B December highs' with double counting vs ~$178B default."""
    df = data.load("defi_tvl_history")
    allc = df[df.scope == "all chains"]
    peak_dc = allc[(allc.view == "incl_doublecount") & (allc.date == "2021-12-02")].value_usd_bn.iloc[0]
    peak_default = allc[allc.view == "default"].value_usd_bn.max()
    assert 250 <= peak_dc <= 255
    assert 170 <= peak_default <= 180
    eth = df[(df.scope == "Ethereum") & (df.date == "2022-08-04")].set_index("view").value_usd_bn
    assert 1 - eth["default"] / eth["incl_doublecount"] == pytest.approx(0.308, abs=0.001)


# --------------------------------------------------------------------------
# Exercises and doctests
# --------------------------------------------------------------------------

def test_exercises_accept_their_answers_and_explain_mistakes():
    assert len(tvl_exercises.ANSWERS) >= 4
    for key, e in tvl_exercises.ANSWERS.items():
        assert check(f"tvl.{key}", e.value)
        for wrong, why in e.mistakes:
            fb = check(f"tvl.{key}", wrong)
            assert not fb and why in str(fb)


def test_exercise_values():
    """Values derived above: 500, 100, 4.5 (bn), 300, 155."""
    got = {k: e.value for k, e in tvl_exercises.ANSWERS.items()}
    assert got == {"1": pytest.approx(500), "2": pytest.approx(100), "3": pytest.approx(4.5),
                   "4": pytest.approx(300), "5": pytest.approx(155)}


def test_module_doctests_pass():
    result = doctest.testmod(tvl, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0
