"""Explorers: one declaration, two renderings.

An explorer is a model, its parameters and a chart::

    hf = Explorer(
        model=hf_model,                     # (**params) -> DataFrame
        params=[Param("debt_usd", "Debt", 5_000, 25_000, 1_000, 16_000, "USD"), ...],
        chart=health_factor_chart,          # (data) -> alt.Chart
        title="...", description="...",
    )
    hf                                      # displays itself

* In a **live kernel** it shows ipywidgets sliders under the chart; moving
  one recomputes the model in Python and redraws the chart.
* During the **book build** (:func:`defi_helpers.render.build_mode`) it
  renders one Altair chart whose sliders are Vega parameters bound to
  inputs. The model is precomputed over the grid of every parameter step
  and embedded as CSV; the chart filters it to the slider values. No
  ipywidget state reaches the static page, and no kernel is needed.

Both use the same defaults and the same chart function, so they look alike.
The chart function must not inspect the data's values: in static mode it
receives an :class:`altair.Data` holding the whole grid, with the same
columns as the model's DataFrame plus one ``p_<name>`` column a parameter.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from . import charts as _charts  # noqa: F401  (theme + offline renderer)
from . import render
from .i18n import language, tr, tr_noop
from ._validate import Choice, Domain, Instance, Int, Opt, Real, Str, _fill_doc, _shown, contract

__all__ = ["Param", "Explorer", "MAX_STATIC_BYTES"]

#: Budget for one explorer's embedded data on a static page.
MAX_STATIC_BYTES = 300_000
#: Most steps one slider may have (the book's sliders have at most a few dozen).
MAX_STEPS = 10_000
#: Most sliders one explorer may have.
MAX_PARAMS = 10
_LIVE_DATA = "explorer_data"


#: How a slider's value is shown, by kind (see :meth:`Param.readout`).
READOUT_KINDS = ("percent", "usd", "usd_million", "number")
#: The readout kind each unit gets unless a Param says otherwise: rates and shares in
#: percent ("0.85" -> "85 %", "0.025" -> "2.5 %"), money with a dollar sign ("$16,000").
UNIT_READOUT = {
    "fraction": "percent", "share": "percent", "share of fund": "percent",
    "fraction of pooled ETH": "percent", "APR": "percent", "APY": "percent", "per year": "percent",
    "USD": "usd", "USD million": "usd_million",
}
#: Units shown after a slider's label, marked for the catalog (``caption`` translates them);
#: tests/test_i18n.py checks that every explorer's units are here.
UNIT_NAMES = (tr_noop("APR"), tr_noop("APY"), tr_noop("per year"), tr_noop("share of fund"), tr_noop("ratio"),
              tr_noop("fraction of pooled ETH"), tr_noop("USD million"))
#: Units the readout already says: the label does not repeat them.
_UNIT_IN_READOUT = {"fraction", "share", "USD", "USD million", "days", "blocks", "x"}
#: Units written after the number in the readout.
_UNIT_SUFFIX = {"days": tr_noop(" days"), "blocks": tr_noop(" blocks"), "x": "×", "per year": tr_noop(" per year")}


_VALUE = Real(scalar=True, why="a slider value")


@contract(name=Str(identifier=True, max_len=100), label=Str(max_len=200), min=_VALUE, max=_VALUE,
          step=Real(lo=0, lo_open=True, scalar=True, why="the distance between two slider values"),
          default=_VALUE, unit=Str(nonempty=False, max_len=100), readout=Opt(Choice(*READOUT_KINDS)))
@dataclass(frozen=True)
class Param:
    """One slider: ``name`` is the model's keyword; ``unit`` is shown beside the label.

    ``readout`` says how the slider's value is shown, in the reader's unit: ``"percent"``
    (0.025 -> "2.5 %"), ``"usd"`` (16000 -> "$16,000"), ``"usd_million"`` (2 -> "$2 million")
    or ``"number"``; by default it follows the unit (:data:`UNIT_READOUT`). The live widget
    and the static page show the same text (:meth:`readout_text`).

    The slider runs from ``min`` to ``max`` in 1 to :data:`MAX_STEPS` whole steps of ``step``,
    and ``default`` is one of its values. Numbers are stored as floats.

    Parameters
    ----------
    {domains}
    """

    name: str
    label: str
    min: float
    max: float
    step: float
    default: float
    unit: str = ""
    readout: str | None = None

    def __post_init__(self):
        # The @contract above checked each field alone; these checks relate them.
        if not self.min < self.max:
            raise ValueError(f"parameter {self.name!r}: min must be < max; got {self.min} and {self.max}")
        if not self.min <= self.default <= self.max:
            raise ValueError(f"parameter {self.name!r}: default must lie between min and max, in "
                             f"[{self.min}, {self.max}]; got {self.default}")
        n = (self.max - self.min) / self.step
        if not (math.isfinite(n) and 1 - 1e-6 <= n <= MAX_STEPS + 1e-6):
            raise ValueError(f"parameter {self.name!r}: (max - min) / step must be 1 to {MAX_STEPS:,} slider "
                             f"steps; got ({self.max:g} - {self.min:g}) / {self.step:g} = {n:g}")
        if abs(n - round(n)) > 1e-6:
            raise ValueError(f"parameter {self.name!r}: (max - min) must be a whole number of steps; "
                             f"got ({self.max} - {self.min}) / {self.step} = {n}")
        k = (self.default - self.min) / self.step
        if abs(k - round(k)) > 1e-6:
            raise ValueError(f"parameter {self.name!r}: default {self.default} is not on the slider's "
                             f"grid (min {self.min}, step {self.step})")

    @property
    def decimals(self) -> int:
        """Decimals needed to show a value of this slider exactly."""
        for d in range(0, 10):
            if abs(round(self.step, d) - self.step) < 1e-12 and abs(round(self.min, d) - self.min) < 1e-12:
                return d
        return 10

    def values(self) -> np.ndarray:
        """Every value the slider can take."""
        n = int(round((self.max - self.min) / self.step))
        return np.round(self.min + self.step * np.arange(n + 1), self.decimals)

    @property
    def readout_kind(self) -> str:
        return self.readout or UNIT_READOUT.get(self.unit, "number")

    @contract(value=_VALUE, returns=None)
    def readout_text(self, value: float) -> str:
        """``value`` as the slider shows it: "2.5 %", "$16,000", "$2 million", "30 days".

        Parameters
        ----------
        {domains}
        """
        kind, d = self.readout_kind, self.decimals
        sign = "\u2212" if value < 0 else ""
        if kind == "percent":
            text = f"{value * 100:,.{max(d - 2, 0)}f} %".replace("-", "\u2212")
        elif kind == "usd":
            text = tr("{sign}${amount}").format(sign=sign, amount=f"{abs(value):,.{d}f}")
        elif kind == "usd_million" and language() == "zh_TW":
            # A reader in Taipei counts in 萬 (10^4): $2 million is 200 萬美元.
            text = tr("{sign}{amount} ten-thousand USD").format(sign=sign,
                                                                amount=f"{abs(value) * 100:,.{max(d - 2, 0)}f}")
        elif kind == "usd_million":
            text = tr("{sign}${amount} million").format(sign=sign, amount=f"{abs(value):,.{d}f}")
        else:
            text = f"{value:,.{d}f}".replace("-", "\u2212")
        suffix = _UNIT_SUFFIX.get(self.unit, "")
        return text + (tr(suffix) if suffix.strip() not in ("", "×") else suffix)

    def readouts(self) -> dict[str, str]:
        """Every slider value (as Vega prints it) -> its readout text; used on the static page."""
        return {_js_number(v): self.readout_text(float(v)) for v in self.values()}

    @property
    def caption(self) -> str:
        shown = self.unit and self.unit not in _UNIT_IN_READOUT
        return tr("{label} ({unit})").format(label=self.label, unit=tr(self.unit)) if shown else self.label

    @property
    def column(self) -> str:
        return f"p_{self.name}"


class _Params(Domain):
    """The sliders: a list or tuple of 1 to :data:`MAX_PARAMS` :class:`Param` with distinct names."""

    type_text = "sequence of Param"

    def check(self, name, value):
        if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= MAX_PARAMS \
                or not all(isinstance(p, Param) for p in value):
            shown = repr(value) if isinstance(value, (list, tuple)) else _shown(value)
            shown = shown if len(shown) <= 80 else shown[:60] + f"... ({len(shown):,} characters)"
            raise ValueError(f"{name} must be {self.describe()}; got {shown}")
        names = [p.name for p in value]
        if len(set(names)) != len(names):
            raise ValueError(f"{name} must have distinct names; got {names}")
        return tuple(value)

    def describe(self):
        return f"a list or tuple of 1 to {MAX_PARAMS} Param objects with distinct names"

    def example(self):
        return (Param("x", "X", 0.0, 1.0, 0.5, 0.5),)


_CALLABLE = Instance(Callable, text="callable")


class Explorer:
    """A model, its parameters and a chart; displays as widgets live, sliders static.

    Parameters
    ----------
    model : callable
        ``model(**{p.name: value}) -> pandas.DataFrame`` (numbers only); {domain:model}.
    params : sequence of Param
        The sliders, in display order: {domain:params}.
    chart : callable
        ``chart(data) -> altair chart``; see the module docstring; {domain:chart}.
    title, description : str
        Shown above the chart and used as its alt text; the description
        should say what moves when the sliders move. Title: {domain:title};
        description: {domain:description}.
    subtitle : str, optional
        Shown under the title; {domain:subtitle}.
    source : str, optional
        Source line under the chart (for parameters taken from real data); {domain:source}.
    max_static_bytes : int
        Size budget of the embedded grid in bytes (:meth:`static_data` raises ``ValueError``
        if exceeded); {domain:max_static_bytes}.

    Examples
    --------
    >>> import altair as alt
    >>> def line(slope):
    ...     return pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, slope]})
    >>> e = Explorer(line, [Param("slope", "Slope", 0.0, 2.0, 0.5, 1.0)],
    ...              lambda data: alt.Chart(data).mark_line().encode(x="x:Q", y="y:Q"),
    ...              title="A line", description="A line from the origin; the slider sets its slope.")
    >>> e.compute(slope=1.5)["y"].tolist()
    [0.0, 1.5]
    >>> len(e.grid())  # 2 rows for each of the slider's 5 values
    10
    >>> Explorer(line, [], e.chart_fn, title="A line", description="d")
    Traceback (most recent call last):
    ...
    ValueError: params must be a list or tuple of 1 to 10 Param objects with distinct names; got []
    """

    @contract(model=_CALLABLE, params=_Params(), chart=_CALLABLE, title=Str(max_len=300),
              description=Str(max_len=5_000), subtitle=Opt(Str(max_len=500)), source=Opt(Str(max_len=1_000)),
              max_static_bytes=Int(lo=1_000, hi=10_000_000, why="bytes of CSV embedded in a page"), returns=None)
    def __init__(self, model: Callable[..., pd.DataFrame], params, chart: Callable, *, title: str,
                 description: str, subtitle: str | None = None, source: str | None = None,
                 max_static_bytes: int = MAX_STATIC_BYTES):
        self.model = model
        self.params = params
        self.chart_fn = chart
        self.title = title
        self.description = description
        self.subtitle = subtitle
        self.source = source
        self.max_static_bytes = max_static_bytes
        self._template = None

    # -- values ------------------------------------------------------------
    @property
    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def compute(self, **values) -> pd.DataFrame:
        """The model's DataFrame at ``values`` (missing ones take their default)."""
        unknown = set(values) - set(self.defaults)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; expected {sorted(self.defaults)}")
        df = self.model(**{**self.defaults, **values})
        if not isinstance(df, pd.DataFrame) or df.empty:
            raise ValueError("model must return a non-empty DataFrame")
        return df

    def _finish(self, chart, extra: str = ""):
        return _charts.finish(chart, title=self.title, description=self.description + extra,
                              subtitle=self.subtitle, source=self.source)

    def chart_for(self, **values):
        """The chart for one set of parameter values, as an Altair object."""
        return self._finish(self.chart_fn(self.compute(**values)))

    def live_spec(self, **values) -> dict:
        """The Vega-Lite spec the live explorer shows for ``values``.

        The chart is compiled once, against a named data source, and each redraw
        only swaps in the model's new rows: a slider move costs the model plus a
        JSON dump, not a rebuild and re-validation of the Altair chart.
        """
        if self._template is None:
            self._template = self._finish(self.chart_fn(alt.NamedData(name=_LIVE_DATA))).to_dict()
        rows = json.loads(self.compute(**values).to_json(orient="records", date_format="iso"))
        return {**self._template, "datasets": {**self._template.get("datasets", {}), _LIVE_DATA: rows}}

    # -- static (book) -------------------------------------------------------
    def grid(self) -> pd.DataFrame:
        """The model over every combination of slider values, with ``p_<name>`` columns."""
        frames = []
        for combo in itertools.product(*(p.values() for p in self.params)):
            values = dict(zip((p.name for p in self.params), combo))
            df = self.compute(**values).copy()
            for p in self.params:
                df[p.column] = values[p.name]
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def static_data(self) -> alt.Data:
        """The grid as inline CSV (compact), with its numeric columns declared."""
        grid = self.grid()
        csv = grid.to_csv(index=False, float_format="%.6g", lineterminator="\n")
        if len(csv.encode()) > self.max_static_bytes:
            raise ValueError(
                f"explorer {self.title!r}: its static grid is {len(csv.encode()):,} bytes, over the "
                f"{self.max_static_bytes:,}-byte budget; coarsen a parameter's step or the model's x grid"
            )
        parse = {c: "number" for c in grid.columns if pd.api.types.is_numeric_dtype(grid[c])}
        return alt.Data(values=csv, format=alt.DataFormat(type="csv", parse=parse))

    def static_chart(self):
        """One Altair chart with Vega sliders bound to the precomputed grid."""
        vega_params = [
            alt.param(name=p.name, value=p.default,
                      bind=alt.binding_range(min=p.min, max=p.max, step=p.step, name=p.caption + " "))
            for p in self.params
        ]
        test = " && ".join(f"abs(datum['{p.column}'] - {p.name}) < {p.step / 2!r}" for p in self.params)
        data = self.static_data()
        chart = _filter_first(self.chart_fn(data), data, alt.FilterTransform(test)).add_params(*vega_params)
        names = tr(", ").join(_lower_first(p.label) for p in self.params)
        chart = self._finish(chart, tr(" Sliders below the chart set {names}.").format(names=names))
        # The page shows each slider's value in its unit (defi_helpers.render reads this).
        meta = chart.usermeta if isinstance(chart.usermeta, dict) else {}
        return chart.properties(usermeta={**meta, "readouts": {p.name: p.readouts() for p in self.params}})

    # -- live (kernel) ---------------------------------------------------------
    def widget(self):
        """ipywidgets sliders under an Output that redraws the chart from Python."""
        import ipywidgets as w

        out = w.Output(layout=w.Layout(min_height=f"{_charts.HEIGHT + 120}px"))
        sliders = {}
        rows = []
        for p in self.params:
            s = w.FloatSlider(value=p.default, min=p.min, max=p.max, step=p.step,
                              description=p.caption, readout=False,
                              continuous_update=False, style={"description_width": "initial"},
                              layout=w.Layout(width="100%", max_width="460px", min_width="0"))
            # The value in the reader's unit ("2.5 %", "$16,000"); ipywidgets' own readout
            # (a d3 format) cannot write "2.5 %".
            label = w.Label(p.readout_text(p.default), layout=w.Layout(min_width="6em"))
            label.add_class("defi-readout")
            s.observe(lambda change, p=p, label=label: setattr(label, "value", p.readout_text(change["new"])),
                      names="value")
            s.readout_label = label
            sliders[p.name] = s
            rows.append(w.HBox([s, label], layout=w.Layout(flex_flow="row wrap", align_items="center",
                                                             max_width="100%")))

        def redraw(*_):
            bundle = render.mimebundle(self.live_spec(**{n: s.value for n, s in sliders.items()}))
            # One assignment replaces the chart: no flicker, and works outside a kernel too.
            out.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)

        for s in sliders.values():
            s.observe(redraw, names="value")
        redraw()
        box = w.VBox([out, *rows], layout=w.Layout(margin="0 0 1em 0"))
        box.add_class("defi-explorer")
        box.sliders = sliders  # for tests and for readers who want to set values
        return box

    def _repr_mimebundle_(self, include=None, exclude=None):
        if render.build_mode() or not _live_kernel():
            return self.static_chart()._repr_mimebundle_(include=include, exclude=exclude)
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


# The constructor's declaration, where the API fuzzer and the docstring look for it.
Explorer.__contract__ = Explorer.__init__.__contract__
Explorer.__doc__ = _fill_doc(Explorer.__doc__, Explorer.__contract__)


def _filter_first(chart, data, flt):
    """Put ``flt`` first among the transforms of every view that reads ``data``.

    Layers that bring data of their own (constant annotations) are left alone.
    """
    own = chart.data
    # alt.layer deep-copies layers whose data differ, so compare by value, not identity.
    if own is data or (isinstance(own, alt.Data) and own == data):
        transforms = [] if own is alt.Undefined or chart.transform is alt.Undefined else list(chart.transform)
        return chart.copy(deep=False).properties(transform=[flt, *transforms])
    if isinstance(chart, alt.LayerChart):
        chart = chart.copy(deep=False)
        chart.layer = [_filter_first(layer, data, flt) for layer in chart.layer]
        return chart
    return chart


def _lower_first(label: str) -> str:
    """A label inside a sentence: "Borrow rate" -> "borrow rate", but "LTV used" stays."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _js_number(v) -> str:
    """How JavaScript prints the number ``v`` (String(0.1) == "0.1", String(2.0) == "2")."""
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def _live_kernel() -> bool:
    try:
        from IPython import get_ipython
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None
