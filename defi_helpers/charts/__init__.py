"""House chart style and shared chart helpers (Altair 6).

Importing this package registers and enables the ``defi_handbook`` theme and
the offline renderer (:mod:`defi_helpers.render`). Chapter chart functions
live in ``charts/<chapter>.py``; each takes data (a DataFrame, or in an
explorer's static mode an :class:`altair.Data` with the same columns), never
inspects its values, and returns a chart finished with :func:`finish`:
a title, a ``description`` (alt text) and, for real data, a source line.

Colours are the Okabe–Ito palette, distinguishable with the common forms of
colour blindness.
"""

from __future__ import annotations

import re
import unicodedata

import altair as alt
import pandas as pd

from .. import render
from ..data import source_line

__all__ = ["PALETTE", "SEMANTIC", "WIDTH", "HEIGHT", "finish", "source_of", "pct", "usd", "wrap"]

#: Okabe & Ito (2008), "Color Universal Design".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Fixed meanings used across chapters.
SEMANTIC = {"safe": "#009E73", "danger": "#D55E00", "neutral": "#555555", "primary": "#0072B2",
            "secondary": "#E69F00"}
WIDTH = 560
HEIGHT = 300
#: Subtitle line width at 13 px, about the chart's width, in Latin characters (a CJK character,
#: East Asian width W or F, counts as two).
SUBTITLE_CHARS = 85
#: Punctuation that may not begin a line (CJK line-breaking rules, kinsoku).
_NO_LINE_START = set("，。、；：？！）」』】〉》％,.;:?!)]}%")
#: Punctuation that may not end a line.
_NO_LINE_END = set("（「『【〈《([{")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@alt.theme.register("defi_handbook", enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            # One accessible image per chart: the figure's aria-label carries the alt text;
            # marks and axes stay out of the accessibility tree instead of as unlabelled images.
            "aria": False,
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "title": {"fontSize": 16, "fontWeight": 600, "anchor": "start", "subtitleFontSize": 13,
                      "subtitleColor": "#444", "offset": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "titleFontWeight": 500,
                     "gridColor": "#e6e6e6", "domainColor": "#888", "tickColor": "#888",
                     "titleColor": "#222", "labelColor": "#333"},
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom", "labelLimit": 320},
            "range": {"category": PALETTE},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 60, "filled": True},
            "text": {"fontSize": 12},
        }
    }


render.enable()


def source_of(df: pd.DataFrame) -> str | None:
    """The source line of a registry dataset (``None`` for model output)."""
    return source_line(df)


def finish(chart, *, title: str, description: str, subtitle: str | None = None,
           source: str | None = None):
    """Give ``chart`` its title, alt text and (for real data) source line.

    Parameters
    ----------
    title : str
        Says what the chart shows, in the reader's words.
    description : str
        Alt text for screen readers: what is plotted and the main message.
    subtitle : str, optional
        One line of context (assumptions, parameter date).
    source : str, optional
        Source line printed under the chart (see :func:`source_of`).
    """
    if not title or not description:
        raise ValueError("title and description (alt text) are required for every chart")
    # Vega does not wrap titles: long subtitles are split into lines that fit the chart.
    t = alt.Title(title, subtitle=wrap(subtitle, SUBTITLE_CHARS)) if subtitle else title
    chart = chart.properties(title=t, description=description)
    if source:
        chart = chart.properties(usermeta={"source": source})
    return chart


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int = SUBTITLE_CHARS) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a CJK character is two columns).

    Latin text breaks at spaces; CJK text between any two characters, never before closing
    punctuation or after opening punctuation (which stay with their text, even one column over).
    """
    units = re.findall(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff"
                       r"\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+|\s+", text)
    lines, line = [], ""
    for u in units:
        if u.isspace():
            line += " " if line else ""
            continue
        if (line and _width(line.rstrip() + u) > width and u[0] not in _NO_LINE_START
                and line.rstrip()[-1] not in _NO_LINE_END):
            lines.append(line.rstrip())
            line = ""
        line += u
    if line.strip():
        lines.append(line.rstrip())
    return lines


def pct(field: str, title: str, **kw) -> dict:
    """Encoding keywords for a fraction shown as a percentage axis."""
    return dict(field=field, type="quantitative", title=title, axis=alt.Axis(format="%"), **kw)


def usd(field: str, title: str, **kw) -> dict:
    """Encoding keywords for a USD amount axis."""
    return dict(field=field, type="quantitative", title=title, axis=alt.Axis(format="$,.0f"), **kw)
