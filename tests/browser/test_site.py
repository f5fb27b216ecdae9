"""A reader's view of the static site, in Chromium, with no kernel and no internet.

Every page of the table of contents: all charts render (an SVG per figure, no
"Chart failed" text), no JavaScript error, no request outside 127.0.0.1, no
ipywidget left on the page; and every explorer slider redraws its chart.
"""

import os
import re
from pathlib import Path

import pytest

from helpers import SITE as _DEFAULT_SITE
from helpers import chapter_pages

SITE = Path(os.environ.get("DEFI_HANDBOOK_SITE") or _DEFAULT_SITE)   # as in conftest.py

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
        # an explorer binds a range input (the chart script names .vega-bind on every page, so look at the spec)
        if f.exists() and re.search(r'"input":\s*"range"', f.read_text(encoding="utf-8")):
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
            _move_slider(page, fig, sliders.nth(j), f"{path}: slider {j} of chart {i}")
            moved += 1
    assert moved >= 1
    assert watched.errors == []


def _move_slider(page, fig, slider, what):
    """Press an arrow key on a Vega slider; the chart and the unit readout must change."""
    svg_before = fig.locator("svg.marks").inner_html()
    value = slider.input_value()
    readout = slider.locator("xpath=following-sibling::span[1]")
    text_before = readout.inner_text()
    slider.focus()
    key = "ArrowLeft" if slider.evaluate("e => +e.value >= +e.max") else "ArrowRight"
    page.keyboard.press(key)
    assert slider.input_value() != value, f"{what}: the key did not move the slider"
    page.wait_for_function("([f, b]) => { const s = f.querySelector('svg.marks'); return s && s.innerHTML !== b; }",
                           arg=[fig.element_handle(), svg_before], timeout=RENDER_TIMEOUT_MS)
    assert readout.inner_text() != text_before, f"{what}: the readout did not follow the slider"


# -- a phone (390 x 844) ------------------------------------------------------------------------------
CHAPTERS = [p for p in PAGES if p.startswith("notebooks/")]
FIT = """figs => figs.map(f => {
  const fr = f.getBoundingClientRect(), s = f.querySelector('svg.marks');
  const sr = s ? s.getBoundingClientRect() : fr;
  const b = f.querySelector('.vega-bindings');
  const br = b ? b.getBoundingClientRect() : fr;
  return {scroll: f.scrollWidth, client: f.clientWidth, fig_left: fr.left, fig_right: fr.right,
          svg_left: sr.left, svg_right: sr.right, bind_right: br.right,
          bind_scroll: b ? b.scrollWidth - b.clientWidth : 0, vw: document.documentElement.clientWidth};
})"""


@pytest.mark.parametrize("edition", ["", "zh-tw/"])
def test_no_page_scrolls_sideways_on_a_360px_phone(narrow_phone, site_url, edition):
    """Every page of both editions fits the narrowest phone: a long file name, URL or table in prose
    must wrap or scroll inside its own box, never widen the page (the datasets page did, by 423 px)."""
    page = narrow_phone.page
    wide = {}
    for path in PAGES:
        page.goto(f"{site_url}/{edition}{path}", wait_until="load")
        page.wait_for_timeout(150)  # late layout (fonts, MathJax)
        excess = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if excess > 1:
            wide[edition + path] = excess
    assert wide == {}, f"pages wider than a 360 px screen (px too wide): {wide}"


@pytest.mark.parametrize("path", CHAPTERS)
def test_charts_fit_a_phone(phone, site_url, path):
    n = _load(phone, site_url, path)
    page = phone.page
    assert n >= 1
    for i, m in enumerate(page.eval_on_selector_all("figure.defi-chart", FIT)):
        where = f"{path}, chart {i}: {m}"
        assert m["scroll"] <= m["client"] + 1, f"figure scrolls sideways: {where}"
        assert m["svg_left"] >= m["fig_left"] - 1 and m["svg_right"] <= m["fig_right"] + 1, f"chart clipped: {where}"
        assert m["fig_right"] <= m["vw"] + 1, f"figure wider than the screen: {where}"
        assert m["bind_right"] <= m["fig_right"] + 1 and m["bind_scroll"] <= 1, f"sliders clipped: {where}"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    # Sliders are usable: the first of each explorer moves its chart.
    for fig in page.locator("figure.defi-chart").all():
        sliders = fig.locator(".vega-bindings input[type=range]")
        if sliders.count():
            fig.scroll_into_view_if_needed()
            _move_slider(page, fig, sliders.first, path)
    assert phone.errors == []


def test_slider_readouts_speak_units(watched, site_url):
    _load(watched, site_url, "notebooks/01-collateral.html")
    page = watched.page
    fig = page.locator("figure.defi-chart").filter(has=page.locator("input[name=debt_usd]")).first
    debt = fig.locator("input[name=debt_usd] + span")
    lt = fig.locator("input[name=liquidation_threshold] + span")
    assert debt.inner_text() == "$16,000" and lt.inner_text() == "85 %"
    fig.locator("input[name=debt_usd]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.textContent === '$18,000'", arg=debt.element_handle(), timeout=RENDER_TIMEOUT_MS)
    assert "(fraction)" not in fig.inner_text() and "(USD)" not in fig.inner_text()


# -- dark mode ---------------------------------------------------------------------------------------------
LUMINANCE = r"""el => {
  const lum = c => { const m = c.match(/[\d.]+/g); if (!m) return null;
    const [r, g, b, a] = m.map(Number); if (a === 0) return null;
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const backgrounds = [];
  for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
    const l = lum(getComputedStyle(e).backgroundColor);
    if (l !== null) backgrounds.push([e.tagName + '.' + e.className, l]);
  }
  const svg = el.querySelector('svg');
  const rects = [...svg.querySelectorAll('path.background, rect.background')].map(r => getComputedStyle(r).fill)
    .filter(f => f && f !== 'none' && !/rgba\(.*, 0\)$/.test(f) && f !== 'transparent');
  const texts = [...svg.querySelectorAll('text')].slice(0, 40).map(t => lum(getComputedStyle(t).fill))
    .filter(l => l !== null);
  const page = lum(getComputedStyle(document.body).backgroundColor) ?? lum(getComputedStyle(document.documentElement).backgroundColor) ?? 0;
  return {backgrounds, rects, texts, page, mode: el.querySelector('.defi-chart-view').getAttribute('data-defi-mode'),
          theme: document.documentElement.dataset.theme};
}"""


@pytest.mark.parametrize("path", ["notebooks/01-collateral.html", "notebooks/07-rwa.html"])
def test_dark_mode_charts_are_not_white_cards(dark, site_url, path):
    _load(dark, site_url, path)
    page = dark.page
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    for i, fig in enumerate(page.locator("figure.defi-chart").all()):
        m = fig.evaluate(LUMINANCE)
        assert m["mode"] == "dark", f"chart {i} drawn for a light page: {m}"
        # Nothing from the chart up to the page paints a light box behind it.
        light = [b for b in m["backgrounds"] if b[1] > 0.25]
        assert light == [], f"{path}, chart {i}: light background behind the chart: {light}"
        assert m["rects"] == [], f"{path}, chart {i}: the chart paints its own background: {m['rects']}"
        # Titles, axis labels and annotations readable on the dark page: WCAG AA contrast (4.5:1).
        assert m["page"] < 0.05, f"the page is not dark: {m['page']}"
        contrast = (min(m["texts"]) + 0.05) / (m["page"] + 0.05) if m["texts"] else 0
        assert contrast >= 4.5, f"{path}, chart {i}: text contrast {contrast:.2f} on the dark page: {m['texts']}"
    # The readout next to the sliders is light text too.
    colours = page.eval_on_selector_all(".vega-bind span", "els => els.map(e => getComputedStyle(e).color)")
    assert all(c not in ("rgb(0, 0, 0)", "rgb(33, 37, 41)") for c in colours), colours
    assert dark.errors == []


@pytest.mark.parametrize("path", ["notebooks/06-tvl.html", "zh-tw/notebooks/06-tvl.html"])
def test_a_dark_system_gets_a_dark_page(system_dark, site_url, path):
    """A reader whose phone or desktop is in dark mode gets the dark page and dark charts before
    touching the switch (the theme's default mode is "auto")."""
    _load(system_dark, site_url, path)
    page = system_dark.page
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    modes = page.eval_on_selector_all(".defi-chart-view", "vs => vs.map(v => v.getAttribute('data-defi-mode'))")
    assert modes and set(modes) == {"dark"}, modes
    assert system_dark.errors == []


def test_switching_to_dark_mode_redraws_the_charts(watched, site_url):
    _load(watched, site_url, "notebooks/01-collateral.html")
    page = watched.page
    assert page.evaluate("document.documentElement.dataset.theme") in ("light", None, "")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.wait_for_function("() => [...document.querySelectorAll('.defi-chart-view')]"
                           ".every(v => v.getAttribute('data-defi-mode') === 'dark')", timeout=RENDER_TIMEOUT_MS)
    assert watched.errors == []


def test_network_namespace_really_offline():
    """When run through tests/offline.sh, the outside world is unreachable."""
    if os.environ.get("DEFI_HANDBOOK_NETNS") != "1":
        pytest.skip("not inside a network namespace on this machine")
    import socket
    with pytest.raises(OSError):
        socket.create_connection(("1.1.1.1", 443), timeout=2)
