"""The explorer mechanism, the offline renderer and every chapter's explorers."""

import importlib
import json
import pkgutil

import altair as alt
import pandas as pd
import pytest

import defi_helpers.explorers as explorers_pkg
from defi_helpers import render
from defi_helpers.explore import MAX_STATIC_BYTES, Explorer, Param


def all_explorer_factories():
    out = []
    for mod in pkgutil.iter_modules(explorers_pkg.__path__):
        m = importlib.import_module(f"defi_helpers.explorers.{mod.name}")
        out += [(f"{mod.name}.{n}", getattr(m, n)) for n in dir(m)
                if n.endswith("_explorer") and callable(getattr(m, n))]
    return out


FACTORIES = all_explorer_factories()


def test_there_are_explorers():
    assert len(FACTORIES) >= 2


@pytest.mark.parametrize("name, factory", FACTORIES, ids=[n for n, _ in FACTORIES])
def test_explorer_static_and_live(name, factory, monkeypatch):
    e = factory()
    assert isinstance(e, Explorer)
    assert e.description and e.title
    # live: the model at its defaults gives a chart with a title and alt text
    spec = e.chart_for().to_dict()
    assert spec["description"] == e.description
    live = e.live_spec()
    rows = live["datasets"]["explorer_data"]
    assert len(rows) == len(e.compute()) and live["description"] == e.description
    alt.Chart.from_dict(live) if "layer" not in live else alt.LayerChart.from_dict(live)  # still a valid spec
    # static: every slider is a bound Vega param with the same default as the widget
    static = e.static_chart().to_dict()
    params = {p["name"]: p for p in static["params"]}
    for p in e.params:
        assert params[p.name]["value"] == p.default
        assert params[p.name]["bind"]["min"] == p.min and params[p.name]["bind"]["max"] == p.max
    size = len(e.static_data().values.encode())
    assert size <= MAX_STATIC_BYTES, f"{name}: {size} bytes embedded"
    # the static grid at the defaults holds exactly what the live model computes
    grid = e.grid()
    mask = pd.Series(True, index=grid.index)
    for p in e.params:
        mask &= (grid[p.column] - p.default).abs() < p.step / 2
    live = e.compute()
    assert mask.sum() == len(live)
    pd.testing.assert_frame_equal(grid.loc[mask, list(live.columns)].reset_index(drop=True),
                                  live.reset_index(drop=True), check_dtype=False)


def test_explorer_renders_static_in_build_mode(monkeypatch):
    monkeypatch.setenv("DEFI_HANDBOOK_BUILD", "1")
    from defi_helpers.explorers.collateral import health_factor_explorer
    bundle = health_factor_explorer()._repr_mimebundle_()
    html = bundle["text/html"]
    assert "vegaEmbed" in html and "vega.min.js" not in html
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    assert "cdn" not in html.lower() and "http" not in html.split("var spec=")[0]


def test_widget_redraws_when_a_slider_moves(monkeypatch):
    monkeypatch.delenv("DEFI_HANDBOOK_BUILD", raising=False)
    from defi_helpers.explorers.collateral import health_factor_explorer
    box = health_factor_explorer().widget()
    out = box.children[0]
    before = json.dumps(out.outputs)
    box.sliders["debt_usd"].value = 20_000
    after = json.dumps(out.outputs)
    assert before != after and "defi-chart" in after


def test_param_validation():
    with pytest.raises(ValueError, match="default"):
        Param("x", "X", 0, 1, 0.1, 2)
    with pytest.raises(ValueError, match="whole number of steps"):
        Param("x", "X", 0, 1, 0.3, 0.3)
    with pytest.raises(ValueError, match="grid"):
        Param("x", "X", 0, 1, 0.1, 0.05)
    with pytest.raises(ValueError, match="min must be < max"):
        Param("x", "X", 1, 0, 0.1, 0.5)
    assert list(Param("x", "X", 0.5, 0.9, 0.1, 0.8).values()) == [0.5, 0.6, 0.7, 0.8, 0.9]


@pytest.mark.parametrize("field, value", [
    ("name", 3), ("name", "not an identifier"), ("label", None), ("label", ""), ("min", True),
    ("max", float("nan")), ("step", 0.0), ("step", -0.1), ("default", False), ("default", "0.5"),
    ("unit", None), ("readout", 1),
])
def test_param_refuses_each_bad_field_by_name(field, value):
    """Issue 14: Param validates on construction; booleans and strings are not numbers."""
    good = dict(name="ltv", label="LTV", min=0.0, max=0.9, step=0.1, default=0.5, unit="fraction")
    with pytest.raises(ValueError, match=field):
        Param(**{**good, field: value})


@pytest.mark.parametrize("kw, named", [
    ({"max": 1e308}, "max"),               # infinitely many steps: was an OverflowError
    ({"min": -1e308}, "min"),
    ({"step": 1e-300}, "step"),            # 9e299 steps: refused before values() allocates them
    ({"step": 1e15}, "step"),              # a step longer than the range: the slider had one value
    ({"max": 1e-300}, "max"),              # the default outside [min, max]: the message names both ends
])
def test_param_refuses_sliders_that_cannot_be_built(kw, named):
    good = dict(name="ltv", label="LTV", min=0.0, max=0.9, step=0.1, default=0.5)
    with pytest.raises(ValueError, match=named):
        Param(**{**good, **kw})


def test_param_keeps_its_readout_and_stores_floats():
    p = Param("debt_usd", "Debt", 4_000, 24_000, 2_000, 16_000, "USD")
    assert (p.min, p.default) == (4_000.0, 16_000.0) and isinstance(p.default, float)
    assert p.readout_text(16_000) == "$16,000"
    with pytest.raises(ValueError, match="value"):
        p.readout_text(True)


@pytest.mark.parametrize("kw, named", [
    ({"model": None}, "model"), ({"chart": "x"}, "chart"), ({"params": "x"}, "params"),
    ({"params": []}, "params"), ({"title": 3}, "title"), ({"description": ""}, "description"),
    ({"subtitle": True}, "subtitle"), ({"max_static_bytes": True}, "max_static_bytes"),
    ({"max_static_bytes": float("nan")}, "max_static_bytes"),
])
def test_explorer_validates_on_construction(kw, named):
    p = Param("a", "A", 0, 2, 1, 1)
    good = dict(model=lambda a: pd.DataFrame({"x": [a]}), params=[p], chart=lambda d: None,
                title="t", description="d")
    with pytest.raises(ValueError, match=named):
        Explorer(**{**good, **kw})
    with pytest.raises(ValueError, match="distinct names"):
        Explorer(**{**good, "params": [p, p]})


def test_oversized_grid_is_refused():
    e = Explorer(model=lambda a, b: pd.DataFrame({"x": range(500), "y": range(500)}),
                 params=[Param("a", "A", 0, 10, 1, 0), Param("b", "B", 0, 10, 1, 0)],
                 chart=lambda d: alt.Chart(d).mark_line().encode(x="x:Q", y="y:Q"),
                 title="t", description="d")
    with pytest.raises(ValueError, match="budget"):
        e.static_chart()


def test_renderer_live_sends_libraries_once(monkeypatch):
    monkeypatch.delenv("DEFI_HANDBOOK_BUILD", raising=False)
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").properties(
        description="a dot", usermeta={"source": "Source: test <data>"})
    render.reset()
    first = chart._repr_mimebundle_()["text/html"]
    second = chart._repr_mimebundle_()["text/html"]
    assert "vegaEmbed=" in first.replace(" ", "") or "vega-embed" in first
    assert len(first) > 500_000 > len(second)
    assert 'aria-label="a dot"' in second
    assert "Source: test &lt;data&gt;" in second          # escaped source line
    assert 'src="http' not in second and "cdn.jsdelivr" not in first


def test_vendored_libraries_and_licences_present():
    d = render.vendor_dir()
    for name in render.VENDOR_FILES + ("LICENSE-vega.txt", "LICENSE-vega-lite.txt", "LICENSE-vega-embed.txt"):
        assert d.joinpath(name).is_file(), name


def test_static_filter_reaches_layers_with_their_own_data():
    """alt.layer deep-copies layers whose data differ; the grid filter must still reach them."""
    def model(a):
        return pd.DataFrame({"x": [1, 2, 3], "y": [a, a + 1, a + 2]})

    def chart(d):
        line = alt.Chart(d).mark_line().encode(x="x:Q", y="y:Q")
        rule = alt.Chart(pd.DataFrame({"v": [1]})).mark_rule().encode(y="v:Q")
        return alt.layer(line, rule)

    e = Explorer(model, [Param("a", "A", 0, 2, 1, 1)], chart, title="t", description="d")
    layers = e.static_chart().to_dict()["layer"]
    assert layers[0]["transform"][0] == {"filter": "abs(datum['p_a'] - a) < 0.5"}
    assert "transform" not in layers[1]          # the constant rule is left alone


# -- slider readouts in the parameter's unit; charts that fit their column --------------------------------------
def test_param_readouts_speak_units():
    debt = Param("debt_usd", "Debt", 4_000, 24_000, 2_000, 16_000, "USD")
    lt = Param("liquidation_threshold", "Liquidation threshold", 0.60, 0.95, 0.05, 0.85, "fraction")
    rate = Param("borrow_apy", "Borrow rate", 0.0, 0.08, 0.005, 0.025, "APY")
    depth = Param("pool_depth_musd", "Pool depth", 1, 10, 1, 2, "USD million")
    days = Param("days", "Horizon", 10, 90, 10, 30, "days")
    funding = Param("stress_mean_apr", "Funding", -0.40, -0.10, 0.10, -0.10, "APR")
    plain = Param("scalar_root", "Scalar root", 10, 90, 20, 50, "")
    assert debt.readout_text(16_000) == "$16,000" and debt.caption == "Debt"
    assert lt.readout_text(0.85) == "85 %" and lt.caption == "Liquidation threshold"
    assert rate.readout_text(0.025) == "2.5 %" and rate.caption == "Borrow rate (APY)"
    assert depth.readout_text(2) == "$2 million"
    assert days.readout_text(30) == "30 days" and days.caption == "Horizon"
    assert funding.readout_text(-0.1) == "\u221210 %"
    assert plain.readout_text(50) == "50"
    assert Param("x", "X", 0, 1, 0.1, 0.5, "fraction", readout="number").readout_text(0.5) == "0.5"
    with pytest.raises(ValueError, match="readout"):
        Param("x", "X", 0, 1, 0.1, 0.5, readout="percentage")
    # every value the slider can take, keyed as JavaScript prints it (String(0.025) == "0.025")
    assert rate.readouts()["0.025"] == "2.5 %" and debt.readouts()["16000"] == "$16,000"
    assert len(rate.readouts()) == len(rate.values())


@pytest.mark.parametrize("name, factory", FACTORIES, ids=[n for n, _ in FACTORIES])
def test_static_chart_carries_readouts_and_live_widget_shows_them(name, factory):
    e = factory()
    spec = e.static_chart().to_dict()
    readouts = spec["usermeta"]["readouts"]
    for p in e.params:
        assert set(readouts[p.name]) == set(p.readouts())
    pytest.importorskip("ipywidgets")
    box = e.widget()
    for p in e.params:
        s = box.sliders[p.name]
        assert s.readout is False and s.readout_label.value == p.readout_text(p.default)
        s.value = p.values()[0] if p.default != p.values()[0] else p.values()[-1]
        assert s.readout_label.value == p.readout_text(s.value)


def test_single_views_take_the_container_width_and_composites_do_not():
    single = {"mark": "line", "width": 560}
    layered = {"layer": [{"mark": "line"}, {"mark": "rule"}]}
    out = render.responsive(single)
    assert out["width"] == "container" and out["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert render.responsive(layered)["width"] == "container"
    for spec in ({"hconcat": [single, single]}, {"mark": "line", "encoding": {"column": {"field": "p"}}},
                 {"facet": {"field": "p"}, "spec": single}):
        assert render.responsive(spec) == spec
    html = render.chart_html({"description": "A chart", "mark": "point"})
    assert '"width":"container"' in html and "data-defi-mode" in html and "readouts" in html


@pytest.mark.parametrize("name, factory", FACTORIES, ids=[n for n, _ in FACTORIES])
def test_every_chart_is_responsive_or_a_known_composite(name, factory):
    spec = render.responsive(factory().chart_for().to_dict())
    composite = {"hconcat", "vconcat", "concat", "facet", "repeat"} & spec.keys() or \
        {"row", "column", "facet"} & (spec.get("encoding") or {}).keys()
    assert spec.get("width") == "container" or composite, name
