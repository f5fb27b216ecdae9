"""The protocol lab's harness: artifact pins and cache, linking, the deployed market, revert names."""

from __future__ import annotations

import io
import json
import math
import tarfile

import pytest

from defi_helpers import collateral
from defi_helpers.data import load
from defi_helpers.lab import artifacts

# The values the npm registry publishes (`npm view <pkg>@<ver> dist.integrity`, checked 2026-11-30).
REGISTRY = {
    "aave-v3-core": ("@aave/core-v3", "1.19.3",
                     "sha512-Xr7+VcoU5b4mPwM4IUCnskw3lciwrnL4Xloyad8GOddYeixnri2lZYobNmErm1LwE50vqjI0O+9QGNKY2TDkeQ=="),
    "uniswap-v2-core": ("@uniswap/v2-core", "1.0.1",
                        "sha512-MtybtkUPSyysqLY2U210NBDeCHX+ltHt3oADGdjqoThZaFRDKwM6k1Nb3F0A3hk5hwuQvytFWhrWHOEq6nVJ8Q=="),
}


# --- artifacts: pins, verification, the cache ------------------------------------------------

def test_pins_match_the_registry():
    assert set(artifacts.PINS) == set(REGISTRY)
    for key, (pkg, version, integrity) in REGISTRY.items():
        pin = artifacts.PINS[key]
        assert (pin["package"], pin["version"], pin["integrity"]) == (pkg, version, integrity)
        assert pin["tarball"].startswith("https://registry.npmjs.org/")
    assert "BUSL-1.1" in artifacts.PINS["aave-v3-core"]["licence"]
    assert "GPL-3.0-or-later" in artifacts.PINS["uniswap-v2-core"]["licence"]


def _tgz(files: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def fake_pin(tmp_path, monkeypatch):
    """A tiny package pinned like the real ones, with the cache in a temporary folder."""
    data = _tgz({"package/build/X.json": json.dumps({"abi": [], "bytecode": "0x00"}).encode(),
                 "package/build/X.dbg.json": b"{}", "package/README.md": b"not kept"})
    pin = {"package": "fake", "version": "1.0.0", "tarball": "https://example.invalid/fake.tgz",
           "integrity": artifacts._sri_sha512(data), "licence": "test", "keep": ["package/build/"],
           "skip_suffix": [".dbg.json"]}
    monkeypatch.setitem(artifacts.PINS, "fake", pin)
    monkeypatch.setenv(artifacts.ENV_VAR, str(tmp_path / "cache"))
    return data


def test_missing_cache_names_the_make_command(fake_pin):
    with pytest.raises(artifacts.ArtifactsMissing, match="make venv"):
        artifacts.load_contract("fake", "X")


def test_integrity_mismatch_writes_nothing(fake_pin):
    with pytest.raises(artifacts.ArtifactsMissing, match="integrity mismatch"):
        artifacts.unpack("fake", fake_pin + b"tampered")
    assert not artifacts.package_dir("fake").exists()


def test_unpack_keeps_only_the_listed_files_and_detects_tampering(fake_pin):
    root = artifacts.unpack("fake", fake_pin)
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == ["MANIFEST.json", "X.json"]
    assert artifacts.load_contract("fake", "X")["bytecode"] == "0x00"
    (root / "build" / "X.json").write_text('{"abi": [], "bytecode": "0xff"}')
    with pytest.raises(artifacts.ArtifactsMissing, match="does not match"):
        artifacts.load_contract("fake", "X")
    with pytest.raises(artifacts.ArtifactsMissing):
        artifacts.verify("fake")


def test_fetch_from_a_local_tarball_is_offline_and_idempotent(fake_pin, tmp_path, capsys):
    f = tmp_path / "fake.tgz"
    f.write_bytes(fake_pin)
    artifacts.fetch(["fake"], tarball=str(f))
    artifacts.fetch(["fake"])  # verified in the cache: no download attempted (the URL is invalid)
    assert "verified in" in capsys.readouterr().out


def test_real_cache_verifies():
    for name in artifacts.PINS:
        assert (artifacts.verify(name, full=False) / "MANIFEST.json").exists()


# --- deployment, linking, the market -------------------------------------------------------------

lab = pytest.importorskip("defi_helpers.lab")
from defi_helpers.lab import deploy as _deploy  # noqa: E402
from defi_helpers.lab.errors import ERRORS, AaveRevert, error_code, error_name  # noqa: E402

PARAMS = load("aave_v3_ethereum_reserves").set_index("asset")


@pytest.fixture(scope="module")
def market():
    return lab.AaveMarket.deploy(whale_liquidity_usd=10_000_000, flash_premium_to_protocol_bps=1000)


def test_link_needs_every_library():
    with pytest.raises(ValueError, match="BorrowLogic"):
        _deploy.link("FlashLoanLogic", {})
    code = _deploy.link("FlashLoanLogic", {"BorrowLogic": "0x" + "ab" * 20})
    assert b"\xab" * 20 in code and b"__$" not in code


def test_error_table_matches_the_compiled_errors_library():
    errors_lib = _deploy.deploy("Errors")
    assert len(ERRORS) == 90
    for code, (name, _) in ERRORS.items():
        assert getattr(errors_lib, name)() == code
    assert error_name("35") == "HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD"
    assert error_code("HEALTH_FACTOR_NOT_BELOW_THRESHOLD") == "45"
    with pytest.raises(ValueError, match="code"):
        error_name(999)


def test_market_is_configured_from_the_dataset(market):
    assert market.deploy_seconds < 10  # the target (< 1 s) is measured by `make bench`, not asserted here
    for sym, p in PARAMS.iterrows():
        c = market.config(sym)
        assert c["ltv"] == pytest.approx(p.ltv) and c["liquidation_threshold"] == pytest.approx(p.liquidation_threshold)
        assert c["liquidation_bonus"] == pytest.approx(p.liquidation_bonus)
        assert c["reserve_factor"] == pytest.approx(p.reserve_factor)
        assert c["liquidation_protocol_fee"] == pytest.approx(p.liquidation_protocol_fee)
        assert (c["decimals"], c["supply_cap"], c["borrow_cap"]) == (p.decimals, p.supply_cap, p.borrow_cap)
        assert c["emode_category"] == p.emode_category
        assert market.price(sym) == pytest.approx(p.oracle_price_usd, rel=1e-8)
    assert tuple(market.pool.getEModeCategoryData(1))[:3] == (9000, 9300, 10100)
    assert market.pool.FLASHLOAN_PREMIUM_TOTAL() == 5
    assert "Aave v3.0.2" in repr(market)


def test_supply_borrow_account_and_snapshot(market):
    with market.snapshot():
        market.supply("alice", "WETH", 10)
        market.borrow("alice", "USDC", 12_000)
        a = market.account("alice")
        assert a.total_collateral_usd == pytest.approx(10 * market.price("WETH"))
        assert a.health_factor == pytest.approx(collateral.health_factor(a.total_collateral_usd, 0.83,
                                                                         a.total_debt_usd), rel=1e-9)
        assert a.raw["healthFactor"] / 1e18 == a.health_factor and a.raw["ltv"] == 8050
        assert market.debt("alice", "USDC") == pytest.approx(12_000)
        market.repay("alice", "USDC")
        market.withdraw("alice", "WETH")
        assert market.balance("alice", "WETH") == pytest.approx(10)
    assert math.isinf(market.account("alice").health_factor)
    assert market.account("alice").total_collateral_usd == 0  # the snapshot undid everything


def test_reverts_carry_aave_error_names(market):
    with market.snapshot():
        market.supply("bob", "WETH", 1)
        with pytest.raises(AaveRevert) as e:
            market.borrow("bob", "USDC", 10_000)
        assert e.value.name == "COLLATERAL_CANNOT_COVER_NEW_BORROW" and e.value.code == "36"
        with pytest.raises(AaveRevert, match="HEALTH_FACTOR_NOT_BELOW_THRESHOLD"):
            market.liquidate("carol", "bob", "WETH", "USDC")  # no debt, HF = inf
        with pytest.raises(ValueError, match="symbol"):
            market.supply("bob", "XYZ", 1)


def test_liquidation_when_collateral_runs_out(market):
    """HF far below LT x (1 + bonus): the whole collateral goes, the debt repaid is what it covers."""
    with market.snapshot():
        market.supply("dave", "WETH", 1)
        market.borrow("dave", "USDC", 1_400)
        market.set_price("WETH", 1_000)
        out = market.liquidate("erin", "dave", "WETH", "USDC")
        model = collateral.liquidate(1.0, 1_000, 1_400 * market.price("USDC"), 0.05, 0.10)
        assert out.health_factor_before < 0.95
        assert out.collateral_seized == pytest.approx(1.0, abs=1e-17)
        assert out.collateral_to_liquidator == pytest.approx(model.liquidator_collateral, rel=1e-12, abs=3e-18)
        assert out.collateral_to_treasury == pytest.approx(model.protocol_collateral, rel=1e-12, abs=3e-18)
        assert out.debt_repaid == pytest.approx(model.debt_repaid_usd / market.price("USDC"), abs=3e-6)
        assert market.debt("dave", "USDC") > 0  # bad debt left behind: v3.0.2 does not burn it


def test_flash_loan_premium_and_a_loan_that_is_not_repaid(market):
    with market.snapshot():
        out = market.flash_loan("USDC", 1_000_000)
        assert out.premium == pytest.approx(500)          # 5 bps
        assert out.premium_to_protocol == pytest.approx(50)  # 10 % of the premium
        assert out.pool_balance_after - out.pool_balance_before == pytest.approx(500)
        simple = market.flash_loan("WETH", 100, simple=True)
        assert simple.premium == pytest.approx(0.05)
        cash = market.tokens["USDC"].balanceOf(market.a_tokens["USDC"].address)
        with pytest.raises(AaveRevert, match="exceeds balance"):
            market.flash_loan("USDC", 1_000_000, repay=False)
        assert market.tokens["USDC"].balanceOf(market.a_tokens["USDC"].address) == cash


def test_flash_loan_protocol_share_excludes_accrued_interest(market):
    """With debt outstanding and time elapsed, the loan's updateState also books the reserve factor's share
    of the interest in accruedToTreasury; the outcome separates it, so the premium split stays exact."""
    from defi_helpers.flashloans import flash_loan_premium_split_exact

    with market.snapshot():
        market.supply("ivy", "WETH", 10)
        market.borrow("ivy", "USDC", 5_000)
        market.time_travel(30 * 86_400)
        out = market.flash_loan("USDC", 100_000)
        model = flash_loan_premium_split_exact(out.raw["amount"], 5, 1_000)
        assert out.raw["interest_to_treasury_scaled"] > 1   # hundreds of units: more than rounding
        # the ray conversions (rayDiv by the index, back with the index after the loan) round by at most a unit
        assert abs(market.units("USDC", out.premium_to_protocol) - model["to_protocol"]) <= 1
        assert abs(market.units("USDC", out.premium_to_suppliers) - model["to_suppliers"]) <= 1


@pytest.mark.parametrize("call,name", [
    (lambda m: m.supply("alice", "USDC", float("nan")), "amount"),
    (lambda m: m.supply("alice", "USDC", True), "amount"),
    (lambda m: m.borrow("alice", "USDC", -5), "amount"),
    (lambda m: m.flash_loan("USDC", float("inf")), "amount"),
    (lambda m: m.supply("alice", "USDC"), "amount"),
    (lambda m: m.liquidate("bob", "alice", "XYZ", "USDC"), "collateral"),
    (lambda m: m.set_price("WETH", 0), "usd"),
    (lambda m: m.set_prices({"WETH": float("nan")}), "usd"),
    (lambda m: m.withdraw("", "USDC"), "who"),
    (lambda m: m.set_emode("alice", 256), "category"),
    (lambda m: m.time_travel(-1), "seconds"),
    (lambda m: m.repay("alice", "USDC", mint="no"), "mint"),
])
def test_bad_input_is_refused_before_any_transaction(market, call, name):
    with market.snapshot():
        block = market.env.evm.patch.block_number
        with pytest.raises(ValueError, match=name):
            call(market)
        assert market.env.evm.patch.block_number == block


def test_deploy_checks_its_arguments():
    with pytest.raises(ValueError, match="flash_premium_bps"):
        lab.AaveMarket.deploy(flash_premium_bps=10_001)
    with pytest.raises(ValueError, match="prices"):
        lab.AaveMarket.deploy(prices={"WETH": -1.0})
    with pytest.raises(ValueError, match="emode"):
        lab.AaveMarket.deploy(emode="no")


def test_emode_and_time_travel(market):
    with market.snapshot():
        market.set_emode("frank", 1)
        market.supply("frank", "wstETH", 10)
        market.borrow("frank", "WETH", 5)
        a = market.account("frank")
        assert a.liquidation_threshold == pytest.approx(0.93) and a.ltv == pytest.approx(0.90)
        r0 = market.reserve("WETH")
        market.time_travel(365 * 24 * 3600)
        r1 = market.reserve("WETH")
        assert r1.variable_borrow_index > r0.variable_borrow_index and r1.liquidity_index > r0.liquidity_index
        assert market.debt("frank", "WETH") > 5


def test_uniswap_v2_artifacts_deploy():
    factory = _deploy.deploy("UniswapV2Factory", "0x" + "00" * 20, package="uniswap-v2-core")
    assert factory.allPairsLength() == 0
