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
