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
