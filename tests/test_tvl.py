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
from defi_helpers.tvl import CapitalFlowGraph, Flow, Protocol, Reserve


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

def test_same_market_loop_keeps_its_result():
    """Supply 100 USDC, borrow 80 % of it in USDC, supply it again, to the limit (one reserve).

    Moving capital a = 100 + 0.8 a = 500 = supplied; borrowed 0.8 * 500 = 400 from the same
    reserve, so DefiLlama-style TVL = 500 - 400 = 100 = independent capital; naive = E/(1-L) = 500.
    Add 50 of other lenders to the reserve (they do not loop): supplied 550, DefiLlama 150 = 100 + 50.
    """
    g = tvl.same_market_loop_graph(100, 0.8)
    supplied, borrowed = tvl.looped_deposits(100, 0.8)
    assert g.naive_tvl() == pytest.approx(supplied)
    assert g.borrowed()[0] == pytest.approx(borrowed)
    assert g.defillama_tvl() == pytest.approx(100.0)
    assert g.independent_capital() == pytest.approx(100.0)
    assert g.defillama_tvl(include_borrowed=True) == pytest.approx(500.0)
    h = tvl.same_market_loop_graph(100, 0.8, lenders_usd=50)
    assert (h.naive_tvl(), h.defillama_tvl(), h.independent_capital()) == (
        pytest.approx(550.0), pytest.approx(150.0), pytest.approx(150.0))


def test_borrow_draws_on_the_borrowed_assets_reserve():
    """100 of ETH supplied to Aave; 70 % of it borrowed in USDC and deposited in a DEX.

    The loan comes out of Aave's USDC reserve, which lenders fund with 70 (utilisation 100 %);
    the ETH reserve lends nothing. DefiLlama-style: ETH 100 + USDC (70 - 70) + DEX 70 = 170,
    equal to independent capital 100 + 70. Naive: 100 + 70 + 70 = 240.
    """
    g = CapitalFlowGraph(
        protocols=(Protocol("aave", "lending"), Protocol("dex", "dex")),
        reserves=(Reserve("aave", "ETH", external_usd=100), Reserve("aave", "USDC"), Reserve("dex", "USDC")),
        flows=(Flow("aave:ETH", "dex:USDC", 0.7, "borrow", asset="USDC"),),
    )
    np.testing.assert_allclose(g.borrowed(), [0.0, 70.0, 0.0])
    np.testing.assert_allclose(g.lenders(), [0.0, 70.0, 0.0])
    assert g.defillama_tvl() == pytest.approx(170.0)
    assert g.independent_capital() == pytest.approx(170.0)
    assert g.naive_tvl() == pytest.approx(240.0)
    assert g.defillama_tvl(include_borrowed=True) == pytest.approx(240.0)


def test_lenders_given_or_added_at_a_utilisation():
    """Same borrow of 70 USDC. With max_utilisation 0.8 lenders supply 70 / 0.8 = 87.5;
    with 100 given and no top-up the reserve keeps 30 idle (DefiLlama 100 + 30 + 70 = 200 = 100 + 100);
    with 50 given and no top-up the loan cannot be funded."""
    def graph(lenders, max_u):
        return CapitalFlowGraph(
            (Protocol("aave", "lending"), Protocol("dex", "dex")),
            (Reserve("aave", "ETH", 100), Reserve("aave", "USDC", lenders_usd=lenders), Reserve("dex", "USDC")),
            (Flow("aave:ETH", "dex:USDC", 0.7, "borrow", asset="USDC"),), max_utilisation=max_u)
    assert graph(0, 0.8).lenders()[1] == pytest.approx(87.5)
    g = graph(100, None)
    assert g.lenders()[1] == 100
    assert g.defillama_tvl() == pytest.approx(200.0) == g.independent_capital()
    with pytest.raises(ValueError, match="lenders_usd"):
        graph(50, None)


def test_pt_loop_worked_example():
    """The chapter's PT loop: 100 of sUSDe into Pendle, 90 % of it as PTs on Aave, 85 % LTV in USDC.

    Pendle: x = 100 + 0.85 * 0.9 x -> x = 100 / 0.235 = 425.53; PTs on Aave 0.9 x = 382.98;
    USDC borrowed 0.85 * 382.98 = 325.53, supplied by lenders (100 % utilisation).
    Independent = 100 + 325.53 = 425.53. DefiLlama (per reserve): 425.53 + 382.98 + (325.53 - 325.53)
    = 808.51 = independent + the PTs; ratio 1 + 0.9 = 1.9 (the old model, which let the PT
    reserve lend, gave 482.98 / 100 = 4.83). Naive: 425.53 + 382.98 + 325.53 = 1134.04.
    """
    g = tvl.pt_loop_graph(100, 0.90, 0.85)
    x = 100 / (1 - 0.85 * 0.9)
    np.testing.assert_allclose(g.supplied(), [x, 0.9 * x, 0.765 * x])
    assert g.independent_capital() == pytest.approx(x)
    assert g.defillama_tvl() == pytest.approx(1.9 * x)
    assert g.defillama_tvl() / g.independent_capital() == pytest.approx(1.9)
    assert g.naive_tvl() == pytest.approx(2.665 * x)


def test_staking_loop_worked_example():
    """staking -> lending 1 (stETH, 0.75) -> borrow USDC 0.5 -> Pendle -> PTs 0.75 -> lending 2 -> borrow ETH 0.5.

    Cycle gain 0.75 * 0.5 * 0.75 * 0.5 = 0.140625: staking x = 100 / 0.859375 = 116.36;
    stETH on lending 1 87.27; USDC borrowed 43.64 (lenders 43.64); Pendle 43.64; PTs on lending 2 32.73;
    ETH borrowed 16.36 (lenders 16.36). Independent = 100 + 43.64 + 16.36 = 160.
    DefiLlama default (staking excluded): 87.27 + 0 + 43.64 + 32.73 + 0 = 163.64;
    with the liquid-staking toggle + 116.36 = 280. Naive = 116.36 + 87.27 + 2 * 43.64 + 32.73 + 16.36 = 340.
    (The old model said 103.6 against 100.)
    """
    g = tvl.staking_loop_graph(100, 0.75, 0.5, 0.75, 0.5)
    xs = 100 / (1 - 0.75 * 0.5 * 0.75 * 0.5)
    assert g.independent_capital() == pytest.approx(160.0)
    assert g.defillama_tvl() == pytest.approx(xs * (0.75 + 0.375 + 0.28125))
    assert g.defillama_tvl() == pytest.approx(163.636364, rel=1e-6)
    assert g.defillama_tvl(include_liquid_staking=True) == pytest.approx(280.0)
    assert g.naive_tvl() == pytest.approx(340.0)
    bd = g.breakdown()
    assert list(bd.reserve) == ["staking:ETH", "lending 1:stETH", "lending 1:USDC", "pendle:sUSDe",
                                "lending 2:PT-sUSDe", "lending 2:ETH"]
    assert not bd.loc[0, "counted"] and bd.counted.iloc[1:].all()
    assert g.summary()["naive / independent"] == pytest.approx(340 / 160)


def test_doublecounted_flag_excluded_by_default():
    """100 supplied to Aave; all its aTokens deposited in a vault flagged doublecounted: 200 naive, 100 default."""
    g = CapitalFlowGraph(
        (Protocol("aave", "lending"), Protocol("vault", "vault", doublecounted=True)),
        (Reserve("aave", "USDC", 100.0), Reserve("vault", "aUSDC")),
        (Flow("aave:USDC", "vault:aUSDC", 1.0),),
    )
    assert g.naive_tvl() == pytest.approx(200.0)
    assert g.defillama_tvl() == pytest.approx(100.0)
    assert g.defillama_tvl(include_doublecounted=True) == pytest.approx(200.0)


_ASSETS = ("USDC", "ETH", "X")


@st.composite
def graphs(draw, receipts=True):
    """Random graphs: 1-4 protocols, 1-3 reserves each; every source's outflows sum to <= 0.9, so every
    cycle gain is <= 0.9 < 1; borrows only against lending reserves, of an asset that market holds."""
    n = draw(st.integers(1, 4))
    kinds = draw(st.lists(st.sampled_from(tvl.PROTOCOL_KINDS), min_size=n, max_size=n))
    flagged = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    protocols = [Protocol(f"p{i}", kinds[i], flagged[i]) for i in range(n)]
    reserves = []
    for i in range(n):
        assets = draw(st.lists(st.sampled_from(_ASSETS), min_size=1, max_size=3, unique=True))
        for a in assets:
            lenders = draw(st.floats(0, 1e4)) if kinds[i] == "lending" else 0.0
            reserves.append(Reserve(f"p{i}", a, draw(st.floats(0, 1e6)), lenders))
    assume(sum(r.external_usd + r.lenders_usd for r in reserves) > 1.0)
    flows = []
    for src in reserves:
        budget = 0.9
        lending = kinds[int(src.protocol[1:])] == "lending"
        for tgt in reserves:
            if not draw(st.booleans()):
                continue
            borrow = lending and (not receipts or draw(st.booleans()))
            if not borrow and (not receipts or tgt.key == src.key):
                continue
            f = draw(st.floats(0, budget))
            budget -= f
            if borrow:
                asset = draw(st.sampled_from([r.asset for r in reserves if r.protocol == src.protocol]))
                flows.append(Flow(src.key, tgt.key, f, "borrow", asset=asset))
            else:
                flows.append(Flow(src.key, tgt.key, f))
    flows = list({(fl.source, fl.target, fl.kind, fl.asset): fl for fl in flows}.values())
    max_u = draw(st.sampled_from([1.0, 0.8]))
    return CapitalFlowGraph(tuple(protocols), tuple(reserves), tuple(flows), max_utilisation=max_u)


_ALL_ON = dict(include_liquid_staking=True, include_doublecounted=True)


@settings(max_examples=150, deadline=None)
@given(graphs(receipts=False))
def test_without_receipts_defillama_tvl_is_independent_capital(g):
    """Each borrowed dollar sits once where it was deposited and is netted once where it was drawn from:
    sum(supplied - borrowed) = sum(external) + sum(lenders) when no receipt token is re-deposited."""
    assert g.defillama_tvl(**_ALL_ON) == pytest.approx(g.independent_capital(), rel=1e-9, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_counted_totals_are_bounded_by_naive_tvl(g):
    """borrowed >= 0 gives DefiLlama-style <= naive; supplied >= external + lenders gives independent <= naive."""
    naive = g.naive_tvl()
    slack = naive * 1e-9 + 1e-6
    assert g.defillama_tvl() <= naive + slack
    assert g.defillama_tvl(**_ALL_ON) <= naive + slack
    assert g.independent_capital() <= naive + slack
    assert np.all(g.borrowed() <= g.supplied() + slack)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_defillama_tvl_exceeds_independent_capital_by_the_receipts(g):
    """With every toggle on, DefiLlama-style TVL = independent capital + value of every receipt flow."""
    a = dict(zip(g.keys, g.moving()))
    receipts = sum(fl.fraction * a[fl.source] for fl in g.flows if fl.kind == "receipt")
    assert g.defillama_tvl(**_ALL_ON) == pytest.approx(g.independent_capital() + receipts, rel=1e-9, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(graphs(), st.data())
def test_redepositing_a_receipt_adds_exactly_its_value_to_naive_tvl(g, data):
    """Move a share f of one reserve's receipts into a new vault: naive TVL grows by f * a_source, and
    independent capital does not change."""
    src = data.draw(st.sampled_from(g.keys))
    used = sum(fl.fraction for fl in g.flows if fl.source == src and fl.kind == "receipt")
    f = data.draw(st.floats(0, 1 - used))
    h = CapitalFlowGraph(g.protocols + (Protocol("new vault", "vault"),),
                         g.reserves + (Reserve("new vault", "receipt"),),
                         g.flows + (Flow(src, "new vault:receipt", f),), g.max_utilisation)
    value = f * dict(zip(g.keys, g.moving()))[src]
    assert h.naive_tvl() == pytest.approx(g.naive_tvl() + value, rel=1e-9, abs=1e-6)
    assert h.defillama_tvl() == pytest.approx(g.defillama_tvl() + value, rel=1e-9, abs=1e-6)
    assert h.independent_capital() == pytest.approx(g.independent_capital(), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_tvl_invariant_to_order(g, rnd):
    """Reordering protocols, reserves and flows changes no total."""
    ps, rs, fs = list(g.protocols), list(g.reserves), list(g.flows)
    for seq in (ps, rs, fs):
        rnd.shuffle(seq)
    h = CapitalFlowGraph(tuple(ps), tuple(rs), tuple(fs), g.max_utilisation)
    for total in ("naive_tvl", "defillama_tvl", "independent_capital"):
        assert getattr(h, total)() == pytest.approx(getattr(g, total)(), rel=1e-9, abs=1e-6)


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
    lend, stake = Protocol("lend", "lending"), Protocol("stake", "liquid_staking")
    usdc, steth = Reserve("lend", "USDC", 10.0), Reserve("stake", "ETH", 10.0)
    with pytest.raises(ValueError, match="fraction"):
        CapitalFlowGraph((lend, stake), (usdc, steth),
                         (Flow("lend:USDC", "stake:ETH", 0.6, "borrow", asset="USDC"),
                          Flow("lend:USDC", "lend:USDC", 0.5, "borrow", asset="USDC")))
    with pytest.raises(ValueError, match="fraction"):
        CapitalFlowGraph((lend, stake), (usdc, steth, Reserve("lend", "X")),
                         (Flow("lend:USDC", "stake:ETH", 0.6), Flow("lend:USDC", "lend:X", 0.5)))
    with pytest.raises(ValueError, match="borrow"):
        CapitalFlowGraph((lend, stake), (usdc, steth), (Flow("stake:ETH", "lend:USDC", 0.5, "borrow", asset="ETH"),))
    with pytest.raises(ValueError, match="draws on reserve 'lend:DAI'"):
        CapitalFlowGraph((lend,), (usdc,), (Flow("lend:USDC", "lend:USDC", 0.5, "borrow", asset="DAI"),))
    with pytest.raises(ValueError, match="unknown reserve"):
        CapitalFlowGraph((lend,), (usdc,), (Flow("lend:USDC", "lend:ghost", 0.5),))
    with pytest.raises(ValueError, match="unknown protocol"):
        CapitalFlowGraph((lend,), (usdc, steth))
    with pytest.raises(ValueError, match="unique"):
        CapitalFlowGraph((lend, Protocol("lend", "vault")), (usdc,))
    with pytest.raises(ValueError, match="unique"):
        CapitalFlowGraph((lend,), (usdc, Reserve("lend", "USDC")))
    with pytest.raises(ValueError, match="lenders_usd"):
        CapitalFlowGraph((lend, stake), (usdc, Reserve("stake", "ETH", lenders_usd=5.0)))
    with pytest.raises(ValueError, match="max_utilisation"):
        CapitalFlowGraph((lend,), (usdc,), max_utilisation=0.0)
    with pytest.raises(ValueError, match="fraction"):
        Flow("a:x", "b:x", 1.5)
    with pytest.raises(ValueError, match="asset"):
        Flow("a:x", "b:x", 0.5, "borrow")
    with pytest.raises(ValueError, match="asset"):
        Flow("a:x", "b:x", 0.5, asset="USDC")
    with pytest.raises(ValueError, match="kind"):
        Protocol("x", "bank")
    with pytest.raises(ValueError, match="external_usd"):
        Reserve("x", "USDC", -3.0)
    with pytest.raises(ValueError, match="asset"):
        Reserve("x", "a:b")
    with pytest.raises(ValueError, match="receipt flow"):
        Flow("a:x", "a:x", 0.5)


def test_cycle_with_gain_one_is_rejected():
    """Two vaults depositing all their receipts into each other never converge."""
    vaults = (Protocol("a", "vault"), Protocol("b", "vault"))
    with pytest.raises(ValueError, match="gain"):
        CapitalFlowGraph(vaults, (Reserve("a", "x", 1.0), Reserve("b", "x")),
                         (Flow("a:x", "b:x", 1.0), Flow("b:x", "a:x", 1.0)))


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
    """Values derived above: 500, 100, 4.5 (bn), 366.67 (staking route at .8/.5/.8/.5 with lenders), 155.

    tvl.4: staking x = 100 / (1 - .8 * .5 * .8 * .5) = 119.05; reserves per x: staking 1, stETH .8,
    USDC lenders .4, Pendle .4, PTs .32, ETH lenders .16: naive = 119.05 * 3.08 = 366.67.
    """
    got = {k: e.value for k, e in tvl_exercises.ANSWERS.items()}
    assert got == {"1": pytest.approx(500), "2": pytest.approx(100), "3": pytest.approx(4.5),
                   "4": pytest.approx(308 / 0.84), "5": pytest.approx(155)}


def test_module_doctests_pass():
    result = doctest.testmod(tvl, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


# --------------------------------------------------------------------------
# Input contracts (issue 14)
# --------------------------------------------------------------------------

def test_flow_ends_must_be_reserve_keys():
    with pytest.raises(ValueError, match="source"):
        Flow("aave", "aave:USDC", 0.5)
    with pytest.raises(ValueError, match="target"):
        Flow("aave:USDC", 3, 0.5)
    with pytest.raises(ValueError, match="asset"):
        Flow("aave:ETH", "dex:USDC", 0.5, "borrow", asset="a:b")


def test_graph_fields_must_be_sequences():
    for bad in (None, 3, "x"):
        with pytest.raises(ValueError, match="protocols"):
            CapitalFlowGraph(bad, (Reserve("aave", "USDC", 1.0),))
        with pytest.raises(ValueError, match="flows"):
            CapitalFlowGraph((Protocol("aave"),), (Reserve("aave", "USDC", 1.0),), bad)


def test_overflow_is_a_named_error_not_nan():
    """Capital that does not fit in float64 is refused, by the factory's own parameter names."""
    with pytest.raises(ValueError, match="equity_usd"):
        tvl.same_market_loop_graph(1e308, 0.8)
    with pytest.raises(ValueError, match="external_usd"):
        tvl.pt_loop_graph(1e308)
    with pytest.raises(ValueError, match="external_usd"):  # built directly: the graph names its fields
        CapitalFlowGraph((Protocol("aave"),), (Reserve("aave", "USDC", 1e308),),
                         (Flow("aave:USDC", "aave:USDC", 0.8, "borrow", asset="USDC"),))
    with pytest.raises(ValueError, match="equity"):
        tvl.looped_deposits(1e308, 0.5)
    with pytest.raises(ValueError, match="loops"):
        tvl.looped_deposits_after(100, np.full(10_000, 0.5), 10_000)  # 1e8 powers held at once


def test_loop_tvl_is_checked_and_its_multiplier_finite():
    with pytest.raises(ValueError, match="supplied"):
        tvl.LoopTVL(100.0, float("nan"), 0.0, 100.0, 100.0, 100.0)
    with pytest.raises(ValueError, match="independent_capital"):
        tvl.LoopTVL(True, 500.0, 400.0, 100.0, 500.0, 900.0)
    with pytest.raises(ValueError, match="independent_capital"):
        tvl.LoopTVL(1e-320, 1e300, 0.0, 1e300, 1e300, 1e300).multiplier
    assert tvl.LoopTVL(0.0, 0.0, 0.0, 0.0, 0.0, 0.0).multiplier == 1.0


def test_summary_without_capital_is_a_named_error():
    g = CapitalFlowGraph((Protocol("aave"),), (Reserve("aave", "USDC"),))
    assert g.naive_tvl() == 0.0
    with pytest.raises(ValueError, match="independent capital is 0"):
        g.summary()


@pytest.mark.parametrize("include", [None, 3, [3]])
def test_sum_chain_tvls_rejects_bad_include(include):
    with pytest.raises(ValueError, match="include"):
        tvl.sum_chain_tvls({"Ethereum": 1.0}, include=include)


def test_sum_chain_tvls_needs_str_keys():
    with pytest.raises(ValueError, match="current_chain_tvls"):
        tvl.sum_chain_tvls({1: 1.0})


def test_flags_are_not_truthy_values():
    g = tvl.pt_loop_graph()
    for method in (g.defillama_tvl, g.breakdown, g.counted):
        with pytest.raises(ValueError, match="include_"):
            method(include_doublecounted="no")
    with pytest.raises(ValueError, match="doublecounted"):
        Protocol("v", "vault", doublecounted=1)
