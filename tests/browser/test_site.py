"""A reader's view of the static site, in Chromium, with no kernel and no internet.

Every page of the table of contents: all charts render (an SVG per figure, no
"Chart failed" text), no JavaScript error, no request outside 127.0.0.1, no
ipywidget left on the page; and every explorer slider redraws its chart.
"""

import os
import re

import pytest

from helpers import SITE, chapter_pages

PAGES = chapter_pages()
RENDER_TIMEOUT_MS = 20_000


def _load(watched, site_url, path):
    page = watched.page
    page.goto(f"{site_url}/{path}", wait_until="load")
    n = page.locator("figure.defi-chart").count()
    if n:
        page.wait_for_function(
            "n => document.querySelectorAll('figure.defi-chart svg.marks').length"
            " + document.querySelectorAll('pre.defi-chart-error').length >= n",
            arg=n, timeout=RENDER_TIMEOUT_MS)
    page.wait_for_timeout(300)  # let late console errors arrive
    return n


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_offline(watched, site_url, path):
    n = _load(watched, site_url, path)
    page = watched.page
    errors_text = page.locator("pre.defi-chart-error").all_inner_texts()
    assert errors_text == []
    assert page.locator("figure.defi-chart svg.marks").count() == n
    assert watched.errors == []
    assert watched.external_requests() == []
    # every chart has alt text; no dead ipywidget on a static page
    labels = page.eval_on_selector_all("figure.defi-chart", "els => els.map(e => e.getAttribute('aria-label'))")
    assert all(label and len(label) > 20 for label in labels)
    html = (SITE / path).read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-state+json" not in html
    assert page.locator(".jupyter-widgets, .widget-area").count() == 0
    if path.startswith("notebooks/"):
        assert n >= 1, f"{path} has no chart"


def _explorer_pages():
    out = []
    for path in PAGES:
        f = SITE / path
        if f.exists() and re.search(r"vega-bind|\"bind\"", f.read_text(encoding="utf-8")):
            out.append(path)
    return out


@pytest.mark.parametrize("path", _explorer_pages())
def test_every_explorer_slider_redraws(watched, site_url, path):
    _load(watched, site_url, path)
    page = watched.page
    figures = page.locator("figure.defi-chart")
    moved = 0
    for i in range(figures.count()):
        fig = figures.nth(i)
        sliders = fig.locator(".vega-bindings input[type=range]")
        for j in range(sliders.count()):
            svg_before = fig.locator("svg.marks").inner_html()
            slider = sliders.nth(j)
            value = slider.input_value()
            slider.focus()
            key = "ArrowLeft" if slider.evaluate("e => +e.value >= +e.max") else "ArrowRight"
            page.keyboard.press(key)
            page.wait_for_timeout(150)
            assert slider.input_value() != value
            assert fig.locator("svg.marks").inner_html() != svg_before, \
                f"{path}: slider {j} of chart {i} did not change the chart"
            moved += 1
    assert moved >= 1
    assert watched.errors == []


def test_network_namespace_really_offline():
    """When run through tests/offline.sh, the outside world is unreachable."""
    if os.environ.get("DEFI_HANDBOOK_NETNS") != "1":
        pytest.skip("not inside a network namespace on this machine")
    import socket
    with pytest.raises(OSError):
        socket.create_connection(("1.1.1.1", 443), timeout=2)
