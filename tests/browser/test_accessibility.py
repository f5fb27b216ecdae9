"""Automated accessibility check (axe-core, vendored) of every page: no serious or critical violations."""

import pytest

from conftest import chapter_pages
from helpers import ROOT

AXE = ROOT / "tests" / "browser" / "vendor" / "axe.min.js"


def _violations(page, path):
    n = page.locator("figure.defi-chart").count()
    if n:
        page.wait_for_function(
            "n => document.querySelectorAll('figure.defi-chart svg.marks').length >= n", arg=n, timeout=20_000)
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")


@pytest.mark.parametrize("path", chapter_pages())
def test_no_serious_accessibility_violations(watched, site_url, path):
    page = watched.page
    page.goto(f"{site_url}/{path}", wait_until="load")
    result = _violations(page, path)
    assert result == [], f"{path}: {result}"


@pytest.mark.parametrize("path", ["notebooks/01-collateral.html", "notebooks/07-rwa.html"])
def test_no_serious_accessibility_violations_in_dark_mode(dark, site_url, path):
    page = dark.page
    page.goto(f"{site_url}/{path}", wait_until="load")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    result = _violations(page, path)
    assert result == [], f"{path} (dark mode): {result}"


_THEME_SWITCH = """async () => {
    const b = document.querySelector('.theme-switch-button');
    const icons = [...b.querySelectorAll('i, svg')];
    const rule = async () => (await axe.run(b, {runOnly: ['label-content-name-mismatch']})).violations.length;
    const state = () => ({label: b.getAttribute('aria-label'),
                          hidden: [...b.querySelectorAll('i, svg')].every(e => e.getAttribute('aria-hidden') === 'true')});
    const before = Object.assign(state(), {violations: await rule()});
    // Font Awesome may swap the icons for <svg>s carrying a <title> after the handbook's script ran:
    // swap them again, un-hidden and titled, as it would, and let the observer catch up.
    for (const el of icons) {
        const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
        svg.setAttribute('data-mode', el.getAttribute('data-mode'));
        svg.setAttribute('role', 'img');
        const t = document.createElementNS('http://www.w3.org/2000/svg', 'title');
        t.textContent = el.getAttribute('title') || (el.querySelector('title') || {}).textContent || 'x';
        svg.appendChild(t);
        el.replaceWith(svg);
    }
    await new Promise(r => setTimeout(r, 50));
    return {before, after: Object.assign(state(), {violations: await rule()})};
}"""


@pytest.mark.parametrize("path,prefix", [("book/map.html", "Color mode: "), ("zh-tw/book/map.html", "色彩模式：")])
def test_colour_mode_switch_named_in_the_page_language(watched, site_url, path, prefix):
    """The switch's name is the theme's translated label plus the current mode, and its icons stay
    hidden whichever runs first: the handbook's script or Font Awesome's icon swap."""
    page = watched.page
    page.goto(f"{site_url}/{path}", wait_until="load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(_THEME_SWITCH)
    for when in ("before", "after"):
        state = result[when]
        assert state["label"].startswith(prefix) and len(state["label"]) > len(prefix), (when, state)
        assert state["hidden"] and state["violations"] == 0, (when, state)
