"""Numbers and names that the book's pages (glossary, course guide, preface, intro,
live data) quote from ``defi_helpers`` and its snapshots, asserted against the code.

A page that names a function, an explorer, a self-check or a dataset row is
checked here too: a rename in the package fails the test until the page agrees.
"""

import importlib
import inspect
import math
import re

import pytest

from defi_helpers import data, looping
from defi_helpers.exercises import check
from helpers import ROOT
from prose import reading_text, says

GLOSSARY = "book/glossary"
GUIDE = "book/course-guide"
PREFACE = "book/preface"
INTRO = "book/intro"
LIVE = "book/live-data"

CHAPTERS = ["collateral", "looping", "lst", "usde", "pendle", "tvl", "rwa", "flashloans", "risk"]
MODULES = ["collateral", "rates", "looping", "lst", "usde", "pendle", "tvl", "rwa", "flashloans", "risk"]


def _md(doc: str) -> str:
    return (ROOT / f"{doc}.md").read_text(encoding="utf-8")


# --- glossary -----------------------------------------------------------------


def test_glossary_daily_volatility_example():
    daily = 0.80 / math.sqrt(365)
    assert round(100 * daily, 1) == 4.2
    says(GLOSSARY, rf"$80\,\%/\sqrt{{365}} \approx {100 * daily:.1f}\,\%$ in a day")


def test_glossary_looping_exact_and_limit():
    ltv, n = 0.8, 3
    exact = (1 - ltv ** (n + 1)) / (1 - ltv)
    assert math.isclose(looping.leverage_after_loops(ltv, n), exact)
    assert math.isclose(looping.max_leverage(ltv), 1 / (1 - ltv))
    says(GLOSSARY, r"After $n$ rounds of borrowing at the full LTV the exposure is "
                   r"$(1 - \mathrm{LTV}^{n+1})/(1 - \mathrm{LTV})$ times the equity, "
                   r"which approaches $1/(1 - \mathrm{LTV})$ as $n$ grows")


def test_glossary_break_even_borrow_rate():
    x, rs = 4.0, 0.03
    rb = looping.break_even_borrow_apy(x, rs)
    assert math.isclose(rb, rs * x / (x - 1))
    assert math.isclose(looping.net_apy(x, rs, rb), 0.0, abs_tol=1e-12)
    says(GLOSSARY, r"$r_s\,x/(x-1)$ for supply rate $r_s$ and leverage $x$")


def test_glossary_dated_example_matches_snapshot():
    res = data.load("aave_v3_ethereum_reserves").set_index("asset")
    assert res.attrs["meta"].as_of == "2023-10-31"
    says(GLOSSARY, f"{100 * res.loc['WETH', 'liquidation_bonus']:.0f} % for WETH on Aave v3 Ethereum on 2023-10-31")
    says(GLOSSARY, "with an LTV of 80 %, $1,000 of collateral supports up to $800 of debt")


def test_glossary_close_factor_matches_code():
    from defi_helpers import collateral

    assert collateral.close_factor(0.97) == 0.5 and collateral.close_factor(0.95) == 1.0
    t = collateral.MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD_USD
    # v3.3: below the threshold the whole reserve debt; above it and HF > 0.95, 50 % of total debt
    assert collateral.close_factor_v33(0.97, t - 1, 5_000, 8_000) == 5_000
    assert collateral.close_factor_v33(0.97, t, 5_000, 8_000) == 4_000
    assert collateral.close_factor_v33(0.95, t, 5_000, 8_000) == 5_000
    says(GLOSSARY, f"each worth at least ${t:,.0f} (`MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD`)")


def test_glossary_sy_splits_by_exchange_rate():
    """Pendle mints PT and YT per unit of accounting asset (YieldToken._calcPYToMint -> syToAsset)."""
    text = reading_text(GLOSSARY)
    assert "one SY is split into one PT and one YT" not in text
    says(GLOSSARY, "Splitting SY mints one PT and one YT per unit of accounting asset the SY is worth")


def test_glossary_links_resolve_to_entries():
    md = _md(GLOSSARY)
    body = md.split("```{glossary}", 1)[1]
    names = {line.strip().lower() for line in body.splitlines()
             if line and not line.startswith((" ", ":", "`"))}
    targets = re.findall(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`", md)
    unknown = sorted({t.strip().lower() for t in targets} - names)
    assert not unknown, f"glossary links to terms it does not define: {unknown}"


def test_glossary_chinese_corrections_kept():
    text = reading_text(GLOSSARY)
    for term in ("最高貸款價值比", "Rebase（彈性供應）", "儲備因子", "現貨價格"):
        assert term in text, term
    for gone in ("最高抵押率", "重定基", "儲備金率"):
        assert gone not in text, gone


# --- course guide ------------------------------------------------------------


def test_course_guide_functions_exist():
    refs = set(re.findall(rf"`({'|'.join(MODULES)})\.([a-z_0-9]+)`", _md(GUIDE)))
    assert len(refs) > 30
    missing = [f"{m}.{f}" for m, f in sorted(refs)
               if not callable(getattr(importlib.import_module(f"defi_helpers.{m}"), f, None))]
    assert not missing, missing


def test_course_guide_explorers_exist():
    names = set(re.findall(r"`([a-z_]+_explorer)\(\)`", _md(GUIDE)))
    assert len(names) >= 15
    mods = [importlib.import_module(f"defi_helpers.explorers.{c}") for c in CHAPTERS]
    missing = sorted(n for n in names if not any(callable(getattr(m, n, None)) for m in mods))
    assert not missing, missing


def _ids(spec: str, chapter: str) -> list[str]:
    out = []
    for part in spec.split(","):
        part = part.strip().lstrip(".")
        part = part.split(".")[-1]
        if "–" in part:
            a, b = part.split("–")
            out += [str(i) for i in range(int(a), int(b) + 1)]
        else:
            out.append(part)
    return out


def test_course_guide_self_checks_exist():
    md = _md(GUIDE)
    found = re.findall(rf"\((({'|'.join(CHAPTERS)})\.[0-9][0-9.,– ]*)\)", md)
    assert len(found) == 10, found
    for spec, chapter in found:
        answers = importlib.import_module(f"defi_helpers.exercises.{chapter}").ANSWERS
        for i in _ids(spec, chapter):
            assert i in answers, f"{chapter}.{i} named in the course guide has no self-check"


def test_course_guide_capstone_cell_runs_and_its_comment_is_true():
    code = re.search(r"```python\n(.*?)```", _md(GUIDE), re.S).group(1)
    ns: dict = {}
    exec(compile(code, "course-guide capstone cell", "exec"), ns)  # noqa: S102 - the page's own example
    cat = ns["cat"]
    assert "# LTV 93 %, LT 95 %" in code
    assert (round(100 * cat.ltv), round(100 * cat.liquidation_threshold)) == (93, 95)
    assert ns["hf"] > 1 and 0 < ns["drop"] < 1
    assert math.isclose(ns["apy"], looping.net_apy(8.0, 0.03, 0.025))


def test_course_guide_datasets_exist():
    md = _md(GUIDE)
    named = set(re.findall(r"`([a-z0-9_]+)`", md)) & set(data.list_datasets())
    quoted = set(re.findall(r'data\.load\("([a-z0-9_]+)"\)', md))
    assert quoted <= set(data.list_datasets()), quoted - set(data.list_datasets())
    assert {"aave_emode_categories", "pendle_markets", "rwa_products", "steth_eth_2022"} <= named | quoted


# --- preface and intro ---------------------------------------------------------


def test_preface_size_of_lending_is_dated_and_sourced():
    tvl = data.load("lending_tvl_leaders")
    row = tvl[(tvl.protocol == "Aave") & (tvl.metric == "tvl_default") & (tvl.date == "2025-04-26")].iloc[0]
    assert row.confidence == "B"
    says(PREFACE, f"Aave alone ${row.value_usd_bn:.2f} billion in DefiLlama's default TVL view on 2025-04-26, "
                  "dataset `lending_tvl_leaders`")


def test_preface_self_check_example_is_right():
    fb = check("collateral.2", 1807.23)
    assert fb.correct, fb.message
    says(PREFACE, 'check("collateral.2", 1807.23)')


def test_preface_at_least_four_exercises_per_chapter():
    import json

    for nb in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        src = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])
        assert src.count("```{exercise}") >= 4, nb.name
    says(PREFACE, "ends with key takeaways and at least four exercises")


@pytest.mark.parametrize("doc", [PREFACE, INTRO])
def test_year_of_365_days(doc):
    from defi_helpers import lst, rates

    assert rates.SECONDS_PER_YEAR == lst.SECONDS_PER_YEAR == 365 * 24 * 3600
    says(doc, "A year has 365 days, as in Aave's `SECONDS_PER_YEAR`")


# --- live data -----------------------------------------------------------------


def test_live_data_cache_age_and_places():
    from defi_helpers.data import cache, live

    default = inspect.signature(live.load_live).parameters["max_age_hours"].default
    assert default == 6.0
    says(LIVE, "then uses it without another request for six hours")
    assert cache._ENV_DIR == "DEFI_HANDBOOK_CACHE_DIR"
    says(LIVE, "Fetched data is cached in `~/.cache/defi-handbook/` (or `$XDG_CACHE_HOME/defi-handbook/`, "
               "or wherever `DEFI_HANDBOOK_CACHE_DIR` points)")


def test_live_data_confidence_of_fresh_rows():
    from defi_helpers.data import live

    assert live._LIVE_CONFIDENCE.startswith("A")
    says(LIVE, 'has confidence "A"')
